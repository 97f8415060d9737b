import type { ReactNode } from 'react';
import { Activity, Clock, Database, HardDrive, Image, Inbox, ListChecks, Plug, Search } from 'lucide-react';
import type { LucideIcon } from 'lucide-react';
import clsx from 'clsx';
import { Card, CardHeader } from '../../components/Card';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import { formatDuration } from '../dashboard/format';
import { useHealth } from './api';
import { formatBytes, formatCount } from './format';

function Stat({ icon: Icon, label, value, sub, warn, testId }: { icon: LucideIcon; label: string; value: ReactNode; sub?: ReactNode; warn?: boolean; testId?: string }) {
  return (
    <Card className={clsx('p-4', warn && 'border-amber-300 dark:border-amber-800')}>
      <div data-testid={testId} className="flex items-start gap-3">
        <div className={clsx('flex size-9 shrink-0 items-center justify-center rounded-lg', warn ? 'bg-amber-50 text-amber-700 dark:bg-amber-950 dark:text-amber-300' : 'bg-brand-50 text-brand-700 dark:bg-brand-950 dark:text-brand-300')}>
          <Icon aria-hidden className="size-[18px]" />
        </div>
        <div className="min-w-0">
          <p className="text-xs font-medium text-muted">{label}</p>
          <p className="truncate text-lg font-semibold text-fg tabular-nums">{value}</p>
          {sub && <p className="text-xs text-muted">{sub}</p>}
        </div>
      </div>
    </Card>
  );
}

const ms = (n: number) => (n < 1000 ? t('admin.health.ms', { n: Math.round(n) }) : formatDuration(n / 1000));

/** Version, uptime, sizes, search lag, sockets, dead letters, jobs and the outbox per number; refreshed every 15 s. */
export function HealthTab() {
  const health = useHealth();
  if (health.isPending) {
    return <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">{[0, 1, 2, 3, 4, 5].map((i) => <Skeleton key={i} className="h-20" />)}</div>;
  }
  if (health.isError) return <FormError message={errorMessage(health.error)} testId="admin-health-error" />;
  const h = health.data;
  return (
    <div data-testid="admin-health" className="space-y-6">
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Stat icon={Activity} label={t('admin.health.version')} value={h.version} testId="health-version" />
        <Stat icon={Clock} label={t('admin.health.uptime')} value={formatDuration(h.uptime_secs)} sub={t('admin.health.since', { time: formatDateTime(h.started_at) ?? '' })} />
        <Stat icon={Database} label={t('admin.health.store')} value={formatBytes(h.store_bytes)} />
        <Stat icon={HardDrive} label={t('admin.health.index')} value={formatBytes(h.index_bytes)} />
        <Stat icon={Image} label={t('admin.health.media')} value={formatBytes(h.media_bytes)} />
        <Stat icon={Search} label={t('admin.health.searchLag')} value={ms(h.search.lag_ms)} sub={t('admin.health.pending', { n: formatCount(h.search.pending) })} warn={h.search.lag_ms > 5000} />
        <Stat icon={Plug} label={t('admin.health.sockets')} value={formatCount(h.websocket_connections)} />
        <Stat icon={Inbox} label={t('admin.health.deadLetters')} value={formatCount(h.dead_letters)} warn={h.dead_letters > 0} />
        <Stat
          icon={ListChecks}
          label={t('admin.health.jobs')}
          value={formatCount(h.jobs.total)}
          sub={t('admin.health.jobsSub', { due: formatCount(h.jobs.due), failed: formatCount(h.jobs.failed) })}
          warn={h.jobs.failed > 0}
        />
      </div>
      <Card>
        <CardHeader title={t('admin.health.outbox')} description={t('admin.health.outboxHint')} />
        {h.outbox.length === 0 ? (
          <p className="p-5 text-sm text-muted">{t('admin.health.outboxEmpty')}</p>
        ) : (
          <ul data-testid="admin-health-outbox" className="divide-y divide-line">
            {h.outbox.map((o) => (
              <li key={o.phone_number_id} className="flex items-center gap-3 px-5 py-3 text-sm">
                <div className="min-w-0 flex-1">
                  <p className="truncate font-medium text-fg">{o.display_number}</p>
                  <p className="truncate text-xs text-muted">{o.business_name}</p>
                </div>
                <span className={clsx('tabular-nums', o.depth > 0 ? 'font-semibold text-fg' : 'text-muted')}>
                  {t('admin.health.depth', { n: formatCount(o.depth) })}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
