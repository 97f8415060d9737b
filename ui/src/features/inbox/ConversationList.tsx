import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { SearchX } from 'lucide-react';
import { Button } from '../../components/Button';
import { Spinner } from '../../components/Spinner';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { ConversationRow, ROW_HEIGHT } from './ConversationRow';
import type { Conversation } from './types';

interface Props {
  rows: Conversation[];
  activeId: string | undefined;
  onOpen: (id: string) => void;
  members: Map<string, Member>;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  /** A text filter is on: no automatic paging (it would pull in every page), a button instead. */
  filtered: boolean;
}

/** Virtualised rows of fixed height; asks for the next page near the end. */
export function ConversationList({ rows, activeId, onOpen, members, hasMore, loadingMore, loadMore, filtered }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (i) => rows[i].id,
  });
  const items = virt.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;

  useEffect(() => {
    if (!filtered && hasMore && !loadingMore && lastIndex >= rows.length - 15) loadMore();
  }, [filtered, hasMore, loadingMore, lastIndex, rows.length, loadMore]);

  // keep the selected row in view when the selection changes (j/k, deep links), not when rows move
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  useEffect(() => {
    const i = activeId ? rowsRef.current.findIndex((r) => r.id === activeId) : -1;
    if (i >= 0) virt.scrollToIndex(i, { align: 'auto' });
  }, [activeId, virt]);

  return (
    <div ref={scrollRef} data-testid="conversation-list" className="min-h-0 flex-1 overflow-y-auto" aria-label={t('inbox.listLabel')}>
      {rows.length === 0 && filtered && (
        <div className="flex flex-col items-center gap-2 px-6 py-12 text-center text-sm text-muted">
          <SearchX aria-hidden className="size-6 text-faint" />
          {t('inbox.noMatch')}
        </div>
      )}
      <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
        {items.map((v) => {
          const conv = rows[v.index];
          return (
            <div key={v.key} style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${v.start}px)` }}>
              <ConversationRow
                conv={conv}
                active={conv.id === activeId}
                assigneeName={conv.assignee_id ? (members.get(conv.assignee_id)?.name ?? null) : null}
                onOpen={onOpen}
              />
            </div>
          );
        })}
      </div>
      {loadingMore ? (
        <div className="flex justify-center py-3">
          <Spinner />
        </div>
      ) : (
        filtered &&
        hasMore && (
          <div className="flex justify-center py-3">
            <Button variant="secondary" size="sm" data-testid="list-load-more" onClick={loadMore}>
              {t('inbox.loadMore')}
            </Button>
          </div>
        )
      )}
    </div>
  );
}
