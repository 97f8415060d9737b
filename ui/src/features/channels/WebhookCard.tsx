import { useState } from 'react';
import { KeyRound, TriangleExclamationPoint, Webhook } from 'lucide-react';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { CopyField } from '../../components/CopyField';
import { ConfirmDialog } from '../../components/Dialog';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { curlExample } from './curl';
import { SourceCard } from './SourceCard';
import type { WebhookChannel } from './sourceTypes';
import { useDeleteChannel, useFreshToken, useRotateToken } from './sourcesApi';
import { channelPool } from './types';

/** A webhook: its URL, the token (shown once after create / rotate), a curl example and the pool. */
export function WebhookCard({ channel: c, members }: { channel: WebhookChannel; members: Member[] }) {
  const toast = useToast();
  const del = useDeleteChannel();
  const rotate = useRotateToken(c.id);
  const token = useFreshToken(c.id) ?? c.token;
  const [confirm, setConfirm] = useState(false);

  return (
    <SourceCard
      icon={Webhook}
      title={c.name}
      meta={
        <>
          <Badge tone="blue">{t('sources.kind.webhook')}</Badge>
          <span>{t('sources.webhookNote')}</span>
        </>
      }
      poolRef={channelPool(c.id)}
      members={members}
      onDelete={() => del.mutateAsync(c.id)}
      deleteTitle={t('sources.deleteTitle', { name: c.name })}
      deleteBody={t('sources.deleteWebhook')}
      attrs={{ 'data-testid': 'custom-channel-card', 'data-channel-id': c.id, 'data-kind': c.kind }}
    >
      <div className="space-y-1.5">
        <p className="text-sm font-medium text-fg">{t('sources.webhookUrl')}</p>
        <CopyField value={c.webhook_url} label={t('sources.webhookUrl')} testId="webhook-url" />
      </div>
      <div className="space-y-1.5">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p className="text-sm font-medium text-fg">{t('sources.token')}</p>
          <Button variant="secondary" size="sm" data-testid="webhook-rotate" onClick={() => setConfirm(true)}>
            <KeyRound aria-hidden />
            {t('sources.rotate')}
          </Button>
        </div>
        {token ? (
          <div className="space-y-2">
            <div className="flex gap-2.5 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-100">
              <TriangleExclamationPoint aria-hidden className="mt-0.5 size-4 shrink-0" />
              <p>{t('sources.tokenOnce')}</p>
            </div>
            <CopyField value={token} label={t('sources.token')} testId="webhook-token" />
          </div>
        ) : (
          <p className="text-sm text-muted">{t('sources.tokenHidden')}</p>
        )}
      </div>
      <div className="space-y-1.5">
        <CopyField multiline value={curlExample(c.webhook_url, token, c.mapping)} label={t('sources.curl')} testId="webhook-curl" />
        <p className="text-xs text-muted">{t('sources.curlHint')}</p>
      </div>
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title={t('sources.rotateTitle')}
        body={t('sources.rotateBody', { name: c.name })}
        confirmLabel={t('sources.rotate')}
        busy={rotate.isPending}
        error={rotate.error ? errorMessage(rotate.error) : null}
        onConfirm={() =>
          rotate.mutate(undefined, {
            onSuccess: () => {
              setConfirm(false);
              toast.success(t('sources.rotated'));
            },
          })
        }
      />
    </SourceCard>
  );
}
