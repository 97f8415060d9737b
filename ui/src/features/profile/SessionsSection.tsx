import { useState } from 'react';
import { LogOut, MonitorSmartphone } from 'lucide-react';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card, CardHeader } from '../../components/Card';
import { ConfirmDialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import { absoluteTime, relativeTime } from '../leads/format';
import { useEndOtherSessions, useEndSession, useSessions, type AuthSession } from './sessionsApi';

const th = 'px-5 py-2.5 text-left text-xs font-medium tracking-wide whitespace-nowrap text-faint uppercase';

function LastActive({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={absoluteTime(iso)} className="whitespace-nowrap">
      {relativeTime(iso)}
    </time>
  );
}

const deviceName = (s: AuthSession) => s.device || t('reminders.unknownDevice');

/** Profile card: where I am signed in, and ending the sessions I do not recognise. */
export function SessionsSection() {
  const sessions = useSessions();
  const end = useEndSession();
  const endOthers = useEndOtherSessions();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const items = sessions.data?.items ?? [];
  const others = items.filter((s) => !s.current).length;

  const endAllButton = others > 0 && (
    <Button variant="secondary" size="sm" onClick={() => setConfirming(true)} data-testid="end-other-sessions">
      <LogOut aria-hidden />
      {t('sessions.endOthers')}
    </Button>
  );

  return (
    <Card>
      <div data-testid="sessions-section">
        <CardHeader title={t('sessions.title')} description={t('sessions.subtitle')} action={endAllButton || undefined} />
        {sessions.isPending ? (
          <div className="space-y-3 p-5">
            <Skeleton className="h-4 w-2/3" />
            <Skeleton className="h-4 w-1/2" />
          </div>
        ) : sessions.isError ? (
          <div className="p-5">
            <FormError message={errorMessage(sessions.error)} testId="sessions-error" />
          </div>
        ) : items.length === 0 ? (
          <p className="p-5 text-sm text-muted">{t('sessions.empty')}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <thead className="border-b border-line bg-subtle/60">
                <tr>
                  <th scope="col" className={th}>{t('sessions.col.device')}</th>
                  <th scope="col" className={`${th} hidden md:table-cell`}>{t('sessions.col.ip')}</th>
                  <th scope="col" className={`${th} hidden sm:table-cell`}>{t('sessions.col.lastActive')}</th>
                  <th scope="col" className={`${th} hidden lg:table-cell`}>{t('sessions.col.created')}</th>
                  <th scope="col" className={th}><span className="sr-only">{t('common.actions')}</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-line">
                {items.map((s) => {
                  const ending = end.isPending && end.variables === s.id;
                  return (
                    <tr key={s.id} data-testid="session-row" data-current={s.current ? 'true' : 'false'} data-id={s.id}>
                      <td className="w-full max-w-0 px-5 py-3">
                        <div className="flex items-center gap-3">
                          <MonitorSmartphone aria-hidden className="size-4 shrink-0 text-faint" />
                          <div className="min-w-0">
                            <p className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1 font-medium text-fg">
                              <span className="max-w-full truncate" title={s.user_agent ?? undefined}>{deviceName(s)}</span>
                              {s.current && <Badge tone="brand">{t('sessions.thisDevice')}</Badge>}
                            </p>
                            <p className="truncate text-xs text-muted md:hidden">
                              {s.ip ?? t('common.unknown')}
                              <span className="sm:hidden">
                                {' · '}
                                {t('sessions.lastActiveShort')} <LastActive iso={s.last_seen_at} />
                              </span>
                            </p>
                          </div>
                        </div>
                      </td>
                      <td className="hidden px-5 py-3 whitespace-nowrap text-muted tabular-nums md:table-cell">{s.ip ?? t('common.unknown')}</td>
                      <td className="hidden px-5 py-3 text-muted sm:table-cell"><LastActive iso={s.last_seen_at} /></td>
                      <td className="hidden px-5 py-3 whitespace-nowrap text-muted lg:table-cell">{formatDateTime(s.created_at)}</td>
                      <td className="px-5 py-3 text-right">
                        {!s.current && (
                          <Button
                            variant="ghost"
                            size="sm"
                            className="text-red-600 hover:text-red-700 dark:text-red-400"
                            data-testid="end-session"
                            aria-label={t('sessions.endOne', { device: deviceName(s) })}
                            loading={ending}
                            disabled={end.isPending || endOthers.isPending}
                            onClick={() =>
                              end.mutate(s.id, {
                                onSuccess: () => toast.success(t('sessions.ended', { device: deviceName(s) })),
                                onError: (e) => toast.error(errorMessage(e)),
                              })
                            }
                          >
                            {t('sessions.end')}
                          </Button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <ConfirmDialog
        open={confirming}
        onOpenChange={(o) => {
          setConfirming(o);
          if (!o) endOthers.reset();
        }}
        title={t('sessions.endOthersTitle')}
        body={others === 1 ? t('sessions.endOthersBodyOne') : t('sessions.endOthersBody', { count: others })}
        confirmLabel={t('sessions.endOthers')}
        busy={endOthers.isPending}
        error={endOthers.error ? errorMessage(endOthers.error) : null}
        onConfirm={() =>
          endOthers.mutate(undefined, {
            onSuccess: (res) => {
              const n = res?.ended ?? 0;
              toast.success(n === 1 ? t('sessions.endedManyOne') : t('sessions.endedMany', { count: n }));
              setConfirming(false);
            },
          })
        }
      />
    </Card>
  );
}
