import { useState, type ReactNode } from 'react';
import { BarChart3, LayoutDashboard, Timer, Users } from 'lucide-react';
import { Card, CardHeader, PageHeader } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useDashboard, type Dashboard } from './api';
import { LeadsChart } from './LeadsChart';
import { MemberStatsTable } from './MemberStatsTable';
import { initialRange, RangePicker } from './RangePicker';
import { MAX_DAYS, presetRange, spanDays, type Preset } from './range';
import { SourceResponseTable } from './SourceResponseTable';
import { StatCards } from './StatCards';

function Section({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <Card>
      <CardHeader title={title} description={description} />
      {children}
    </Card>
  );
}

function Body({ data }: { data: Dashboard }) {
  const noLeads = data.leads_by_day.every((d) => d.total === 0);
  return (
    <div className="space-y-6">
      <StatCards data={data} />
      <Section title={t('dashboard.leadsByDay')} description={t('dashboard.leadsByDayHint')}>
        <div data-testid="dashboard-chart" data-empty={noLeads ? 'true' : 'false'}>
          {noLeads ? (
            <EmptyState icon={BarChart3} title={t('dashboard.noLeads')} body={t('dashboard.noLeadsBody')} />
          ) : (
            <div className="p-3 sm:p-5">
              <LeadsChart days={data.leads_by_day} />
            </div>
          )}
        </div>
      </Section>
      <Section title={t('dashboard.members')} description={t('dashboard.membersHint')}>
        {data.members.length === 0 ? (
          <EmptyState icon={Users} title={t('dashboard.noMembers')} />
        ) : (
          <MemberStatsTable members={data.members} />
        )}
      </Section>
      <Section title={t('dashboard.bySource')} description={t('dashboard.bySourceHint')}>
        {data.first_response_by_source.length === 0 ? (
          <EmptyState icon={Timer} title={t('dashboard.noResponses')} />
        ) : (
          <SourceResponseTable rows={data.first_response_by_source} />
        )}
      </Section>
    </div>
  );
}

export default function DashboardPage() {
  const [range, setRange] = useState(initialRange);
  const span = spanDays(range.from, range.to);
  const rangeError =
    span === null ? t('dashboard.rangeMissing') : span < 1 ? t('dashboard.rangeOrder') : span > MAX_DAYS ? t('dashboard.rangeTooLong', { max: MAX_DAYS }) : null;
  const q = useDashboard(range.from, range.to, rangeError === null);
  const scope = q.data?.scope;

  return (
    <>
      <PageHeader
        title={t('dashboard.title')}
        description={scope ? t(`dashboard.scope.${scope}`) : t('dashboard.subtitle')}
      />
      <div className="mb-6">
        <RangePicker
          preset={range.preset}
          from={range.from}
          to={range.to}
          onPreset={(p) => setRange({ preset: p, ...presetRange(p) })}
          onCustom={(from, to) => setRange({ preset: 'custom' as Preset, from, to })}
        />
        {rangeError && <p className="mt-2 text-sm text-red-600 dark:text-red-400" role="alert">{rangeError}</p>}
      </div>
      {q.error instanceof ApiError && q.error.status === 404 ? (
        <Card>
          <EmptyState icon={LayoutDashboard} title={t('dashboard.unavailable')} body={t('dashboard.unavailableBody')} />
        </Card>
      ) : q.isError ? (
        <FormError message={errorMessage(q.error)} />
      ) : q.data ? (
        <div className={q.isPlaceholderData ? 'opacity-60 transition-opacity' : undefined} aria-busy={q.isFetching}>
          <Body data={q.data} />
        </div>
      ) : rangeError ? null : (
        <div className="space-y-6">
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
            {Array.from({ length: 5 }, (_, i) => (
              <Skeleton key={i} className="h-20" />
            ))}
          </div>
          <Skeleton className="h-80" />
        </div>
      )}
    </>
  );
}
