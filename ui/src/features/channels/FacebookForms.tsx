import clsx from 'clsx';
import { Import } from 'lucide-react';
import { Button } from '../../components/Button';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { FbPage, ImportProgress } from './sourceTypes';
import { useImports, useStartImport } from './sourcesApi';

function ProgressBar({ p }: { p: ImportProgress }) {
  const done = p.rows_done + p.rows_failed;
  const pct = p.rows_total ? Math.min(100, Math.round((done / p.rows_total) * 100)) : null;
  const label =
    p.status === 'completed'
      ? t('sources.importDone', { done: p.rows_done, failed: p.rows_failed })
      : p.status === 'failed'
        ? t('sources.importFailed', { done: p.rows_done })
        : p.rows_total
          ? t('sources.importRunning', { done, total: p.rows_total })
          : t('sources.importStarting', { done });
  return (
    <div data-testid="fb-import-progress" data-status={p.status} className="space-y-1">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={p.status === 'completed' ? 100 : (pct ?? undefined)}
        className="h-1.5 overflow-hidden rounded-full bg-subtle"
      >
        <div
          className={clsx(
            'h-full rounded-full transition-[width]',
            p.status === 'failed' ? 'bg-red-500' : 'bg-brand-500',
            pct === null && p.status === 'running' && 'w-1/3 animate-pulse',
          )}
          style={pct !== null || p.status !== 'running' ? { width: `${p.status === 'completed' ? 100 : (pct ?? 100)}%` } : undefined}
        />
      </div>
      <p className={clsx('text-xs', p.status === 'failed' ? 'text-red-600 dark:text-red-400' : 'text-muted')}>{label}</p>
    </div>
  );
}

/** The page's lead forms, each with "Import existing leads" and the progress of the last import. */
export function FacebookForms({ page }: { page: FbPage }) {
  const toast = useToast();
  const start = useStartImport(page.id);
  const imports = useImports();
  if (page.forms.length === 0) return <p className="text-sm text-muted">{t('sources.fbNoForms')}</p>;
  const latest = (formId: string) =>
    [...(page.imports ?? []), ...Object.values(imports)]
      .filter((i) => i.page_id === page.id && i.form_id === formId)
      .pop();
  return (
    <div className="space-y-1.5">
      <p className="text-sm font-medium text-fg">{t('sources.fbForms')}</p>
      <ul className="divide-y divide-line rounded-lg border border-line">
        {page.forms.map((f) => {
          const p = latest(f.id);
          const running = p?.status === 'running';
          return (
            <li key={f.id} data-testid="fb-form" data-form-id={f.id} className="space-y-2 px-3 py-2.5">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span className="min-w-0 truncate text-sm text-fg">{f.name}</span>
                <Button
                  variant="secondary"
                  size="sm"
                  data-testid="fb-import"
                  loading={start.isPending && start.variables === f.id}
                  disabled={running}
                  onClick={() =>
                    start.mutate(f.id, {
                      onSuccess: () => toast.success(t('sources.importStarted', { form: f.name })),
                      onError: (e) => toast.error(errorMessage(e)),
                    })
                  }
                >
                  <Import aria-hidden />
                  {t('sources.import')}
                </Button>
              </div>
              {p && <ProgressBar p={p} />}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
