import { useState } from 'react';
import clsx from 'clsx';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { Spinner } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useSend, useTemplates } from './api';
import { fieldError } from './Composer';
import type { Conversation, Template } from './types';

export function templateBody(tpl: Template): string {
  return tpl.components.find((c) => c.type.toLowerCase() === 'body')?.text ?? '';
}

export function fillTemplate(body: string, params: string[]): string {
  return body.replace(/\{\{\s*(\d+)\s*\}\}/g, (m, n: string) => params[Number(n) - 1] || m);
}

export function TemplatePicker({ conv, onClose }: { conv: Conversation; onClose: () => void }) {
  const q = useTemplates(conv.number_id);
  const send = useSend(conv.id);
  const [picked, setPicked] = useState<Template | null>(null);
  const [params, setParams] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const approved = (q.data?.items ?? []).filter((x) => x.status.toUpperCase() === 'APPROVED');

  const choose = (tpl: Template) => {
    setPicked(tpl);
    setParams(Array.from({ length: tpl.parameters }, () => ''));
    setError(null);
  };
  const complete = picked ? params.every((p) => p.trim()) : false;

  const submit = () => {
    if (!picked || !complete) return;
    send.mutate(
      { type: 'template', template: { name: picked.name, language: picked.language, parameters: params.map((p) => p.trim()) } },
      { onSuccess: onClose, onError: (e) => setError(fieldError(e)) },
    );
  };

  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={t('templates.title')}
      description={t('templates.subtitle')}
      size="lg"
      testId="template-picker"
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button data-testid="template-send" disabled={!complete} loading={send.isPending} onClick={submit}>
            {t('templates.send')}
          </Button>
        </>
      }
    >
      {!conv.number_id ? (
        <p className="text-sm text-muted">{t('templates.noNumber')}</p>
      ) : q.isPending ? (
        <Spinner label={t('app.loading')} />
      ) : q.isError ? (
        <FormError message={errorMessage(q.error)} />
      ) : approved.length === 0 ? (
        <p className="text-sm text-muted">{t('templates.none')}</p>
      ) : (
        <div className="grid gap-4 sm:grid-cols-[minmax(0,14rem)_1fr]">
          <ul className="max-h-72 space-y-1 overflow-y-auto">
            {approved.map((tpl) => (
              <li key={`${tpl.name}/${tpl.language}`}>
                <button
                  type="button"
                  data-testid="template-option"
                  data-name={tpl.name}
                  onClick={() => choose(tpl)}
                  className={clsx(
                    'focus-ring w-full rounded-lg px-3 py-2 text-left',
                    picked === tpl ? 'bg-brand-50 ring-1 ring-brand-300 dark:bg-brand-950/70 dark:ring-brand-800' : 'hover:bg-subtle',
                  )}
                >
                  <span className="block truncate text-sm font-medium text-fg">{tpl.name}</span>
                  <span className="block text-xs text-muted">
                    {tpl.language} · {tpl.category.toLowerCase()}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <div className="min-w-0 space-y-3">
            {picked ? (
              <>
                {params.map((p, i) => (
                  <label key={i} className="block space-y-1">
                    <span className="text-xs font-medium text-muted">{t('templates.param', { n: i + 1 })}</span>
                    <Input
                      data-testid="template-param"
                      value={p}
                      autoFocus={i === 0}
                      onChange={(e) => setParams((xs) => xs.map((x, j) => (j === i ? e.target.value : x)))}
                      onKeyDown={(e) => e.key === 'Enter' && submit()}
                    />
                  </label>
                ))}
                <div>
                  <p className="mb-1 text-xs font-medium text-muted">{t('templates.preview')}</p>
                  <p data-testid="template-preview" className="rounded-xl rounded-br-md bg-brand-100 px-3 py-2 text-sm whitespace-pre-wrap text-brand-950 dark:bg-brand-900 dark:text-brand-50">
                    {fillTemplate(templateBody(picked), params)}
                  </p>
                </div>
              </>
            ) : (
              <p className="text-sm text-muted">{t('templates.pick')}</p>
            )}
            <FormError message={error} />
          </div>
        </div>
      )}
    </Dialog>
  );
}
