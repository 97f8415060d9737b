import { memo } from 'react';
import clsx from 'clsx';
import { MessageSquareText, NotebookPen, UserRound } from 'lucide-react';
import { Avatar } from '../../components/Avatar';
import { Badge } from '../../components/Badge';
import { t } from '../../lib/i18n';
import { contactLabel, listTime } from '../inbox/format';
import type { SearchGroup, SearchHit } from './api';
import { decodeEntities, Snippet } from './Snippet';

export const hitId = (i: number) => `search-hit-${i}`;

interface Props {
  groups: SearchGroup[];
  active: number;
  onActive: (i: number) => void;
  onOpen: (hit: SearchHit) => void;
}

/** Conversations with their hits; hits are numbered across groups for the keyboard. */
export function SearchResults({ groups, active, onActive, onOpen }: Props) {
  let n = 0;
  return (
    <div role="listbox" id="search-results" aria-label={t('search.results')} className="space-y-3">
      {groups.map((g) => {
        const first = n;
        n += g.hits.length;
        return (
          <section key={g.conversationId} data-testid="search-group" data-conversation-id={g.conversationId} role="group" aria-label={contactLabel(g.contact)}>
            <header className="flex items-center gap-2 px-2 pb-1">
              <Avatar name={contactLabel(g.contact)} className="size-6 text-[10px]" />
              <span className="min-w-0 truncate text-sm font-semibold text-fg">{contactLabel(g.contact)}</span>
              {g.contact.name && g.contact.phone && <span className="shrink-0 text-xs text-muted tabular-nums">{g.contact.phone}</span>}
            </header>
            <ul className="space-y-0.5">
              {g.hits.map((h, j) => (
                <Hit key={`${h.kind}:${h.message_id ?? j}`} hit={h} index={first + j} active={active === first + j} onActive={onActive} onOpen={onOpen} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

interface HitProps {
  hit: SearchHit;
  index: number;
  active: boolean;
  onActive: (i: number) => void;
  onOpen: (hit: SearchHit) => void;
}

const Hit = memo(function Hit({ hit, index, active, onActive, onOpen }: HitProps) {
  const contact = hit.kind === 'contact';
  const Icon = contact ? UserRound : hit.note ? NotebookPen : MessageSquareText;
  // phone and email under a contact hit, unless the snippet already shows them
  const shown = contact ? decodeEntities(hit.snippet) : '';
  const extra = contact ? [hit.contact.phone, hit.contact.email].filter((v) => v && !shown.includes(v)).join(' · ') : '';
  return (
    <li
      id={hitId(index)}
      role="option"
      aria-selected={active}
      data-testid="search-hit"
      data-kind={hit.kind}
      data-message-id={hit.message_id}
      data-active={active || undefined}
      onMouseMove={() => !active && onActive(index)}
      onClick={() => onOpen(hit)}
      className={clsx(
        'flex cursor-pointer items-start gap-2.5 rounded-lg px-2 py-2 text-sm',
        active ? 'bg-brand-50 ring-1 ring-brand-200 dark:bg-brand-950/60 dark:ring-brand-800' : 'hover:bg-subtle',
      )}
    >
      <Icon aria-hidden className={clsx('mt-0.5 size-4 shrink-0', active ? 'text-brand-600 dark:text-brand-300' : 'text-faint')} />
      <div className="min-w-0 flex-1">
        <Snippet text={hit.snippet} className="line-clamp-2 break-words text-fg" />
        {extra && <p className="mt-0.5 truncate text-xs text-muted tabular-nums">{extra}</p>}
      </div>
      <div className="flex shrink-0 flex-col items-end gap-1">
        {!contact && <time dateTime={hit.created_at} className="text-[11px] text-faint tabular-nums">{listTime(hit.created_at)}</time>}
        {hit.note && (
          <Badge tone="amber" className="px-1.5 py-0 text-[10px]">
            {t('search.note')}
          </Badge>
        )}
      </div>
    </li>
  );
});
