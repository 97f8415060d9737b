import clsx from 'clsx';
import { ArrowDownUp } from 'lucide-react';
import { t } from '../../lib/i18n';
import type { SearchKind, SearchSort } from './api';

const KINDS: SearchKind[] = ['all', 'messages', 'contacts'];

interface Props {
  kind: SearchKind;
  sort: SearchSort;
  onKind: (k: SearchKind) => void;
  onSort: (s: SearchSort) => void;
}

/** What to search (All / Messages / Contacts) and the order (Best / Newest). */
export function SearchControls({ kind, sort, onKind, onSort }: Props) {
  const next: SearchSort = sort === 'best' ? 'newest' : 'best';
  return (
    <div className="flex shrink-0 items-center gap-2 border-b border-line px-3 py-2 sm:px-4">
      <div role="radiogroup" aria-label={t('search.kind')} className="flex rounded-lg bg-subtle p-0.5">
        {KINDS.map((k) => (
          <button
            key={k}
            type="button"
            role="radio"
            aria-checked={kind === k}
            data-testid="search-kind"
            data-kind={k}
            onClick={() => onKind(k)}
            className={clsx(
              'focus-ring h-7 rounded-md px-2.5 text-xs font-medium transition-colors sm:px-3',
              kind === k ? 'bg-surface text-fg shadow-xs' : 'text-muted hover:text-fg',
            )}
          >
            {t(`search.kind.${k}`)}
          </button>
        ))}
      </div>
      <span className="flex-1" />
      <button
        type="button"
        data-testid="search-sort"
        data-sort={sort}
        onClick={() => onSort(next)}
        aria-label={t('search.sortBy', { sort: t(`search.sort.${sort}`) })}
        title={t('search.sortTo', { sort: t(`search.sort.${next}`) })}
        className="focus-ring inline-flex h-7 items-center gap-1.5 rounded-lg px-2 text-xs font-medium text-muted ring-1 ring-line transition-colors hover:bg-subtle hover:text-fg"
      >
        <ArrowDownUp aria-hidden className="size-3.5" />
        {t(`search.sort.${sort}`)}
      </button>
    </div>
  );
}
