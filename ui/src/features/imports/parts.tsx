// Small shared bits: status badge, progress bar, counts and number formats.

import clsx from 'clsx';
import { Badge, type Tone } from '../../components/Badge';
import { t, type MessageKey } from '../../lib/i18n';
import type { ImportJob, ImportStatus } from './types';

const tones: Record<ImportStatus, Tone> = {
  uploaded: 'neutral',
  mapped: 'blue',
  running: 'amber',
  completed: 'brand',
  failed: 'red',
  cancelled: 'neutral',
};

export function StatusBadge({ status }: { status: ImportStatus }) {
  return (
    <Badge tone={tones[status] ?? 'neutral'}>
      {status === 'running' && <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current" />}
      {t(`imports.status.${status}` as MessageKey)}
    </Badge>
  );
}

export const processed = (j: Pick<ImportJob, 'rows_done' | 'rows_failed' | 'rows_skipped'>) => j.rows_done + j.rows_failed + j.rows_skipped;

/** Fraction 0..1, or null when the total is not known yet. */
export function fraction(j: Pick<ImportJob, 'rows_done' | 'rows_failed' | 'rows_skipped' | 'rows_total'>): number | null {
  if (!j.rows_total) return null;
  return Math.min(1, processed(j) / j.rows_total);
}

export function ProgressBar({ value, className, label }: { value: number | null; className?: string; label: string }) {
  const pct = value === null ? null : Math.round(value * 100);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct ?? undefined}
      className={clsx('h-2 w-full overflow-hidden rounded-full bg-subtle ring-1 ring-line ring-inset', className)}
    >
      <div
        className={clsx('h-full rounded-full bg-brand-500 transition-[width] duration-300', pct === null && 'w-1/3 animate-pulse')}
        style={pct === null ? undefined : { width: `${pct}%` }}
      />
    </div>
  );
}

const num = new Intl.NumberFormat();
export const fmtNum = (n: number) => num.format(n);

export function fmtSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function fmtEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** "12 done · 1 failed · 3 skipped" with colours. */
export function Counts({ job, className }: { job: ImportJob; className?: string }) {
  return (
    <span className={clsx('inline-flex flex-wrap gap-x-3 gap-y-0.5 text-xs tabular-nums', className)}>
      <span className="text-fg">{t('imports.count.done', { n: fmtNum(job.rows_done) })}</span>
      <span className={job.rows_failed ? 'font-medium text-red-600 dark:text-red-400' : 'text-muted'}>
        {t('imports.count.failed', { n: fmtNum(job.rows_failed) })}
      </span>
      <span className="text-muted">{t('imports.count.skipped', { n: fmtNum(job.rows_skipped) })}</span>
      {job.rows_total != null && <span className="text-faint">{t('imports.count.total', { n: fmtNum(job.rows_total) })}</span>}
    </span>
  );
}
