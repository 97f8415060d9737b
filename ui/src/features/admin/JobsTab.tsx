import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { ListChecks } from 'lucide-react';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Select } from '../../components/Input';
import { Skeleton } from '../../components/Spinner';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useMediaQuery } from '../../lib/useMediaQuery';
import { useJobs, useRetryJob } from './api';
import { JobCards, JobsTable, kindLabel, stateLabel } from './JobsTable';
import { JOB_KINDS, JOB_STATES, type Job } from './types';

const label = 'mb-1 block text-xs font-medium text-muted';

export function JobsTab() {
  const [params, setParams] = useSearchParams();
  const kind = params.get('kind') ?? '';
  const state = params.get('state') ?? '';
  const jobs = useJobs(kind, state);
  const retry = useRetryJob();
  const toast = useToast();
  const wide = useMediaQuery('(min-width: 768px)');
  const retrying = retry.isPending ? (retry.variables ?? null) : null;
  const rows = useMemo(() => jobs.data?.pages.flatMap((p) => p.items) ?? [], [jobs.data]);
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const onRetry = (j: Job) =>
    retry.mutate(j.id, {
      onSuccess: () => toast.success(t('admin.jobs.retried', { label: j.label })),
      onError: (e) => toast.error(errorMessage(e)),
    });

  let body;
  if (jobs.isPending) body = <div className="space-y-2 p-4">{[0, 1, 2].map((i) => <Skeleton key={i} className="h-10 w-full" />)}</div>;
  else if (jobs.isError && rows.length === 0) body = <div className="p-4"><FormError message={errorMessage(jobs.error)} /></div>;
  else if (rows.length === 0) body = <EmptyState icon={ListChecks} title={t('admin.jobs.empty')} />;
  else
    body = wide ? <JobsTable rows={rows} retry={onRetry} retrying={retrying} /> : <JobCards rows={rows} retry={onRetry} retrying={retrying} />;

  return (
    <div data-testid="admin-jobs" className="space-y-4">
      <div className="grid grid-cols-2 gap-3 sm:max-w-lg">
        <label className="min-w-0">
          <span className={label}>{t('admin.jobs.kind')}</span>
          <Select data-testid="admin-jobs-kind" value={kind} onChange={(e) => set('kind', e.target.value)}>
            <option value="">{t('admin.jobs.allKinds')}</option>
            {kind && !(JOB_KINDS as readonly string[]).includes(kind) && <option value={kind}>{kind}</option>}
            {JOB_KINDS.map((k) => <option key={k} value={k}>{kindLabel(k)}</option>)}
          </Select>
        </label>
        <label className="min-w-0">
          <span className={label}>{t('admin.jobs.state')}</span>
          <Select data-testid="admin-jobs-state" value={state} onChange={(e) => set('state', e.target.value)}>
            <option value="">{t('admin.jobs.allStates')}</option>
            {JOB_STATES.map((s) => <option key={s} value={s}>{stateLabel(s)}</option>)}
          </Select>
        </label>
      </div>
      <Card className="overflow-hidden">{body}</Card>
      {jobs.hasNextPage && (
        <div className="flex justify-center">
          <Button variant="secondary" loading={jobs.isFetchingNextPage} onClick={() => jobs.fetchNextPage()}>{t('audit.more')}</Button>
        </div>
      )}
    </div>
  );
}
