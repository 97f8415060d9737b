import { useState } from 'react';
import { useNavigate } from 'react-router';
import { Plus, Upload, Workflow } from 'lucide-react';
import { Button, buttonClass } from '../../components/Button';
import { Card, PageHeader } from '../../components/Card';
import { ConfirmDialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { useToast } from '../../components/Toast';
import { ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useMediaQuery } from '../../lib/useMediaQuery';
import { useChannelNumbers } from '../channels/api';
import { useCreateFlow, useDeleteFlow, useDisableAnyFlow, useDuplicateFlow, useFlows } from './api';
import { readFlowFile } from './io';
import { FlowCards, FlowTable, type RowApi } from './FlowRows';
import { NewFlowDialog } from './NewFlowDialog';
import type { FlowSummary } from './types';

export function FlowList() {
  const flows = useFlows();
  const numbers = useChannelNumbers();
  const navigate = useNavigate();
  const toast = useToast();
  const wide = useMediaQuery('(min-width: 768px)');
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<FlowSummary | null>(null);
  const del = useDeleteFlow();
  const dup = useDuplicateFlow();
  const disable = useDisableAnyFlow();
  const create = useCreateFlow();
  const byNumber = new Map((numbers.data?.items ?? []).map((n) => [n.id, n.display_phone_number]));
  const rows = flows.data?.items ?? [];

  const api: RowApi = {
    open: (f) => navigate(`/flows/${f.id}`),
    number: (f) => (f.whatsapp_number_id ? (byNumber.get(f.whatsapp_number_id) ?? t('common.unknown')) : t('common.unknown')),
    duplicate: (f) => dup.mutateAsync(f.id).then(() => toast.success(t('flows.duplicated')), (e) => toast.error(errorMessage(e))),
    disable: (f) => disable.mutateAsync(f.id).then(() => toast.success(t('flows.disabledNow')), (e) => toast.error(errorMessage(e))),
    remove: (f) => setDeleting(f),
  };

  /** An exported file becomes a new draft flow on the first number. */
  async function importNew(file: File) {
    try {
      const f = await readFlowFile(file);
      const created = await create.mutateAsync({
        name: f.name || file.name.replace(/\.json$/i, ''),
        whatsapp_number_id: numbers.data?.items[0]?.id ?? null,
        nodes: f.nodes,
        edges: f.edges,
        ...(f.options ? { options: f.options } : {}),
      });
      navigate(`/flows/${created.id}`);
    } catch (e) {
      toast.error(errorMessage(e));
    }
  }

  let body;
  if (flows.isPending) body = <div className="space-y-2 p-4">{[0, 1, 2].map((i) => <Skeleton key={i} className="h-12 w-full" />)}</div>;
  else if (flows.isError)
    body =
      flows.error instanceof ApiError && flows.error.status === 404 ? (
        <EmptyState icon={Workflow} title={t('flows.unavailableTitle')} body={t('flows.unavailableBody')} />
      ) : (
        <div className="p-4"><FormError message={errorMessage(flows.error)} /></div>
      );
  else if (rows.length === 0)
    body = (
      <EmptyState
        icon={Workflow}
        title={t('flows.emptyTitle')}
        body={t('flows.emptyBody')}
        action={<Button onClick={() => setCreating(true)}><Plus aria-hidden />{t('flows.new')}</Button>}
      />
    );
  else body = wide ? <FlowTable rows={rows} api={api} /> : <FlowCards rows={rows} api={api} />;

  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8">
        <PageHeader
          title={t('flows.title')}
          description={t('flows.subtitle')}
          action={
            <div className="flex flex-wrap gap-2">
              <label className={buttonClass('secondary', 'md', 'relative cursor-pointer has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-500')}>
                <Upload aria-hidden />
                {t('flows.importNew')}
                <input
                  type="file"
                  accept="application/json,.json"
                  data-testid="flow-import-new"
                  className="sr-only"
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    if (f) void importNew(f);
                    e.target.value = '';
                  }}
                />
              </label>
              <Button data-testid="flow-new" onClick={() => setCreating(true)}>
                <Plus aria-hidden />
                {t('flows.new')}
              </Button>
            </div>
          }
        />
        <Card className="overflow-hidden">{body}</Card>
      </div>
      <NewFlowDialog open={creating} onOpenChange={setCreating} />
      <ConfirmDialog
        open={deleting != null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('flows.deleteTitle')}
        body={t('flows.deleteBody', { name: deleting?.name ?? '' })}
        confirmLabel={t('flows.delete')}
        busy={del.isPending}
        error={del.error ? errorMessage(del.error) : null}
        onConfirm={() => deleting && del.mutateAsync(deleting.id).then(() => setDeleting(null), () => undefined)}
      />
    </div>
  );
}
