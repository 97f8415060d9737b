import { t } from '../../lib/i18n';
import { absoluteTime, relativeTime } from '../leads/format';
import type { SupportView } from './api';

const th = 'px-5 py-2.5 text-left text-xs font-medium tracking-wide whitespace-nowrap text-faint uppercase';
const td = 'px-5 py-3 align-top text-sm';

/** The support views of this business, newest first (every one is audited). */
export function SupportViews({ views, loading }: { views: SupportView[]; loading: boolean }) {
  return (
    <div className="border-t border-line">
      <h3 className="px-5 pt-4 pb-2 text-sm font-semibold text-fg">{t('support.viewsTitle')}</h3>
      {views.length === 0 ? (
        !loading && <p data-testid="support-views-empty" className="px-5 pb-5 text-sm text-muted">{t('support.viewsEmpty')}</p>
      ) : (
        <div className="overflow-x-auto">
          <table data-testid="support-views" className="w-full">
            <thead className="border-y border-line bg-subtle/60">
              <tr>
                <th scope="col" className={th}>{t('support.col.time')}</th>
                <th scope="col" className={th}>{t('support.col.admin')}</th>
                <th scope="col" className={`${th} hidden sm:table-cell`}>{t('support.col.ip')}</th>
                <th scope="col" className={`${th} hidden sm:table-cell`}>{t('support.col.summary')}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {views.map((v, i) => (
                <tr key={`${v.at}-${i}`} data-testid="support-view-row">
                  <td className={`${td} whitespace-nowrap text-muted`}>
                    <time dateTime={v.at} title={absoluteTime(v.at)}>{relativeTime(v.at)}</time>
                  </td>
                  <td className={`${td} max-w-48`}>
                    <span className="block truncate text-fg">{v.admin.name}</span>
                    <span className="block truncate text-xs text-muted">{v.admin.email}</span>
                    {/* phones: summary and address under the name */}
                    <span className="mt-1 block text-xs break-words text-fg sm:hidden">{v.summary}</span>
                    {v.ip && <span className="block text-xs text-muted tabular-nums sm:hidden">{v.ip}</span>}
                  </td>
                  <td className={`${td} hidden whitespace-nowrap text-muted tabular-nums sm:table-cell`}>{v.ip ?? t('common.unknown')}</td>
                  <td className={`${td} hidden min-w-40 break-words text-fg sm:table-cell`}>{v.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
