import { useId } from 'react';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { MemberAvatar, memberName } from './MemberAvatar';
import type { Pool } from './types';

const num = 'w-14 pl-2 text-right text-sm whitespace-nowrap text-fg tabular-nums sm:w-20';

/** Assigned today / 7 days / all time per pool member, with each one's share as a bar. */
export function PoolReport({ pool, members }: { pool: Pool; members: Member[] }) {
  const titleId = useId();
  const total = pool.members.reduce((a, m) => a + (m.assigned?.all_time ?? 0), 0);
  return (
    <section data-testid="pool-report" aria-labelledby={titleId} className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <h3 id={titleId} className="text-sm font-medium text-fg">{t('pool.report')}</h3>
        <p className="text-xs text-muted">{total ? t('pool.reportHint') : t('pool.reportEmpty')}</p>
      </div>
      {pool.members.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full">
            <thead>
              <tr className="text-[11px] font-medium tracking-wide text-faint uppercase">
                <th scope="col" className="pb-1.5 text-left font-medium"><span className="sr-only">{t('pool.members')}</span></th>
                <th scope="col" className="pb-1.5 pl-2 text-right font-medium whitespace-nowrap">{t('pool.today')}</th>
                <th scope="col" className="pb-1.5 pl-2 text-right font-medium whitespace-nowrap">{t('pool.week')}</th>
                <th scope="col" className="pb-1.5 pl-2 text-right font-medium whitespace-nowrap">{t('pool.allTime')}</th>
              </tr>
            </thead>
            <tbody>
              {pool.members.map((pm) => {
                const member = members.find((m) => m.id === pm.member_id);
                const name = memberName(members, pm.member_id);
                const counts = pm.assigned;
                const share = total && counts ? counts.all_time / total : 0;
                return (
                  <tr key={pm.member_id} data-testid="pool-report-row" data-member-id={pm.member_id}>
                    <td className="w-full max-w-0 py-1.5 pr-3">
                      <div className="flex items-center gap-2.5">
                        <MemberAvatar member={member} name={name} className="size-7! text-[10px]!" />
                        <div className="min-w-0 flex-1">
                          <div className="flex items-baseline justify-between gap-2">
                            <span className="truncate text-sm text-fg">{name}</span>
                            {counts && <span className="text-xs text-faint tabular-nums">{Math.round(share * 100)}%</span>}
                          </div>
                          <div className="mt-1 h-1.5 overflow-hidden rounded-full bg-subtle" aria-hidden>
                            <div className="h-full rounded-full bg-brand-500" style={{ width: `${share * 100}%` }} />
                          </div>
                        </div>
                      </div>
                    </td>
                    <td data-testid="report-today" className={num}>{counts ? counts.today : '—'}</td>
                    <td data-testid="report-week" className={num}>{counts ? counts.last_7_days : '—'}</td>
                    <td data-testid="report-all" className={num}>{counts ? counts.all_time : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
