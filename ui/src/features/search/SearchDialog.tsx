import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import * as RD from '@radix-ui/react-dialog';
import { useNavigate } from 'react-router';
import { LoaderCircle, Search, X } from 'lucide-react';
import { Button } from '../../components/Button';
import { t } from '../../lib/i18n';
import { groupHits, MIN_QUERY, useSearch, type SearchHit, type SearchKind, type SearchSort } from './api';
import { SearchBody } from './SearchBody';
import { SearchControls } from './SearchControls';
import { hitId } from './SearchResults';
import { useDebounced } from './useDebounced';

export interface SearchState {
  text: string;
  kind: SearchKind;
  sort: SearchSort;
}

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  state: SearchState;
  onState: (s: SearchState) => void;
}

/** Where a hit leads: the thread, scrolled to the message for message hits. */
export function hitPath(h: SearchHit): string {
  const base = `/inbox/${h.conversation_id}`;
  return h.kind === 'message' && !h.note && h.message_id ? `${base}?message=${encodeURIComponent(h.message_id)}` : base;
}

/** Command-palette search over messages, notes and contacts (full screen on phones). */
export function SearchDialog({ open, onOpenChange, state, onState }: Props) {
  return (
    <RD.Root open={open} onOpenChange={onOpenChange}>
      <RD.Portal>
        <RD.Overlay className="animate-fade-in fixed inset-0 z-50 bg-zinc-950/50 backdrop-blur-[2px] dark:bg-black/70" />
        <RD.Content
          data-testid="search-dialog"
          aria-describedby={undefined}
          className="animate-pop-in fixed inset-0 z-50 flex flex-col bg-surface focus:outline-none sm:inset-auto sm:top-[10dvh] sm:left-1/2 sm:max-h-[80dvh] sm:w-[min(42rem,calc(100vw-2rem))] sm:-translate-x-1/2 sm:rounded-xl sm:border sm:border-line sm:shadow-2xl"
        >
          <RD.Title className="sr-only">{t('search.title')}</RD.Title>
          <Palette state={state} onState={onState} onClose={() => onOpenChange(false)} />
        </RD.Content>
      </RD.Portal>
    </RD.Root>
  );
}

function Palette({ state, onState, onClose }: { state: SearchState; onState: (s: SearchState) => void; onClose: () => void }) {
  const navigate = useNavigate();
  const inputRef = useRef<HTMLInputElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const q = useDebounced(state.text.trim(), 200);
  const search = useSearch(q, state.kind, state.sort);
  const groups = useMemo(() => groupHits(search.data?.pages.flatMap((p) => p.items) ?? []), [search.data]);
  const flat = useMemo(() => groups.flatMap((g) => g.hits), [groups]);
  const [active, setActive] = useState(0);

  // a new query starts at the top; loading more keeps the place
  useEffect(() => {
    setActive(0);
    scrollRef.current?.scrollTo({ top: 0 });
  }, [q, state.kind, state.sort]);
  useEffect(() => {
    document.getElementById(hitId(active))?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  useEffect(() => inputRef.current?.select(), []);

  const openHit = (h: SearchHit) => {
    onClose();
    navigate(hitPath(h));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (flat.length === 0) return;
      const next = active + (e.key === 'ArrowDown' ? 1 : -1);
      if (next >= flat.length && search.hasNextPage && !search.isFetchingNextPage) void search.fetchNextPage();
      setActive(Math.max(0, Math.min(flat.length - 1, next)));
    } else if (e.key === 'Enter' && flat[active]) {
      e.preventDefault();
      openHit(flat[active]);
    }
  };

  const ready = q.length >= MIN_QUERY;
  return (
    <>
      <div className="flex shrink-0 items-center gap-2 border-b border-line px-3 sm:px-4">
        <Search aria-hidden className="size-5 shrink-0 text-faint" />
        <input
          ref={inputRef}
          data-testid="search-input"
          type="search"
          value={state.text}
          onChange={(e) => onState({ ...state, text: e.target.value })}
          onKeyDown={onKeyDown}
          placeholder={t('search.placeholder')}
          aria-label={t('search.placeholder')}
          role="combobox"
          aria-expanded={ready && flat.length > 0}
          aria-controls="search-results"
          aria-activedescendant={ready && flat[active] ? hitId(active) : undefined}
          autoComplete="off"
          spellCheck={false}
          className="h-14 min-w-0 flex-1 bg-transparent text-base text-fg placeholder:text-faint focus:outline-none [&::-webkit-search-cancel-button]:hidden"
        />
        {ready && search.isFetching && !search.isFetchingNextPage && (
          <LoaderCircle aria-hidden data-testid="search-loading" className="size-4 shrink-0 animate-spin text-faint" />
        )}
        <kbd className="hidden rounded-md border border-line-strong bg-subtle px-1.5 py-0.5 font-mono text-[11px] text-muted sm:inline">Esc</kbd>
        <RD.Close asChild>
          <Button variant="ghost" size="icon" aria-label={t('common.close')} className="-mr-1 sm:hidden">
            <X />
          </Button>
        </RD.Close>
      </div>
      <SearchControls kind={state.kind} sort={state.sort} onKind={(kind) => onState({ ...state, kind })} onSort={(sort) => onState({ ...state, sort })} />
      <div ref={scrollRef} className="min-h-0 flex-1 overflow-y-auto overscroll-contain p-2 sm:min-h-40">
        <SearchBody q={q} typing={state.text.trim() !== q} search={search} groups={groups} active={active} onActive={setActive} onOpen={openHit} />
      </div>
    </>
  );
}
