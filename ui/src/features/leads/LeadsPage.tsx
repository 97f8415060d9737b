import { useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { Download, Plus, UsersRound } from 'lucide-react';
import { Button, buttonClass } from '../../components/Button';
import { Card, PageHeader } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { ApiError, errorMessage } from '../../lib/api';
import { can, useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import { useFrames } from '../../lib/realtime';
import { useMediaQuery } from '../../lib/useMediaQuery';
import { useMembers } from '../team/api';
import { AddLeadDialog } from './AddLeadDialog';
import { exportUrl, useLeads } from './api';
import { filterQuery, leadsKey, readFilters } from './keys';
import { LeadFiltersBar } from './LeadFilters';
import { LeadCards, LeadsTable } from './LeadsTable';
import type { LeadFilters } from './types';
import { useChannelOptions } from './useChannelOptions';

export default function LeadsPage() {
  const session = useSession();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const leads = useLeads(filters);
  const members = useMembers();
  const wide = useMediaQuery('(min-width: 640px)');
  const [adding, setAdding] = useState(false);
  const rows = useMemo(() => leads.data?.pages.flatMap((p) => p.items) ?? [], [leads.data]);
  const channels = useChannelOptions(rows);
  const people = members.data?.items ?? [];
  const mayExport = session.member?.role === 'owner' || can(session, 'export');
  const filtered = Object.values(filters).some(Boolean);

  // New leads arrive as new conversations; assignment and status changes show up too.
  useFrames(
    (f) => {
      if (f.type === 'conversation.new' || f.type === 'conversation.updated') qc.invalidateQueries({ queryKey: leadsKey });
    },
    () => qc.invalidateQueries({ queryKey: leadsKey }),
  );

  const setFilters = (patch: Partial<LeadFilters>) => setParams(new URLSearchParams(filterQuery({ ...filters, ...patch })), { replace: true });

  const actions = (
    <div className="flex flex-wrap gap-2">
      {mayExport && (
        // "leads-export" is the older name of this link (kept for the tests that use it)
        <span data-testid="leads-export" className="contents">
          <a data-testid="export-leads" href={exportUrl(filters)} download className={buttonClass('secondary')}>
            <Download aria-hidden />
            {t('leads.export')}
          </a>
        </span>
      )}
      <Button data-testid="add-lead" onClick={() => setAdding(true)}>
        <Plus aria-hidden />
        {t('leads.add')}
      </Button>
    </div>
  );

  let body;
  if (leads.isPending) {
    body = (
      <div className="space-y-2 p-4">
        {[0, 1, 2, 3].map((i) => <Skeleton key={i} className="h-10 w-full" />)}
      </div>
    );
  } else if (leads.isError) {
    body =
      leads.error instanceof ApiError && leads.error.status === 404 ? (
        <EmptyState icon={UsersRound} title={t('leads.unavailableTitle')} body={t('leads.unavailableBody')} />
      ) : (
        <div className="p-4">
          <FormError message={`${t('leads.loadFailed')}: ${errorMessage(leads.error)}`} />
        </div>
      );
  } else if (rows.length === 0) {
    body = (
      <EmptyState
        icon={UsersRound}
        title={filtered ? t('leads.emptyFilteredTitle') : t('leads.emptyTitle')}
        body={filtered ? t('leads.emptyFilteredBody') : t('leads.emptyBody')}
        action={filtered ? <Button variant="secondary" onClick={() => setParams(new URLSearchParams(), { replace: true })}>{t('leads.filter.clear')}</Button> : undefined}
      />
    );
  } else {
    body = wide ? <LeadsTable rows={rows} members={people} /> : <LeadCards rows={rows} members={people} />;
  }

  return (
    <>
      <PageHeader title={t('leads.title')} description={t('leads.subtitle')} action={actions} />
      <div className="space-y-4">
        <LeadFiltersBar
          value={filters}
          onChange={setFilters}
          onClear={() => setParams(new URLSearchParams(), { replace: true })}
          channels={channels}
          members={people}
        />
        <Card className="overflow-hidden">{body}</Card>
        {leads.hasNextPage && (
          <div className="flex justify-center">
            <Button variant="secondary" data-testid="leads-more" loading={leads.isFetchingNextPage} onClick={() => leads.fetchNextPage()}>
              {t('leads.more')}
            </Button>
          </div>
        )}
      </div>
      <AddLeadDialog open={adding} onOpenChange={setAdding} members={people} />
    </>
  );
}
