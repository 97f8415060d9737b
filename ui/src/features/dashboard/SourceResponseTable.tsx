import { t } from '../../lib/i18n';
import type { Dashboard, Source } from './api';
import { formatDuration } from './format';
import { SOURCE_COLORS, sourceLabel } from './LeadsChart';

const th = 'px-4 py-2.5 text-right text-xs font-medium tracking-wide whitespace-nowrap text-faint uppercase first:text-left sm:px-5';
const td = 'px-4 py-3 text-right whitespace-nowrap tabular-nums sm:px-5';

export function SourceResponseTable({ rows }: { rows: Dashboard['first_response_by_source'] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm">
        <thead className="border-b border-line bg-subtle/60">
          <tr>
            <th scope="col" className={th}>{t('dashboard.col.source')}</th>
            <th scope="col" className={th}>{t('dashboard.col.responses')}</th>
            <th scope="col" className={th}>{t('dashboard.col.median')}</th>
            <th scope="col" className={th}>{t('dashboard.col.p90')}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {rows.map((r) => (
            <tr key={r.source} data-testid="dashboard-source-row" data-source={r.source}>
              <th scope="row" className="px-4 py-3 text-left font-medium text-fg sm:px-5">
                <span className="inline-flex items-center gap-2">
                  <span aria-hidden className="size-2 rounded-full" style={{ background: SOURCE_COLORS[r.source as Source] ?? '#85918e' }} />
                  {sourceLabel(r.source)}
                </span>
              </th>
              <td className={`${td} text-muted`}>{r.count}</td>
              <td className={`${td} text-fg`}>{formatDuration(r.median_secs)}</td>
              <td className={`${td} text-muted`}>{formatDuration(r.p90_secs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
