// /imports/:id for a WhatsApp chat export: preview, then "which of these is your business?".

import { useState } from 'react';
import clsx from 'clsx';
import { Info } from 'lucide-react';
import { Button } from '../../components/Button';
import { Card, CardHeader } from '../../components/Card';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { usePreview, useSaveMapping, useStartImport } from './api';
import { ChatPreviewCard } from './ChatPreviewCard';
import type { ChatPreview, ImportJob } from './types';

export function ChatMapping({ job }: { job: ImportJob }) {
  const preview = usePreview<ChatPreview>(job.id, true);
  const [who, setWho] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const save = useSaveMapping(job.id);
  const start = useStartImport(job.id);

  const submit = async () => {
    setError(null);
    setNotice(null);
    try {
      // Export times carry no zone: they are read in this browser's.
      await save.mutateAsync({ business_participant: who, tz_offset_minutes: -new Date().getTimezoneOffset() });
    } catch (e) {
      const detail = e instanceof ApiError ? e.details?.map((d) => d.message).join(' ') : '';
      return setError(detail || errorMessage(e));
    }
    try {
      await start.mutateAsync();
    } catch (e) {
      // Already started elsewhere (409): say so, the choice is saved.
      if (e instanceof ApiError && e.status === 409) setNotice(e.message);
      else setError(errorMessage(e));
    }
  };

  if (preview.isPending) return <Skeleton className="h-64 w-full" />;
  if (preview.isError) return <FormError message={errorMessage(preview.error)} />;
  const p = preview.data;
  return (
    <div className="space-y-6">
      <ChatPreviewCard preview={p} />
      <Card>
        <CardHeader title={t('imports.chat.whoTitle')} description={t('imports.chat.whoBody')} />
        <div className="space-y-4 p-5">
          <fieldset className="grid gap-2 sm:grid-cols-2">
            <legend className="sr-only">{t('imports.chat.whoTitle')}</legend>
            {p.participants.map((name) => (
              <label
                key={name}
                className={clsx(
                  'flex cursor-pointer items-center gap-3 rounded-lg border px-3 py-2.5 text-sm transition-colors hover:bg-subtle',
                  who === name ? 'border-brand-300 bg-brand-50/60 dark:border-brand-800 dark:bg-brand-950/40' : 'border-line',
                )}
              >
                <input
                  type="radio"
                  name="business"
                  data-testid="chat-participant"
                  data-name={name}
                  value={name}
                  checked={who === name}
                  onChange={() => setWho(name)}
                  className="focus-ring size-4 shrink-0 cursor-pointer accent-brand-600 dark:accent-brand-500"
                />
                <span className="min-w-0 truncate font-medium text-fg">{name}</span>
              </label>
            ))}
          </fieldset>
          <FormError message={error} testId="chat-error" />
          {notice && (
            <div role="status" data-testid="chat-notice" className="flex gap-2 rounded-lg border border-sky-200 bg-sky-50 px-3 py-2.5 text-sm text-sky-900 dark:border-sky-900/60 dark:bg-sky-950/40 dark:text-sky-100">
              <Info aria-hidden className="mt-0.5 size-4 shrink-0" />
              <span>
                <span className="font-medium">{t('imports.chat.saved', { name: who })}</span> {notice}
              </span>
            </div>
          )}
          <div className="flex justify-end border-t border-line pt-4">
            <Button data-testid="chat-save" disabled={!who} loading={save.isPending || start.isPending} onClick={submit}>
              {t('imports.chat.save')}
            </Button>
          </div>
        </div>
      </Card>
    </div>
  );
}
