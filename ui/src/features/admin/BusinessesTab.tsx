import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Building2, Plus, Search } from 'lucide-react';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ConfirmDialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { Skeleton } from '../../components/Spinner';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useMediaQuery } from '../../lib/useMediaQuery';
import { useDebounced } from '../search/useDebounced';
import { useStartSupport } from '../support/api';
import { useBusinesses, useUpdateBusiness } from './api';
import { BusinessCards, BusinessTable, type RowActions } from './BusinessTable';
import { CreateBusinessDialog } from './CreateBusinessDialog';
import { LimitsDialog } from './LimitsDialog';
import type { BusinessAdminView } from './types';

export function BusinessesTab() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [typed, setTyped] = useState(q);
  const debounced = useDebounced(typed, 300);
  useEffect(() => {
    if (debounced.trim() !== q) setParams(debounced.trim() ? { q: debounced.trim() } : {}, { replace: true });
  }, [debounced]); // only a new debounced value writes the URL

  const list = useBusinesses(q);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const wide = useMediaQuery('(min-width: 768px)');
  const update = useUpdateBusiness();
  const support = useStartSupport();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [limitsOf, setLimitsOf] = useState<BusinessAdminView | null>(null);
  const [suspending, setSuspending] = useState<BusinessAdminView | null>(null);
  const [opening, setOpening] = useState<string | null>(null);

  const actions: RowActions = {
    openReadOnly: (b) => {
      setOpening(b.id);
      support.mutate(b.id, {
        onError: (e) => {
          setOpening(null);
          toast.error(errorMessage(e));
        },
      });
    },
    editLimits: setLimitsOf,
    toggleSuspend: (b) => {
      update.reset();
      setSuspending(b);
    },
    opening,
  };

  const confirmSuspend = () => {
    if (!suspending) return;
    const suspended = !suspending.suspended;
    update.mutate(
      { id: suspending.id, patch: { suspended } },
      {
        onSuccess: (b) => {
          setSuspending(null);
          toast.success(t(suspended ? 'admin.suspended' : 'admin.resumed', { name: b.name }));
        },
      },
    );
  };

  let body;
  if (list.isPending) {
    body = <div className="space-y-2 p-4">{[0, 1, 2, 3].map((i) => <Skeleton key={i} className="h-10 w-full" />)}</div>;
  } else if (list.isError && rows.length === 0) {
    body = <div className="p-4"><FormError message={errorMessage(list.error)} testId="admin-businesses-error" /></div>;
  } else if (rows.length === 0) {
    body = <EmptyState icon={Building2} title={q ? t('admin.biz.noMatch') : t('admin.biz.empty')} body={q ? t('admin.biz.noMatchBody') : undefined} />;
  } else {
    body = wide ? <BusinessTable rows={rows} actions={actions} /> : <BusinessCards rows={rows} actions={actions} />;
  }

  return (
    <div data-testid="admin-businesses" className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <div className="relative min-w-0 flex-1 sm:max-w-sm">
          <Search aria-hidden className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-faint" />
          <Input
            type="search"
            data-testid="admin-businesses-search"
            aria-label={t('admin.biz.search')}
            placeholder={t('admin.biz.search')}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            className="pl-9"
          />
        </div>
        <Button data-testid="admin-create-business" onClick={() => setCreating(true)} className="ml-auto">
          <Plus aria-hidden />
          {t('admin.biz.create')}
        </Button>
      </div>
      <Card className="overflow-hidden">{body}</Card>
      {list.isFetchNextPageError && <FormError message={errorMessage(list.error)} />}
      {list.hasNextPage && (
        <div className="flex justify-center">
          <Button variant="secondary" loading={list.isFetchingNextPage} onClick={() => list.fetchNextPage()}>
            {t('audit.more')}
          </Button>
        </div>
      )}
      {creating && <CreateBusinessDialog onClose={() => setCreating(false)} />}
      {limitsOf && <LimitsDialog business={limitsOf} onClose={() => setLimitsOf(null)} />}
      <ConfirmDialog
        open={suspending !== null}
        onOpenChange={(open) => !open && setSuspending(null)}
        title={t(suspending?.suspended ? 'admin.resumeTitle' : 'admin.suspendTitle', { name: suspending?.name ?? '' })}
        body={t(suspending?.suspended ? 'admin.resumeBody' : 'admin.suspendBody')}
        confirmLabel={t(suspending?.suspended ? 'admin.resume' : 'admin.suspend')}
        busy={update.isPending}
        error={update.isError ? errorMessage(update.error) : null}
        onConfirm={confirmSuspend}
      />
    </div>
  );
}
