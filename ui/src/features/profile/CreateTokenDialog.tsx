import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Check, Copy, TriangleExclamationPoint } from 'lucide-react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { t } from '../../lib/i18n';
import type { CreatedToken } from '../../lib/types';
import * as v from '../../lib/validate';
import { useCreateToken } from './api';

async function copyText(text: string, fallback: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // no clipboard API (plain http): select the text and use the legacy command
    fallback?.select();
    return document.execCommand?.('copy') ?? false;
  }
}

export function CreateTokenDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const create = useCreateToken();
  const formId = useId();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [copied, setCopied] = useState(false);
  const tokenRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (open) {
      setName('');
      setError(undefined);
      setFormError(null);
      setCreated(null);
      setCopied(false);
    }
  }, [open]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const problem = v.required(name);
    setError(problem);
    setFormError(null);
    if (problem) return;
    create.mutate(name.trim(), {
      onSuccess: (token) => setCreated(token),
      onError: (err) => {
        const split = v.splitServerError(err, ['name'] as const);
        setError(split.fields.name);
        setFormError(split.form);
      },
    });
  }

  async function copy() {
    if (created && (await copyText(created.token, tokenRef.current))) {
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    }
  }

  if (created) {
    return (
      <Dialog
        open={open}
        onOpenChange={onOpenChange}
        title={t('tokens.createdTitle')}
        testId="token-created"
        footer={<Button onClick={() => onOpenChange(false)}>{t('tokens.done')}</Button>}
      >
        <div className="space-y-4">
          <div className="flex gap-3 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2.5 text-sm text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-100">
            <TriangleExclamationPoint aria-hidden className="mt-0.5 size-4 shrink-0" />
            <p>{t('tokens.createdWarning')}</p>
          </div>
          <div className="flex gap-2">
            <Input
              ref={tokenRef}
              readOnly
              value={created.token}
              data-testid="token-value"
              aria-label={created.name}
              onFocus={(e) => e.currentTarget.select()}
              className="font-mono text-xs"
            />
            <Button variant="secondary" onClick={copy} data-testid="token-copy">
              {copied ? <Check aria-hidden /> : <Copy aria-hidden />}
              {copied ? t('common.copied') : t('common.copy')}
            </Button>
          </div>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('tokens.createTitle')}
      description={t('tokens.subtitle')}
      size="sm"
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form={formId} loading={create.isPending} data-testid="token-submit">
            {t('tokens.create')}
          </Button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={submit} className="space-y-4">
        <FormError message={formError} />
        <Field label={t('tokens.name')} error={error}>
          <Input
            data-testid="token-name"
            autoFocus
            placeholder={t('tokens.namePlaceholder')}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
      </form>
    </Dialog>
  );
}
