import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ExternalLink, FlaskConical, Smartphone } from 'lucide-react';
import clsx from 'clsx';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { ApiError } from '../../lib/api';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { useCreateNumber } from './api';

const FIELDS = ['phone_number_id', 'display_phone_number', 'waba_id', 'access_token'] as const;
type F = (typeof FIELDS)[number];
type Kind = 'meta' | 'sandbox';

const EMPTY: Record<F, string> = { phone_number_id: '', display_phone_number: '', waba_id: '', access_token: '' };


export function AddNumberDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const toast = useToast();
  const formId = useId();
  const create = useCreateNumber();
  const [kind, setKind] = useState<Kind>('meta');
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setKind('meta');
    setValues(EMPTY);
    setErrors({});
    setFormError(null);
    create.reset();
  }, [open]); // reset on open only

  const set = (f: F) => (e: React.ChangeEvent<HTMLInputElement>) => setValues((x) => ({ ...x, [f]: e.target.value }));

  function onServerError(e: unknown) {
    if (e instanceof ApiError && e.status === 409) {
      setErrors({ phone_number_id: t('addNumber.conflict') });
      setFormError(null);
      return;
    }
    const split = v.splitServerError(e, FIELDS);
    const fields: v.FieldErrors<F> = {};
    for (const f of FIELDS) if (split.fields[f]) fields[f] = v.sentence(split.fields[f]);
    setErrors(fields);
    setFormError(split.form);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const clean = Object.fromEntries(FIELDS.map((f) => [f, values[f].trim()])) as Record<F, string>;
    const done = {
      onSuccess: (n: { display_phone_number: string }) => {
        toast.success(t('addNumber.added', { number: n.display_phone_number }));
        onOpenChange(false);
      },
      onError: onServerError,
    };
    if (kind === 'sandbox') {
      setErrors({});
      create.mutate(
        { sandbox: true, ...(clean.display_phone_number ? { display_phone_number: clean.display_phone_number } : {}) },
        done,
      );
      return;
    }
    const found = v.collect<F>({
      phone_number_id: v.required(clean.phone_number_id),
      display_phone_number: v.required(clean.display_phone_number),
      waba_id: v.required(clean.waba_id),
      access_token: v.required(values.access_token),
    });
    setErrors(found ?? {});
    if (found) return;
    create.mutate(clean, done);
  }

  const choice = (k: Kind, testId: string, Icon: typeof Smartphone, title: string, hint: string) => (
    <button
      type="button"
      role="radio"
      aria-checked={kind === k}
      data-testid={testId}
      onClick={() => {
        setKind(k);
        setErrors({});
        setFormError(null);
      }}
      className={clsx(
        'focus-ring flex cursor-pointer items-start gap-3 rounded-lg border p-3 text-left transition-colors',
        kind === k
          ? 'border-brand-500 bg-brand-50 ring-1 ring-brand-500 dark:border-brand-400 dark:bg-brand-950/60 dark:ring-brand-400'
          : 'border-line-strong bg-surface hover:bg-subtle',
      )}
    >
      <Icon aria-hidden className={clsx('mt-0.5 size-5 shrink-0', kind === k ? 'text-brand-600 dark:text-brand-300' : 'text-faint')} />
      <span className="min-w-0">
        <span className="block text-sm font-medium text-fg">{title}</span>
        <span className="mt-0.5 block text-xs text-muted">{hint}</span>
      </span>
    </button>
  );

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      testId="add-number-dialog"
      title={t('addNumber.title')}
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form={formId} loading={create.isPending} data-testid="number-submit">
            {kind === 'meta' ? t('addNumber.submitMeta') : t('addNumber.submitSandbox')}
          </Button>
        </>
      }
    >
      <div role="radiogroup" aria-label={t('addNumber.choice')} className="mb-5 grid gap-2 sm:grid-cols-2">
        {choice('meta', 'add-meta', Smartphone, t('addNumber.meta'), t('addNumber.metaHint'))}
        {choice('sandbox', 'add-sandbox', FlaskConical, t('addNumber.sandbox'), t('addNumber.sandboxHint'))}
      </div>
      <form id={formId} noValidate onSubmit={submit} className="space-y-4">
        <FormError message={formError} testId="number-error" />
        {kind === 'meta' ? (
          <>
            <Field label={t('addNumber.phoneNumberId')} error={errors.phone_number_id} hint={t('addNumber.phoneNumberIdHint')}>
              <Input data-testid="number-phone-number-id" inputMode="numeric" autoComplete="off" value={values.phone_number_id} onChange={set('phone_number_id')} />
            </Field>
            <Field label={t('addNumber.display')} error={errors.display_phone_number} hint={t('addNumber.displayHint')}>
              <Input data-testid="number-display" type="tel" autoComplete="off" placeholder={t('addNumber.displayPlaceholder')} value={values.display_phone_number} onChange={set('display_phone_number')} />
            </Field>
            <Field label={t('addNumber.wabaId')} error={errors.waba_id} hint={t('addNumber.wabaIdHint')}>
              <Input data-testid="number-waba-id" inputMode="numeric" autoComplete="off" value={values.waba_id} onChange={set('waba_id')} />
            </Field>
            <Field label={t('addNumber.token')} error={errors.access_token} hint={t('addNumber.tokenHint')}>
              <Input data-testid="number-token" type="password" autoComplete="new-password" spellCheck={false} value={values.access_token} onChange={set('access_token')} />
            </Field>
          </>
        ) : (
          <>
            <p className="rounded-lg border border-line bg-subtle px-3 py-2.5 text-sm text-muted">
              {t('addNumber.sandboxExplain')}{' '}
              <Link to="/simulator" onClick={() => onOpenChange(false)} className="inline-flex items-center gap-1 font-medium text-accent underline-offset-2 hover:underline">
                {t('channels.openSimulator')}
                <ExternalLink aria-hidden className="size-3.5" />
              </Link>
            </p>
            <Field label={t('addNumber.display')} error={errors.display_phone_number} hint={t('addNumber.displaySandboxHint')} optional>
              <Input data-testid="number-display" type="tel" autoComplete="off" placeholder={t('addNumber.displayPlaceholder')} value={values.display_phone_number} onChange={set('display_phone_number')} />
            </Field>
          </>
        )}
      </form>
    </Dialog>
  );
}
