import { FileUp } from 'lucide-react';
import { Card, CardHeader, PageHeader } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useCancelImport, useImportList } from './api';
import { ImportRow } from './ImportRow';
import { UploadCard } from './UploadCard';

export function ImportList() {
  const list = useImportList();
  const cancel = useCancelImport();
  const items = list.data?.items ?? [];

  let body;
  if (list.isPending) {
    body = (
      <div className="space-y-2 p-4">
        {[0, 1, 2].map((i) => <Skeleton key={i} className="h-12 w-full" />)}
      </div>
    );
  } else if (list.isError) {
    body = (
      <div className="p-4">
        <FormError message={`${t('imports.loadFailed')}: ${errorMessage(list.error)}`} />
      </div>
    );
  } else if (items.length === 0) {
    body = <EmptyState icon={FileUp} title={t('imports.emptyTitle')} body={t('imports.emptyBody')} />;
  } else {
    body = (
      <ul className="divide-y divide-line">
        {items.map((job) => (
          <ImportRow key={job.id} job={job} onCancel={(id) => cancel.mutate(id)} cancelling={cancel.isPending && cancel.variables === job.id} />
        ))}
      </ul>
    );
  }

  return (
    <div className="mx-auto max-w-4xl">
      <PageHeader title={t('imports.title')} description={t('imports.subtitle')} />
      <div className="space-y-6">
        <UploadCard />
        <Card>
          <CardHeader title={t('imports.listTitle')} />
          {cancel.isError && (
            <div className="px-5 pt-4">
              <FormError message={errorMessage(cancel.error)} />
            </div>
          )}
          {body}
        </Card>
      </div>
    </div>
  );
}
