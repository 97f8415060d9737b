import { useMemo, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { ScrollText } from 'lucide-react';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useMediaQuery } from '../../lib/useMediaQuery';
import { useAuditLog } from './api';
import { AuditFiltersBar } from './AuditFilters';
import { AuditCards, AuditTable } from './AuditTable';
import { filterQuery, readFilters, type AuditFilters } from './types';

interface Props {
  /** `/api/audit` (the business) or `/api/admin/audit` (the platform). */
  endpoint?: string;
  /** More query parameters kept in the URL next to the filters (the admin's `business_id`). */
  extraKeys?: readonly string[];
  /** Extra filter controls, rendered above the common ones. */
  extraFilters?: ReactNode;
  /** Names a business id for a "Business" column (platform log only). */
  businessName?: (id: string | null) => string;
}

const NO_EXTRA: readonly string[] = [];

/** Filters in the URL, the table (cards at phone width) and "Load more". */
export function AuditLog({ endpoint = '/api/audit', extraKeys = NO_EXTRA, extraFilters, businessName }: Props) {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const extra = useMemo(() => Object.fromEntries(extraKeys.map((k) => [k, params.get(k) ?? ''])), [params, extraKeys]);
  const log = useAuditLog(filters, endpoint, extra);
  const wide = useMediaQuery('(min-width: 640px)');
  const rows = useMemo(() => log.data?.pages.flatMap((p) => p.items) ?? [], [log.data]);
  const filtered = Object.values(filters).some(Boolean) || Object.values(extra).some(Boolean);

  const withExtra = (q: URLSearchParams) => {
    for (const [k, v] of Object.entries(extra)) if (v) q.set(k, v);
    return q;
  };
  const setFilters = (patch: Partial<AuditFilters>) => setParams(withExtra(new URLSearchParams(filterQuery({ ...filters, ...patch }))), { replace: true });
  const clear = () => setParams(new URLSearchParams(), { replace: true });

  let body;
  if (log.isPending) {
    body = (
      <div className="space-y-2 p-4">
        {[0, 1, 2, 3, 4].map((i) => <Skeleton key={i} className="h-10 w-full" />)}
      </div>
    );
  } else if (log.isError && rows.length === 0) {
    body = (
      <div className="p-4">
        <FormError message={errorMessage(log.error)} testId="audit-error" />
      </div>
    );
  } else if (rows.length === 0) {
    body = (
      <EmptyState
        icon={ScrollText}
        title={filtered ? t('audit.emptyTitle') : t('audit.emptyAllTitle')}
        body={filtered ? t('audit.emptyBody') : t('audit.emptyAllBody')}
        action={filtered ? <Button variant="secondary" onClick={clear}>{t('audit.filter.clear')}</Button> : undefined}
      />
    );
  } else {
    body = wide ? <AuditTable rows={rows} businessName={businessName} /> : <AuditCards rows={rows} businessName={businessName} />;
  }

  return (
    <div className="space-y-4">
      {extraFilters}
      <AuditFiltersBar value={filters} onChange={setFilters} onClear={clear} />
      <Card className="overflow-hidden">{body}</Card>
      {log.isFetchNextPageError && <FormError message={errorMessage(log.error)} testId="audit-more-error" />}
      {log.hasNextPage && (
        <div className="flex justify-center">
          <Button variant="secondary" data-testid="audit-load-more" loading={log.isFetchingNextPage} onClick={() => log.fetchNextPage()}>
            {t('audit.more')}
          </Button>
        </div>
      )}
    </div>
  );
}
