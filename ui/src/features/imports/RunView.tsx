// /imports/:id once an import runs or has finished: progress, rate, ETA, counts.

import { Card, CardHeader } from '../../components/Card';
import { Button } from '../../components/Button';
import { FormError } from '../../components/Field';
import { errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import { useCancelImport, useLive } from './api';
import { ErrorsLink } from './ImportRow';
import { Counts, fmtEta, fmtNum, fraction, processed, ProgressBar } from './parts';
import type { ImportJob } from './types';

export function RunView({ job, onRemap }: { job: ImportJob; onRemap: () => void }) {
  const live = useLive(job.id);
  const cancel = useCancelImport();
  const running = job.status === 'running';
  const frac = fraction(job);
  const rate = running ? live?.rows_per_second : null;
  const eta = running ? live?.eta_seconds : null;
  return (
    <Card>
      <CardHeader
        title={t(running ? 'imports.run.running' : 'imports.run.finished')}
        description={job.dry_run ? t('imports.run.dryRun') : undefined}
      />
      <div className="space-y-4 p-5">
        <div data-testid="import-progress" data-done={processed(job)} data-total={job.rows_total ?? ''} className="space-y-2">
          <ProgressBar value={job.status === 'completed' ? 1 : frac} label={t('imports.progress')} className="h-3" />
          <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 text-sm tabular-nums">
            <span className="font-medium text-fg">
              {job.rows_total != null
                ? t('imports.run.ofTotal', { n: fmtNum(processed(job)), total: fmtNum(job.rows_total) })
                : t('imports.run.rows', { n: fmtNum(processed(job)) })}
              {frac !== null && <span className="ml-2 text-muted">{Math.round(frac * 100)}%</span>}
            </span>
            {running && (
              <span className="text-muted">
                {rate != null && t('imports.run.rate', { n: fmtNum(Math.round(rate)) })}
                {rate != null && eta != null && ' · '}
                {eta != null && t('imports.run.eta', { eta: fmtEta(eta) })}
              </span>
            )}
          </div>
        </div>
        <Counts job={job} className="text-sm" />
        {job.error && <FormError message={job.error} />}
        <dl className="grid gap-x-6 gap-y-1 text-xs text-muted sm:grid-cols-2">
          {job.started_at && (
            <div>
              <dt className="inline">{t('imports.run.started')}: </dt>
              <dd className="inline text-fg">{formatDateTime(job.started_at)}</dd>
            </div>
          )}
          {job.finished_at && (
            <div>
              <dt className="inline">{t('imports.run.finishedAt')}: </dt>
              <dd className="inline text-fg">{formatDateTime(job.finished_at)}</dd>
            </div>
          )}
        </dl>
        {cancel.isError && <FormError message={errorMessage(cancel.error)} />}
        <div className="flex flex-wrap items-center justify-between gap-3 border-t border-line pt-4">
          <ErrorsLink job={job} />
          {job.status === 'completed' && job.dry_run && job.kind === 'csv' && (
            <Button data-testid="import-remap" className="ml-auto" onClick={onRemap}>
              {t('imports.run.remap')}
            </Button>
          )}
          {running && (
            <Button data-testid="import-cancel" variant="secondary" className="ml-auto" loading={cancel.isPending} onClick={() => cancel.mutate(job.id)}>
              {t('imports.cancel')}
            </Button>
          )}
        </div>
      </div>
    </Card>
  );
}
