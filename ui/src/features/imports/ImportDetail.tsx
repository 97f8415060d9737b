import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ArrowLeft } from 'lucide-react';
import { PageHeader } from '../../components/Card';
import { FormError } from '../../components/Field';
import { FullPageSpinner } from '../../components/Spinner';
import { ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { NotFound } from '../../app/StatusPages';
import { useImport } from './api';
import { ChatMapping } from './ChatMapping';
import { CsvMapping } from './CsvMapping';
import { fmtSize, StatusBadge } from './parts';
import { RunView } from './RunView';
import { isOpen } from './types';

export function ImportDetail() {
  const { id = '' } = useParams();
  const q = useImport(id);
  // After a dry run the owner may adjust the mapping and import for real.
  const [remapping, setRemapping] = useState(false);
  if (q.isPending) return <FullPageSpinner />;
  if (q.isError && q.error instanceof ApiError && q.error.status === 404) return <NotFound />;
  const job = q.data;
  return (
    <div className="mx-auto max-w-5xl">
      <Link to="/imports" className="focus-ring mb-3 inline-flex items-center gap-1.5 rounded text-sm text-muted hover:text-fg">
        <ArrowLeft aria-hidden className="size-4" />
        {t('imports.back')}
      </Link>
      {!job ? (
        <FormError message={errorMessage(q.error)} />
      ) : (
        <>
          <PageHeader
            title={job.file_name}
            description={`${job.kind === 'chat' ? t('imports.kind.chat') : t('imports.kind.csv')} · ${fmtSize(job.size)}`}
            action={<StatusBadge status={job.status} />}
          />
          {isOpen(job.status) ? (
            job.kind === 'chat' ? <ChatMapping job={job} /> : <CsvMapping job={job} />
          ) : remapping && job.kind === 'csv' && job.status === 'completed' && job.dry_run ? (
            <CsvMapping job={job} />
          ) : (
            <RunView job={job} onRemap={() => setRemapping(true)} />
          )}
        </>
      )}
    </div>
  );
}
