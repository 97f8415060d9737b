import { useState } from 'react';
import { Link } from 'react-router';
import { CircleExclamationPoint, FlaskConical, KeyRound, RefreshCw, Smartphone } from 'lucide-react';
import clsx from 'clsx';
import { Badge, type Tone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { useToast } from '../../components/Toast';
import { ApiError, errorMessage } from '../../lib/api';
import { hasKey, t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { useTemplates } from '../inbox/api';
import { useSyncTemplates } from './api';
import { PoolSection } from './PoolSection';
import { ReplaceTokenDialog } from './ReplaceTokenDialog';
import { numberPool, type WaNumber } from './types';

const STATUS_TONE: Record<string, Tone> = { active: 'brand', token_invalid: 'red', paused: 'amber' };

function fmtTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function StatusBadge({ n }: { n: WaNumber }) {
  const key = `channels.status.${n.status}`;
  const label =
    n.status === 'paused' && n.paused_until
      ? t('channels.pausedUntil', { time: fmtTime(n.paused_until) })
      : hasKey(key)
        ? t(key)
        : n.status;
  return (
    <Badge tone={STATUS_TONE[n.status] ?? 'neutral'} className="gap-1.5">
      <span aria-hidden className="size-1.5 rounded-full bg-current" />
      <span data-testid="number-status" data-status={n.status}>{label}</span>
    </Badge>
  );
}

function Templates({ n }: { n: WaNumber }) {
  const toast = useToast();
  const templates = useTemplates(n.id);
  const sync = useSyncTemplates(n.id);
  const count = templates.data?.items.length;
  const label =
    count === undefined ? '…' : count === 0 ? t('channels.templatesNone') : count === 1 ? t('channels.templatesOne') : t('channels.templates', { count });
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
      <span data-testid="templates-count" className="text-sm text-muted">{label}</span>
      {!n.sandbox && (
        <Button
          variant="secondary"
          size="sm"
          data-testid="templates-sync"
          loading={sync.isPending}
          onClick={() =>
            sync.mutate(undefined, {
              onSuccess: ({ synced }) =>
                toast.success(synced === 1 ? t('channels.syncedOne') : t('channels.synced', { count: synced })),
              onError: (e) => toast.error(e instanceof ApiError && e.status === 502 ? t('channels.syncFailed') : errorMessage(e)),
            })
          }
        >
          {!sync.isPending && <RefreshCw aria-hidden />}
          {t('channels.sync')}
        </Button>
      )}
    </div>
  );
}

export function NumberCard({ number: n, members }: { number: WaNumber; members: Member[] }) {
  const [replacing, setReplacing] = useState(false);
  const Icon = n.sandbox ? FlaskConical : Smartphone;
  return (
    <Card>
      <div data-testid="channel-card" data-number-id={n.id} className="divide-y divide-line">
        <div className="space-y-3 px-4 py-4 sm:px-5">
          <div className="flex flex-wrap items-start justify-between gap-3">
            <div className="flex min-w-0 items-center gap-3">
              <span className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-brand-50 text-brand-700 ring-1 ring-brand-100 dark:bg-brand-950 dark:text-brand-300 dark:ring-brand-900">
                <Icon aria-hidden className="size-5" />
              </span>
              <div className="min-w-0">
                <h2 data-testid="channel-display" className="truncate text-base font-semibold text-fg tabular-nums">
                  {n.display_phone_number}
                </h2>
                <div className="mt-0.5 flex flex-wrap items-center gap-2 text-xs text-muted">
                  {n.sandbox ? (
                    <>
                      <Badge tone="blue" className="uppercase">{t('channels.sandbox')}</Badge>
                      <span>
                        {t('channels.sandboxNote')}{' '}
                        <Link to="/simulator" className="font-medium text-accent hover:underline">{t('channels.openSimulator')}</Link>
                      </span>
                    </>
                  ) : (
                    <span className="break-all" data-testid="channel-waba">{t('channels.waba', { id: n.waba_id })}</span>
                  )}
                </div>
              </div>
            </div>
            <StatusBadge n={n} />
          </div>
          {n.last_error && n.status !== 'active' && (
            <p
              data-testid="number-last-error"
              className={clsx(
                'flex items-start gap-2 rounded-lg border px-3 py-2 text-sm',
                n.status === 'paused'
                  ? 'border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-200'
                  : 'border-red-200 bg-red-50 text-red-800 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200',
              )}
            >
              <CircleExclamationPoint aria-hidden className="mt-0.5 size-4 shrink-0" />
              <span className="min-w-0 break-words">{n.last_error}</span>
            </p>
          )}
          <div className="flex flex-wrap items-center justify-between gap-3">
            <Templates n={n} />
            {n.status === 'token_invalid' && (
              <Button size="sm" data-testid="number-replace-token" onClick={() => setReplacing(true)}>
                <KeyRound aria-hidden />
                {t('channels.replaceToken')}
              </Button>
            )}
          </div>
        </div>
        <PoolSection poolRef={numberPool(n.id)} members={members} />
      </div>
      <ReplaceTokenDialog number={n} open={replacing} onOpenChange={setReplacing} />
    </Card>
  );
}
