import clsx from 'clsx';
import { useMemo } from 'react';
import { t } from '../../lib/i18n';
import { useQuickReplies } from './api';
import type { QuickReply } from './types';

export function useQuickReplyMatches(query: string | null): QuickReply[] {
  const q = useQuickReplies();
  return useMemo(() => {
    if (query === null) return [];
    const needle = query.toLowerCase();
    // A shortcut that starts with what was typed comes first: `/ho` means /hours, not a text holding "ho".
    const rank = (r: QuickReply) => {
      const shortcut = r.shortcut.toLowerCase().replace(/^\//, '');
      if (shortcut.startsWith(needle)) return 0;
      if (shortcut.includes(needle)) return 1;
      return r.text.toLowerCase().includes(needle) ? 2 : 3;
    };
    return (q.data?.items ?? [])
      .map((r) => ({ r, rank: rank(r) }))
      .filter((x) => x.rank < 3)
      .sort((a, b) => a.rank - b.rank)
      .map((x) => x.r)
      .slice(0, 8);
  }, [q.data, query]);
}

export function QuickReplyPopup({ items, active, onPick }: { items: QuickReply[]; active: number; onPick: (q: QuickReply) => void }) {
  return (
    <div
      data-testid="quick-replies"
      role="listbox"
      aria-label={t('composer.quickReplies')}
      className="animate-fade-in absolute right-3 bottom-full left-3 z-20 mb-1 max-h-64 overflow-y-auto rounded-xl border border-line bg-surface p-1 shadow-lg sm:right-auto sm:w-96"
    >
      <p className="px-2.5 pt-1 pb-1.5 text-[11px] font-medium tracking-wide text-faint uppercase">{t('composer.quickReplies')}</p>
      {items.map((q, i) => (
        <button
          key={q.id}
          type="button"
          role="option"
          aria-selected={i === active}
          data-testid="quick-reply"
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => onPick(q)}
          className={clsx('block w-full rounded-lg px-2.5 py-1.5 text-left', i === active ? 'bg-brand-50 dark:bg-brand-950/70' : 'hover:bg-subtle')}
        >
          <span className="block text-xs font-semibold text-brand-700 dark:text-brand-300">/{q.shortcut}</span>
          <span className="line-clamp-2 text-sm text-fg">{q.text}</span>
        </button>
      ))}
    </div>
  );
}
