import { useEffect, useState } from 'react';
import { useLocation } from 'react-router';
import { Search } from 'lucide-react';
import { t } from '../../lib/i18n';
import { searchAriaKeys, searchHotkey } from './hotkey';
import { SearchDialog, type SearchState } from './SearchDialog';

function typing(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}


/**
 * The search box in the app header, plus its keys: Ctrl-K / Cmd-K anywhere,
 * "/" when not typing. In the inbox "/" keeps focusing the list filter (its own shortcut).
 */
export function SearchLauncher() {
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<SearchState>({ text: '', kind: 'all', sort: 'best' });
  const { pathname } = useLocation();
  const inbox = pathname === '/inbox' || pathname.startsWith('/inbox/');

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey) return;
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setOpen((o) => !o);
      } else if (e.key === '/' && !e.ctrlKey && !e.metaKey && !inbox && !typing(e.target) && !document.querySelector('[role="dialog"]')) {
        e.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [inbox]);

  return (
    <>
      <button
        type="button"
        data-testid="search-open"
        onClick={() => setOpen(true)}
        aria-label={t('search.open')}
        aria-keyshortcuts={searchAriaKeys}
        title={`${t('search.open')} (${searchHotkey})`}
        className="focus-ring inline-flex size-9 shrink-0 items-center justify-center rounded-lg text-muted transition-colors hover:bg-subtle hover:text-fg md:h-9 md:w-56 md:justify-start md:gap-2 md:border md:border-line md:bg-canvas md:px-3 md:text-sm lg:w-64"
      >
        <Search aria-hidden className="size-4 shrink-0" />
        <span className="hidden flex-1 truncate text-left text-faint md:inline">{t('search.placeholderShort')}</span>
        <kbd className="hidden rounded border border-line-strong bg-surface px-1.5 font-mono text-[10px] leading-4 text-muted md:inline">{searchHotkey}</kbd>
      </button>
      <SearchDialog open={open} onOpenChange={setOpen} state={state} onState={setState} />
    </>
  );
}
