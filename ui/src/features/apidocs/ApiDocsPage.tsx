import { useDeferredValue, useMemo, useState } from 'react';
import { BookOpen, Search } from 'lucide-react';
import { Card } from '../../components/Card';
import { PageHeader } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { Skeleton } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { byTag, matches, operations, useOpenApi } from './openapi';
import { OperationRow } from './OperationRow';

/** The API reference, rendered from /api/openapi.json: operations by tag, with a filter. */
export default function ApiDocsPage() {
  const doc = useOpenApi();
  const [filter, setFilter] = useState('');
  const deferred = useDeferredValue(filter);
  const all = useMemo(() => (doc.data ? operations(doc.data) : []), [doc.data]);
  const groups = useMemo(() => byTag(all.filter((op) => matches(op, deferred))), [all, deferred]);
  const shown = groups.reduce((n, [, ops]) => n + ops.length, 0);

  let body;
  if (doc.isPending) body = <div className="space-y-3">{[0, 1, 2].map((i) => <Skeleton key={i} className="h-24 w-full" />)}</div>;
  else if (doc.isError) body = <FormError message={errorMessage(doc.error)} testId="api-docs-error" />;
  else if (shown === 0) body = <Card><EmptyState icon={BookOpen} title={t('apiDocs.noMatch')} body={t('apiDocs.noMatchBody')} /></Card>;
  else
    body = (
      <div className="space-y-6">
        {groups.map(([tag, ops]) => (
          <Card key={tag} className="overflow-hidden">
            <section aria-labelledby={`api-tag-${tag}`} data-testid="api-docs-tag" data-tag={tag}>
              <h2 id={`api-tag-${tag}`} className="flex items-baseline gap-2 border-b border-line bg-subtle/60 px-5 py-3 text-sm font-semibold text-fg">
                {tag}
                <span className="text-xs font-normal text-faint">{t('apiDocs.count', { n: ops.length })}</span>
              </h2>
              <ul className="divide-y divide-line">
                {ops.map((op) => <OperationRow key={op.key} op={op} />)}
              </ul>
            </section>
          </Card>
        ))}
      </div>
    );

  return (
    <div data-testid="api-docs">
      <PageHeader
        title={t('apiDocs.title')}
        description={doc.data?.info?.version ? t('apiDocs.subtitleVersion', { version: doc.data.info.version }) : t('apiDocs.subtitle')}
        action={
          <a href="/api/openapi.json" target="_blank" rel="noreferrer" className="focus-ring rounded text-sm font-medium text-brand-700 hover:underline dark:text-brand-300">
            {t('apiDocs.raw')}
          </a>
        }
      />
      <div className="mb-6 flex flex-wrap items-center gap-3">
        <div className="relative w-full min-w-0 sm:w-auto sm:max-w-md sm:flex-1">
          <Search aria-hidden className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-faint" />
          <Input
            type="search"
            data-testid="api-docs-filter"
            aria-label={t('apiDocs.filter')}
            placeholder={t('apiDocs.filter')}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            className="pl-9"
          />
        </div>
        {doc.data && (
          <p role="status" className="text-sm text-muted">
            {t('apiDocs.shown', { shown, total: all.length })}
          </p>
        )}
      </div>
      {body}
    </div>
  );
}
