import { ShieldCheck, ShieldOff } from 'lucide-react';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card, CardHeader } from '../../components/Card';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import { useGrantSupport, useRevokeSupport, useSupportAccess, type SupportAccess } from './api';
import { SupportViews } from './SupportViews';

const GRANTS = [
  { hours: 1, key: 'support.grant1h', testId: 'support-grant-1h' },
  { hours: 24, key: 'support.grant24h', testId: 'support-grant-24h' },
  { hours: 168, key: 'support.grant7d', testId: 'support-grant-7d' },
] as const;

const activeUntil = (a: SupportAccess | undefined) =>
  a?.granted_until && new Date(a.granted_until).getTime() > Date.now() ? a.granted_until : null;

/** Owner settings: let the platform's support open this business read-only for a while. */
export function SupportAccessSection() {
  const access = useSupportAccess();
  const grant = useGrantSupport();
  const revoke = useRevokeSupport();
  const toast = useToast();
  const until = activeUntil(access.data);
  // a platform admin's support view may look, not change
  const readOnly = Boolean(useSession().support);
  const onError = (e: unknown) => toast.error(errorMessage(e));

  const state = until ? (
    <div className="flex flex-wrap items-center gap-2" data-testid="support-access-state" data-active="true">
      <Badge tone="amber">
        <ShieldCheck aria-hidden className="size-3" />
        {t('support.granted')}
      </Badge>
      <span className="text-sm text-fg">
        {t('support.grantedUntil', { time: formatDateTime(until) ?? until })}
        {access.data?.granted_by && <span className="text-muted"> · {t('support.grantedBy', { name: access.data.granted_by.name })}</span>}
      </span>
    </div>
  ) : (
    <div className="flex items-center gap-2" data-testid="support-access-state" data-active="false">
      <Badge>
        <ShieldOff aria-hidden className="size-3" />
        {t('support.notGranted')}
      </Badge>
    </div>
  );

  return (
    <Card>
      <div data-testid="support-access-section">
        <CardHeader title={t('support.title')} description={t('support.subtitle')} />
        <div className="space-y-4 p-5">
          {access.isPending ? (
            <Skeleton className="h-6 w-64" />
          ) : access.isError ? (
            <FormError message={errorMessage(access.error)} testId="support-access-error" />
          ) : (
            state
          )}
          {!readOnly && (
            <div className="flex flex-wrap items-center gap-2">
              <span className="text-sm text-muted">{until ? t('support.extend') : t('support.grant')}</span>
              {GRANTS.map((g) => (
                <Button
                  key={g.hours}
                  size="sm"
                  variant="secondary"
                  data-testid={g.testId}
                  disabled={access.isPending || grant.isPending}
                  loading={grant.isPending && grant.variables === g.hours}
                  onClick={() =>
                    grant.mutate(g.hours, {
                      onSuccess: (a) => toast.success(t('support.grantedToast', { time: formatDateTime(a.granted_until) ?? '' })),
                      onError,
                    })
                  }
                >
                  {t(g.key)}
                </Button>
              ))}
              {until && (
                <Button
                  size="sm"
                  variant="danger"
                  data-testid="support-revoke"
                  loading={revoke.isPending}
                  onClick={() => revoke.mutate(undefined, { onSuccess: () => toast.success(t('support.revoked')), onError })}
                >
                  {t('support.revoke')}
                </Button>
              )}
            </div>
          )}
        </div>
        <SupportViews views={access.data?.recent_views ?? []} loading={access.isPending} />
      </div>
    </Card>
  );
}
