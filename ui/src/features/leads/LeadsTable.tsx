import type { KeyboardEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { Mail, Phone } from 'lucide-react';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { absoluteTime, relativeTime } from './format';
import { LeadStatus, SourceBadge } from './SourceBadge';
import type { Lead } from './types';

const th = 'px-3 py-2.5 text-left text-xs font-medium tracking-wide whitespace-nowrap text-faint uppercase';
const td = 'px-3 py-2.5 align-middle text-sm';

function useRow(members: Member[]) {
  const navigate = useNavigate();
  const byId = new Map(members.map((m) => [m.id, m.name]));
  return {
    open: (l: Lead) => navigate(`/inbox/${l.conversation_id}`),
    onKey: (l: Lead) => (e: KeyboardEvent) => {
      if (e.key === 'Enter' && e.target === e.currentTarget) navigate(`/inbox/${l.conversation_id}`);
    },
    name: (l: Lead) => l.contact.name?.trim() || l.contact.phone || l.contact.email || t('common.unknown'),
    assignee: (l: Lead) => (l.assignee_id ? (byId.get(l.assignee_id) ?? t('pool.formerMember')) : t('leads.unassigned')),
  };
}

function Created({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={absoluteTime(iso)} className="whitespace-nowrap">
      {relativeTime(iso)}
    </time>
  );
}

export function LeadsTable({ rows, members }: { rows: Lead[]; members: Member[] }) {
  const r = useRow(members);
  return (
    <div className="overflow-x-auto">
      <table data-testid="leads-table" className="w-full">
        <thead className="border-b border-line bg-subtle/60">
          <tr>
            <th scope="col" className={th}>{t('leads.col.name')}</th>
            <th scope="col" className={th}>{t('leads.phone')}</th>
            <th scope="col" className={`${th} hidden xl:table-cell`}>{t('leads.email')}</th>
            <th scope="col" className={th}>{t('leads.col.source')}</th>
            <th scope="col" className={th}>{t('leads.col.channel')}</th>
            <th scope="col" className={th}>{t('leads.col.assignee')}</th>
            <th scope="col" className={th}>{t('leads.col.status')}</th>
            <th scope="col" className={`${th} text-right`}>{t('leads.col.created')}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {rows.map((l) => (
            <tr
              key={l.conversation_id}
              data-testid="lead-row"
              data-conversation-id={l.conversation_id}
              tabIndex={0}
              onClick={() => r.open(l)}
              onKeyDown={r.onKey(l)}
              className="focus-ring cursor-pointer transition-colors hover:bg-subtle"
            >
              <td className={`${td} max-w-56`}>
                <Link to={`/inbox/${l.conversation_id}`} tabIndex={-1} onClick={(e) => e.stopPropagation()} className="block truncate font-medium text-fg hover:underline">
                  {r.name(l)}
                </Link>
                {l.contact.email && <span className="block truncate text-xs text-muted xl:hidden">{l.contact.email}</span>}
              </td>
              <td className={`${td} whitespace-nowrap text-muted tabular-nums`}>{l.contact.phone ?? '—'}</td>
              <td className={`${td} hidden max-w-56 truncate text-muted xl:table-cell`}>{l.contact.email ?? '—'}</td>
              <td className={td}><SourceBadge source={l.source} /></td>
              <td className={`${td} max-w-44 truncate text-muted`}>{l.channel?.name ?? '—'}</td>
              <td className={`${td} max-w-40 truncate ${l.assignee_id ? 'text-fg' : 'text-faint italic'}`}>{r.assignee(l)}</td>
              <td className={td}><LeadStatus status={l.status} /></td>
              <td className={`${td} text-right text-muted`}><Created iso={l.created_at} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Phone widths: one card per lead. */
export function LeadCards({ rows, members }: { rows: Lead[]; members: Member[] }) {
  const r = useRow(members);
  return (
    <ul data-testid="leads-table" className="divide-y divide-line">
      {rows.map((l) => (
        <li
          key={l.conversation_id}
          data-testid="lead-row"
          data-conversation-id={l.conversation_id}
          tabIndex={0}
          onClick={() => r.open(l)}
          onKeyDown={r.onKey(l)}
          className="focus-ring cursor-pointer space-y-1.5 px-4 py-3 active:bg-subtle"
        >
          <div className="flex items-start justify-between gap-3">
            <p className="min-w-0 truncate text-sm font-medium text-fg">{r.name(l)}</p>
            <span className="shrink-0 text-xs text-muted"><Created iso={l.created_at} /></span>
          </div>
          {(l.contact.phone || l.contact.email) && (
            <div className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-muted">
              {l.contact.phone && (
                <span className="inline-flex items-center gap-1 tabular-nums"><Phone aria-hidden className="size-3" />{l.contact.phone}</span>
              )}
              {l.contact.email && (
                <span className="inline-flex min-w-0 items-center gap-1"><Mail aria-hidden className="size-3 shrink-0" /><span className="truncate">{l.contact.email}</span></span>
              )}
            </div>
          )}
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted">
            <SourceBadge source={l.source} />
            {l.channel && <span className="max-w-40 truncate">{l.channel.name}</span>}
            <span aria-hidden>·</span>
            <span className={l.assignee_id ? 'text-fg' : 'italic'}>{r.assignee(l)}</span>
            <span className="ml-auto"><LeadStatus status={l.status} /></span>
          </div>
        </li>
      ))}
    </ul>
  );
}
