import { TriangleExclamationPoint } from 'lucide-react';
import clsx from 'clsx';
import { Badge } from '../../components/Badge';
import { t } from '../../lib/i18n';
import { absoluteTime, relativeTime } from '../leads/format';
import { deviceLabel } from '../profile/PushDevices';
import { actionLabel, actorLabel, WARNING_ACTIONS, type AuditEntry } from './types';

const th = 'px-3 py-2.5 text-left text-xs font-medium tracking-wide whitespace-nowrap text-faint uppercase first:pl-5 last:pr-5';
const td = 'px-3 py-3 align-top text-sm first:pl-5 last:pr-5';

function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={absoluteTime(iso)} className="whitespace-nowrap">
      {relativeTime(iso)}
    </time>
  );
}

function Who({ entry }: { entry: AuditEntry }) {
  const user = entry.actor.type === 'user';
  return (
    <span className={clsx('block truncate', user ? 'text-fg' : 'text-muted italic')} title={actorLabel(entry.actor)}>
      {actorLabel(entry.actor)}
    </span>
  );
}

export function ActionBadge({ action }: { action: string }) {
  const warn = WARNING_ACTIONS.has(action);
  return (
    <Badge tone={warn ? 'amber' : 'neutral'} className={warn ? 'font-semibold' : undefined}>
      {warn && <TriangleExclamationPoint aria-hidden className="size-3" />}
      <span data-action={action}>{actionLabel(action)}</span>
    </Badge>
  );
}

function Device({ ua }: { ua: string | null }) {
  if (!ua) return <span className="text-faint">{t('common.unknown')}</span>;
  return <span title={ua}>{deviceLabel(ua)}</span>;
}

const warnRow = (e: AuditEntry) => WARNING_ACTIONS.has(e.action) && 'bg-amber-50/60 dark:bg-amber-950/20';

type BusinessName = ((id: string | null) => string) | undefined;

export function AuditTable({ rows, businessName }: { rows: AuditEntry[]; businessName?: BusinessName }) {
  return (
    <div className="overflow-x-auto">
      <table data-testid="audit-table" className="w-full">
        <thead className="border-b border-line bg-subtle/60">
          <tr>
            <th scope="col" className={th}>{t('audit.col.time')}</th>
            {businessName && <th scope="col" className={th}>{t('audit.col.business')}</th>}
            <th scope="col" className={th}>{t('audit.col.who')}</th>
            <th scope="col" className={th}>{t('audit.col.action')}</th>
            <th scope="col" className={th}>{t('audit.col.summary')}</th>
            <th scope="col" className={`${th} hidden lg:table-cell`}>{t('audit.col.ip')}</th>
            <th scope="col" className={`${th} hidden lg:table-cell`}>{t('audit.col.device')}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {rows.map((e) => (
            <tr key={e.id} data-testid="audit-row" data-action={e.action} className={clsx('transition-colors hover:bg-subtle/50', warnRow(e))}>
              <td className={`${td} text-muted`}><When iso={e.created_at} /></td>
              {businessName && <td className={`${td} max-w-44 truncate text-muted`} data-testid="audit-business">{businessName(e.business_id)}</td>}
              <td className={`${td} max-w-56`}><Who entry={e} /></td>
              <td className={td}><ActionBadge action={e.action} /></td>
              <td className={`${td} min-w-48 text-fg`}>
                <span className="break-words">{e.summary}</span>
                <span className="mt-0.5 block truncate text-xs text-muted lg:hidden">
                  {[e.ip, e.user_agent ? deviceLabel(e.user_agent) : null].filter(Boolean).join(' · ')}
                </span>
              </td>
              <td className={`${td} hidden whitespace-nowrap text-muted tabular-nums lg:table-cell`}>{e.ip ?? <span className="text-faint">{t('common.unknown')}</span>}</td>
              <td className={`${td} hidden max-w-44 truncate text-muted lg:table-cell`}><Device ua={e.user_agent} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Phone widths: one card per entry. */
export function AuditCards({ rows, businessName }: { rows: AuditEntry[]; businessName?: BusinessName }) {
  return (
    <ul data-testid="audit-table" className="divide-y divide-line">
      {rows.map((e) => (
        <li key={e.id} data-testid="audit-row" data-action={e.action} className={clsx('space-y-1.5 px-4 py-3', warnRow(e))}>
          <div className="flex items-start justify-between gap-3">
            <ActionBadge action={e.action} />
            <span className="shrink-0 text-xs text-muted"><When iso={e.created_at} /></span>
          </div>
          <p className="text-sm break-words text-fg">{e.summary}</p>
          <div className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-0.5 text-xs text-muted">
            {businessName && (
              <>
                <span className="min-w-0 max-w-full truncate" data-testid="audit-business">{businessName(e.business_id)}</span>
                <span aria-hidden>·</span>
              </>
            )}
            <span className="min-w-0 max-w-full"><Who entry={e} /></span>
            {e.ip && (
              <>
                <span aria-hidden>·</span>
                <span className="tabular-nums">{e.ip}</span>
              </>
            )}
            {e.user_agent && (
              <>
                <span aria-hidden>·</span>
                <Device ua={e.user_agent} />
              </>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
