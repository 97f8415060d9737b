import { Link } from 'react-router';
import { Download, FileSpreadsheet, MessageSquareText } from 'lucide-react';
import { Button } from '../../components/Button';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import { errorsUrl } from './api';
import { Counts, fmtSize, fraction, ProgressBar, StatusBadge } from './parts';
import { isCancellable, type ImportJob } from './types';

export function ErrorsLink({ job }: { job: ImportJob }) {
  if (job.rows_failed <= 0) return null;
  return (
    <a
      data-testid="import-errors-link"
      href={errorsUrl(job.id)}
      download
      className="focus-ring inline-flex items-center gap-1 rounded text-xs font-medium text-red-700 hover:underline dark:text-red-300"
    >
      <Download aria-hidden className="size-3.5" />
      {t('imports.downloadFailed')}
    </a>
  );
}

interface RowProps {
  job: ImportJob;
  onCancel: (id: string) => void;
  cancelling: boolean;
}

export function ImportRow({ job, onCancel, cancelling }: RowProps) {
  const Icon = job.kind === 'chat' ? MessageSquareText : FileSpreadsheet;
  const showCounts = job.status !== 'uploaded' && job.status !== 'mapped';
  return (
    <li data-testid="import-row" data-id={job.id} data-status={job.status} className="flex gap-3 px-4 py-3.5 sm:px-5">
      <div className="mt-0.5 flex size-9 shrink-0 items-center justify-center rounded-lg bg-subtle text-muted ring-1 ring-line">
        <Icon aria-hidden className="size-4.5" />
      </div>
      <div className="min-w-0 flex-1 space-y-1.5">
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <Link to={`/imports/${job.id}`} className="focus-ring min-w-0 truncate rounded text-sm font-medium text-fg hover:underline">
            {job.file_name}
          </Link>
          <StatusBadge status={job.status} />
          {job.dry_run && <span className="text-xs text-muted">{t('imports.dryRunTag')}</span>}
        </div>
        <p className="text-xs text-muted">
          {job.kind === 'chat' ? t('imports.kind.chat') : t('imports.kind.csv')} · {fmtSize(job.size)} · {formatDateTime(job.created_at)}
        </p>
        {job.status === 'running' && (
          <div data-testid="import-progress" className="max-w-md">
            <ProgressBar value={fraction(job)} label={t('imports.progress')} />
          </div>
        )}
        {(showCounts || job.rows_failed > 0) && (
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
            {showCounts && <Counts job={job} />}
            <ErrorsLink job={job} />
          </div>
        )}
        {job.error && <p className="text-xs text-red-700 dark:text-red-300">{job.error}</p>}
      </div>
      <div className="flex shrink-0 flex-col items-end gap-2">
        {(job.status === 'uploaded' || job.status === 'mapped') && (
          <Link to={`/imports/${job.id}`} className="focus-ring rounded text-sm font-medium text-brand-700 hover:underline dark:text-brand-300">
            {t('imports.continue')}
          </Link>
        )}
        {isCancellable(job.status) && (
          <Button data-testid="import-cancel" variant="ghost" size="sm" loading={cancelling} onClick={() => onCancel(job.id)}>
            {t('imports.cancel')}
          </Button>
        )}
      </div>
    </li>
  );
}
