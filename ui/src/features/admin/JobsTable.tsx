import { RotateCcw } from 'lucide-react';
import { Badge, type Tone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { hasKey, t } from '../../lib/i18n';
import { absoluteTime, relativeTime } from '../leads/format';
import type { Job, JobState } from './types';

const th = 'px-3 py-2.5 text-left text-xs font-medium tracking-wide whitespace-nowrap text-faint uppercase first:pl-5 last:pr-5';
const td = 'px-3 py-3 align-top text-sm first:pl-5 last:pr-5';
// the Retry buttons stay in view while the columns scroll under them
const stick = 'sticky right-0 z-[1] shadow-[-1px_0_0_var(--color-line)]';
const STATE_TONE: Record<JobState, Tone> = { scheduled: 'blue', running: 'brand', failed: 'red', done: 'neutral' };

/** A label from the table when it has one, else the code as it is (a newer kind). */
function labelOr(key: string, code: string): string {
  return hasKey(key) ? t(key) : code;
}
export const kindLabel = (k: string) => labelOr(`admin.jobKind.${k}`, k);
export const stateLabel = (s: string) => labelOr(`admin.jobState.${s}`, s);

function When({ iso }: { iso: string | null }) {
  if (!iso) return <span className="text-faint">{t('common.unknown')}</span>;
  return <time dateTime={iso} title={absoluteTime(iso)} className="whitespace-nowrap">{relativeTime(iso)}</time>;
}

interface Props {
  rows: Job[];
  retry: (j: Job) => void;
  /** The job whose retry is under way. */
  retrying: string | null;
}

function RetryButton({ j, retry, retrying }: { j: Job } & Omit<Props, 'rows'>) {
  return (
    <Button size="sm" variant="secondary" data-testid="admin-job-retry" disabled={j.state === 'running'} loading={retrying === j.id} onClick={() => retry(j)}>
      {retrying !== j.id && <RotateCcw aria-hidden />}
      {t('admin.jobs.retry')}
    </Button>
  );
}

export function JobsTable({ rows, retry, retrying }: Props) {
  return (
    <div className="relative overflow-x-auto">
      <table data-testid="admin-jobs-table" className="w-full">
        <thead className="border-b border-line bg-subtle">
          <tr>
            <th scope="col" className={th}>{t('admin.jobs.col.kind')}</th>
            <th scope="col" className={th}>{t('admin.jobs.col.business')}</th>
            <th scope="col" className={th}>{t('admin.jobs.col.label')}</th>
            <th scope="col" className={th}>{t('admin.jobs.col.state')}</th>
            <th scope="col" className={th}>{t('admin.jobs.col.lastRun')}</th>
            <th scope="col" className={th}>{t('admin.jobs.col.nextDue')}</th>
            <th scope="col" className={`${th} text-right`}>{t('admin.jobs.col.failures')}</th>
            <th scope="col" className={th}>{t('admin.jobs.col.lastError')}</th>
            <th scope="col" className={`${th} ${stick} bg-subtle`}><span className="sr-only">{t('common.actions')}</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {rows.map((j) => (
            <tr key={j.id} data-testid="admin-job-row" data-job-id={j.id} data-state={j.state} className="hover:bg-subtle/50">
              <td className={`${td} whitespace-nowrap font-medium text-fg`}>{kindLabel(j.kind)}</td>
              <td className={`${td} max-w-40 truncate text-muted`}>{j.business_name ?? <span className="italic">{t('admin.platform')}</span>}</td>
              <td className={`${td} max-w-72 min-w-48 break-words text-fg`}>{j.label}</td>
              <td className={td}><Badge tone={STATE_TONE[j.state] ?? 'neutral'}>{stateLabel(j.state)}</Badge></td>
              <td className={`${td} text-muted`}><When iso={j.last_run_at} /></td>
              <td className={`${td} text-muted`}><When iso={j.next_due_at} /></td>
              <td className={`${td} text-right tabular-nums ${j.failures ? 'font-semibold text-red-700 dark:text-red-300' : 'text-muted'}`}>{j.failures}</td>
              <td className={`${td} max-w-72 min-w-44 text-xs break-words text-red-700 dark:text-red-300`}>{j.last_error ?? ''}</td>
              <td className={`${td} ${stick} bg-surface`}>
                <RetryButton j={j} retry={retry} retrying={retrying} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Phone widths: one card per job. */
export function JobCards({ rows, retry, retrying }: Props) {
  return (
    <ul data-testid="admin-jobs-table" className="divide-y divide-line">
      {rows.map((j) => (
        <li key={j.id} data-testid="admin-job-row" data-job-id={j.id} data-state={j.state} className="space-y-2 px-4 py-3">
          <div className="flex items-start justify-between gap-3">
            <div className="min-w-0">
              <p className="font-medium text-fg">{kindLabel(j.kind)}</p>
              <p className="text-xs text-muted">{j.business_name ?? t('admin.platform')}</p>
            </div>
            <Badge tone={STATE_TONE[j.state] ?? 'neutral'}>{stateLabel(j.state)}</Badge>
          </div>
          <p className="text-sm break-words text-fg">{j.label}</p>
          <dl className="grid grid-cols-3 gap-2 text-xs">
            <div><dt className="text-faint">{t('admin.jobs.col.lastRun')}</dt><dd className="text-muted"><When iso={j.last_run_at} /></dd></div>
            <div><dt className="text-faint">{t('admin.jobs.col.nextDue')}</dt><dd className="text-muted"><When iso={j.next_due_at} /></dd></div>
            <div><dt className="text-faint">{t('admin.jobs.col.failures')}</dt><dd className={j.failures ? 'font-semibold text-red-700 dark:text-red-300' : 'text-muted'}>{j.failures}</dd></div>
          </dl>
          {j.last_error && <p className="text-xs break-words text-red-700 dark:text-red-300">{j.last_error}</p>}
          <RetryButton j={j} retry={retry} retrying={retrying} />
        </li>
      ))}
    </ul>
  );
}
