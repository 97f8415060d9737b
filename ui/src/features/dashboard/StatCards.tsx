import type { ReactNode } from 'react';
import { t } from '../../lib/i18n';
import type { Dashboard } from './api';
import { formatRate } from './format';

function Stat({ label, value, hint, testId, className }: { label: string; value: ReactNode; hint?: ReactNode; testId?: string; className?: string }) {
  return (
    <div className={`${className ?? ''} rounded-xl border border-line bg-surface p-4 shadow-xs`}>
      <p className="text-xs font-medium tracking-wide text-faint uppercase">{label}</p>
      <p data-testid={testId} className="mt-1 text-2xl font-semibold tracking-tight text-fg tabular-nums">
        {value}
      </p>
      {hint && <p className="mt-0.5 text-xs text-muted">{hint}</p>}
    </div>
  );
}

export function StatCards({ data }: { data: Dashboard }) {
  const { totals } = data;
  return (
    <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
      <Stat label={t('dashboard.leads')} value={totals.leads} testId="dashboard-leads-total" />
      <Stat label={t('dashboard.assigned')} value={totals.assigned} testId="dashboard-assigned" />
      <Stat label={t('dashboard.closed')} value={totals.closed} testId="dashboard-closed" />
      <Stat
        label={t('dashboard.won')}
        value={totals.won}
        testId="dashboard-won"
        hint={totals.conversion_rate !== null ? <span data-testid="dashboard-conversion">{t('dashboard.conversion', { rate: formatRate(totals.conversion_rate) })}</span> : undefined}
      />
      {/* Members do not see the queue: the server sends null, the card goes. */}
      {data.unassigned_backlog !== null && (
        <Stat label={t('dashboard.backlog')} value={data.unassigned_backlog} testId="dashboard-backlog" className="col-span-2 sm:col-span-1" hint={t('dashboard.backlogHint')} />
      )}
    </div>
  );
}
