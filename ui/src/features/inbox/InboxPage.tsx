import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import * as RD from '@radix-ui/react-dialog';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { MessagesSquare } from 'lucide-react';
import { Spinner } from '../../components/Spinner';
import { ApiError, errorMessage } from '../../lib/api';
import { can, useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import { useMediaQuery } from '../../lib/useMediaQuery';
import type { Member, Session } from '../../lib/types';
import { useMembers } from '../team/api';
import { exportUrl, useConversation, useConversationList, useNumbers } from './api';
import { ContactPanel } from './ContactPanel';
import { ConversationList } from './ConversationList';
import { InboxEmpty, NoConversationOpen } from './InboxEmpty';
import { NotifyBanner, ShortcutHelp, SimulatorLink } from './InboxChrome';
import { ListToolbar } from './ListToolbar';
import { QuickRepliesButton } from './QuickRepliesDialog';
import { Thread } from './Thread';
import { useInboxShortcuts } from './shortcuts';
import type { ListFilters, View } from './types';
import { viewsFor } from './views';

export { viewsFor };

const FILTERS_KEY = 'wf_inbox_filters';

function initialFilters(views: View[], s: Session): ListFilters {
  try {
    const saved = JSON.parse(localStorage.getItem(FILTERS_KEY) ?? 'null') as ListFilters | null;
    if (saved && views.includes(saved.view)) return { view: saved.view, status: saved.status ?? 'open', number_id: saved.number_id ?? '', label: saved.label ?? '' };
  } catch {
    // ignore
  }
  return { view: views.includes('all') && s.member?.role === 'owner' ? 'all' : 'mine', status: 'open', number_id: '', label: '' };
}

export default function InboxPage() {
  const session = useSession();
  const navigate = useNavigate();
  const activeId = useParams()['*'] || undefined;
  // ?message=<id>: open the thread at that message (from search); dropped once there
  const [params, setParams] = useSearchParams();
  const target = params.get('message');
  const targetDone = useCallback(() => setParams({}, { replace: true }), [setParams]);
  const views = useMemo(() => viewsFor(session), [session]);
  const [filters, setFilters] = useState<ListFilters>(() => initialFilters(views, session));
  const [text, setText] = useState('');
  const [unreadFirst, setUnreadFirst] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const wide = useMediaQuery('(min-width: 640px)');
  const xl = useMediaQuery('(min-width: 1280px)');
  const [panelOpen, setPanelOpen] = useState(() => localStorage.getItem('wf_contact_panel') !== '0');
  const [drawerOpen, setDrawerOpen] = useState(false);
  const filterRef = useRef<HTMLInputElement>(null);

  useEffect(() => localStorage.setItem(FILTERS_KEY, JSON.stringify(filters)), [filters]);

  const list = useConversationList(filters);
  const conv = useConversation(activeId);
  const members = useMembers();
  const numbers = useNumbers();
  const memberList = useMemo(() => members.data?.items ?? [], [members.data]);
  const memberMap = useMemo(() => new Map<string, Member>(memberList.map((m) => [m.id, m])), [memberList]);

  const all = useMemo(() => {
    const seen = new Set<string>();
    return (list.data?.pages ?? []).flatMap((p) => p.items).filter((c) => !seen.has(c.id) && seen.add(c.id));
  }, [list.data]);
  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    let out = needle
      ? all.filter(
          (c) =>
            c.contact.name?.toLowerCase().includes(needle) ||
            c.contact.phone?.toLowerCase().includes(needle) ||
            c.last_message?.text?.toLowerCase().includes(needle),
        )
      : all;
    if (unreadFirst) out = [...out.filter((c) => c.unread_count > 0), ...out.filter((c) => c.unread_count === 0)];
    return out;
  }, [all, text, unreadFirst]);
  const labels = useMemo(() => {
    const set = new Set<string>(filters.label ? [filters.label] : []);
    for (const c of all) for (const l of c.labels) set.add(l);
    return [...set].sort();
  }, [all, filters.label]);

  // a filtered page can come back empty with a cursor: keep going until something shows or the end
  const emptyButMore = all.length === 0 && Boolean(list.hasNextPage);
  useEffect(() => {
    if (emptyButMore && !list.isFetchingNextPage) void list.fetchNextPage();
  }, [emptyButMore, list]);

  const open = useCallback((id: string) => navigate(`/inbox/${id}`), [navigate]);
  const loadMore = useCallback(() => void list.fetchNextPage(), [list]);
  useInboxShortcuts({ rows, activeId, open, filterRef, onHelp: () => setHelpOpen((o) => !o) });

  const togglePanel = () => {
    if (xl) {
      setPanelOpen((o) => {
        localStorage.setItem('wf_contact_panel', o ? '0' : '1');
        return !o;
      });
    } else setDrawerOpen((o) => !o);
  };

  const isOwner = session.member?.role === 'owner';
  const defaultFilters = !filters.label && !filters.number_id && filters.status === 'open';
  const showList = wide || !activeId;
  const showThread = wide || Boolean(activeId);
  const current = conv.data && conv.data.id === activeId ? conv.data : undefined;

  return (
    <div className="flex h-full min-h-0">
      {showList && (
        <div className="flex min-h-0 w-full flex-col border-r border-line bg-surface sm:w-80 sm:shrink-0 2xl:w-96">
          <div className="flex h-12 shrink-0 items-center gap-2 border-b border-line px-3">
            <h1 className="text-base font-semibold text-fg">{t('inbox.title')}</h1>
            <span className="flex-1" />
            {isOwner && <SimulatorLink label={false} className="p-1.5" />}
            {(isOwner || session.member?.role === 'lead') && <QuickRepliesButton />}
            <ShortcutHelp open={helpOpen} onOpenChange={setHelpOpen} />
          </div>
          <NotifyBanner />
          <ListToolbar
            ref={filterRef}
            filters={filters}
            onFilters={setFilters}
            views={views}
            text={text}
            onText={setText}
            unreadFirst={unreadFirst}
            onUnreadFirst={setUnreadFirst}
            numbers={numbers.data?.items ?? []}
            labels={labels}
            exportHref={isOwner || can(session, 'export') ? exportUrl(filters) : undefined}
          />
          {list.isPending || emptyButMore ? (
            <div data-testid="conversation-list" className="flex flex-1 items-center justify-center">
              <Spinner label={t('app.loading')} />
            </div>
          ) : list.isError ? (
            <p data-testid="conversation-list" className="p-4 text-sm text-red-600 dark:text-red-400">
              {errorMessage(list.error)}
            </p>
          ) : all.length === 0 ? (
            <div data-testid="conversation-list" className="min-h-0 flex-1 overflow-y-auto">
              <InboxEmpty owner={isOwner} view={filters.view} filtered={!defaultFilters} />
            </div>
          ) : (
            <ConversationList
              rows={rows}
              activeId={activeId}
              onOpen={open}
              members={memberMap}
              hasMore={Boolean(list.hasNextPage)}
              loadingMore={list.isFetchingNextPage}
              loadMore={loadMore}
              filtered={Boolean(text.trim())}
            />
          )}
        </div>
      )}
      {showThread && (
        <div className="flex min-h-0 min-w-0 flex-1">
          {!activeId ? (
            <NoConversationOpen owner={isOwner} />
          ) : current ? (
            <>
              <Thread
                conv={current}
                members={memberMap}
                onBack={wide ? undefined : () => navigate('/inbox')}
                onTogglePanel={togglePanel}
                panelOpen={xl ? panelOpen : drawerOpen}
                target={target}
                onTargetDone={targetDone}
              />
              {xl && panelOpen && (
                <div className="w-72 shrink-0 border-l border-line 2xl:w-80">
                  <ContactPanel conv={current} members={memberList} />
                </div>
              )}
              {!xl && (
                <RD.Root open={drawerOpen} onOpenChange={setDrawerOpen}>
                  <RD.Portal>
                    <RD.Overlay className="animate-fade-in fixed inset-0 z-40 bg-zinc-950/50 dark:bg-black/70" />
                    <RD.Content className="fixed inset-y-0 right-0 z-50 w-80 max-w-[90vw] border-l border-line shadow-2xl focus:outline-none">
                      <RD.Title className="sr-only">{t('contact.title')}</RD.Title>
                      <RD.Description className="sr-only">{t('contact.title')}</RD.Description>
                      <ContactPanel conv={current} members={memberList} onClose={() => setDrawerOpen(false)} />
                    </RD.Content>
                  </RD.Portal>
                </RD.Root>
              )}
            </>
          ) : conv.isError ? (
            <div className="flex flex-1 flex-col items-center justify-center gap-2 p-6 text-center text-sm text-muted">
              <MessagesSquare aria-hidden className="size-6 text-faint" />
              {conv.error instanceof ApiError && conv.error.status === 404 ? t('inbox.notFound') : errorMessage(conv.error)}
            </div>
          ) : (
            <div className="flex flex-1 items-center justify-center">
              <Spinner label={t('app.loading')} />
            </div>
          )}
        </div>
      )}
    </div>
  );
}
