import clsx from 'clsx';
import { t } from '../../lib/i18n';
import type { MemberStats } from './api';
import { formatDuration } from './format';

const th = 'px-4 py-2.5 text-right text-xs font-medium tracking-wide whitespace-nowrap text-faint uppercase first:text-left sm:px-5';
const td = 'px-4 py-3 text-right whitespace-nowrap tabular-nums sm:px-5';

export function MemberStatsTable({ members }: { members: MemberStats[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm">
        <thead className="border-b border-line bg-subtle/60">
          <tr>
            <th scope="col" className={th}>{t('dashboard.col.member')}</th>
            <th scope="col" className={th}>{t('dashboard.col.assigned')}</th>
            <th scope="col" className={th}>{t('dashboard.col.open')}</th>
            <th scope="col" className={th}>{t('dashboard.col.closed')}</th>
            <th scope="col" className={th}>{t('dashboard.col.overdue')}</th>
            <th scope="col" className={th}>{t('dashboard.col.median')}</th>
            <th scope="col" className={th}>{t('dashboard.col.p90')}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {members.map((m) => (
            <tr key={m.member_id} data-testid="dashboard-member-row" data-member-id={m.member_id} className="hover:bg-subtle/50">
              <th scope="row" className="max-w-48 truncate px-4 py-3 text-left font-medium text-fg sm:px-5">{m.name}</th>
              <td className={clsx(td, 'text-fg')}>{m.assigned}</td>
              <td className={clsx(td, 'text-fg')}>{m.open}</td>
              <td className={clsx(td, 'text-fg')}>{m.closed}</td>
              <td className={clsx(td, m.overdue_followups > 0 ? 'font-medium text-red-600 dark:text-red-400' : 'text-muted')}>{m.overdue_followups}</td>
              <td className={clsx(td, 'text-fg')} title={t('dashboard.responses', { n: m.first_response.count })}>{formatDuration(m.first_response.median_secs)}</td>
              <td className={clsx(td, 'text-muted')}>{formatDuration(m.first_response.p90_secs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
