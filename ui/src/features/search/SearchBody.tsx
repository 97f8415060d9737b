import { SearchX, TextSearch } from 'lucide-react';
import { Button } from '../../components/Button';
import { Skeleton } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { MIN_QUERY, type SearchGroup, type SearchHit, type SearchQuery } from './api';
import { SearchResults } from './SearchResults';

interface Props {
  q: string;
  /** The input differs from the query shown (debounce pending). */
  typing: boolean;
  search: SearchQuery;
  groups: SearchGroup[];
  active: number;
  onActive: (i: number) => void;
  onOpen: (hit: SearchHit) => void;
}

function Note({ icon: Icon, title, body, testId }: { icon: typeof SearchX; title: string; body?: string; testId?: string }) {
  return (
    <div data-testid={testId} className="flex flex-col items-center gap-1.5 px-6 py-10 text-center">
      <Icon aria-hidden className="mb-1 size-7 text-faint" />
      <p className="text-sm font-medium text-fg">{title}</p>
      {body && <p className="max-w-xs text-xs text-muted">{body}</p>}
    </div>
  );
}

/** Hint, loading, error, empty or the results with "Load more". */
export function SearchBody({ q, typing, search, groups, active, onActive, onOpen }: Props) {
  if (q.length < MIN_QUERY) return <Note icon={TextSearch} title={t('search.hintTitle')} body={t('search.hintBody')} />;
  if (search.isPending) {
    return (
      <div role="status" aria-label={t('app.loading')} className="space-y-3 p-2">
        {[0, 1, 2].map((i) => (
          <div key={i} className="space-y-2">
            <Skeleton className="h-4 w-40" />
            <Skeleton className="h-9 w-full" />
          </div>
        ))}
      </div>
    );
  }
  if (search.isError) return <p className="p-4 text-sm text-red-600 dark:text-red-400">{errorMessage(search.error)}</p>;
  if (groups.length === 0) {
    return typing ? null : <Note testId="search-empty" icon={SearchX} title={t('search.emptyTitle', { q })} body={t('search.emptyBody')} />;
  }
  return (
    <>
      <SearchResults groups={groups} active={active} onActive={onActive} onOpen={onOpen} />
      {search.data?.pages.at(-1)?.truncated && (
        <p data-testid="search-truncated" className="px-4 pt-3 text-center text-xs text-muted">
          {t('search.truncated')}
        </p>
      )}
      {search.hasNextPage && (
        <div className="flex justify-center pt-3 pb-1">
          <Button
            variant="secondary"
            size="sm"
            data-testid="search-more"
            loading={search.isFetchingNextPage}
            onClick={() => void search.fetchNextPage()}
          >
            {t('search.more')}
          </Button>
        </div>
      )}
    </>
  );
}
