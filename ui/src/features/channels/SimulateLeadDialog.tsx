import { useEffect, useId, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { sentence } from '../../lib/validate';
import type { FbPage } from './sourceTypes';
import { useSimulateLead } from './sourcesApi';

const FIELDS = ['name', 'phone', 'email'] as const;
type F = (typeof FIELDS)[number];
const EMPTY: Record<F, string> = { name: '', phone: '', email: '' };

/** Sandbox pages only: send a lead through the real signed webhook path. */
export function SimulateLeadDialog({ page, open, onOpenChange }: { page: FbPage; open: boolean; onOpenChange: (o: boolean) => void }) {
  const toast = useToast();
  const formId = useId();
  const sim = useSimulateLead(page.id);
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setValues(EMPTY);
    setErrors({});
    setFormError(null);
  }, [open]);

  const set = (f: F) => (e: React.ChangeEvent<HTMLInputElement>) => setValues((x) => ({ ...x, [f]: e.target.value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const clean = Object.fromEntries(FIELDS.map((f) => [f, values[f].trim()])) as Record<F, string>;
    if (!clean.name && !clean.phone && !clean.email) {
      setFormError(t('sources.simEmpty'));
      return;
    }
    const body = Object.fromEntries(FIELDS.filter((f) => clean[f]).map((f) => [f, clean[f]]));
    sim.mutate(body, {
      onSuccess: () => {
        toast.success(t('sources.simSent'));
        onOpenChange(false);
      },
      onError: (err) => {
        const split = v.splitServerError(err, FIELDS);
        const fields: v.FieldErrors<F> = {};
        for (const f of FIELDS) if (split.fields[f]) fields[f] = sentence(split.fields[f]);
        setErrors(fields);
        setFormError(split.form);
      },
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      testId="fb-simulate-dialog"
      title={t('sources.simTitle')}
      description={t('sources.simBody', { page: page.name })}
      size="sm"
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form={formId} loading={sim.isPending} data-testid="fb-lead-submit">
            {t('sources.simSubmit')}
          </Button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={submit} className="space-y-4">
        <FormError message={formError} />
        <p className="text-sm text-muted">{t('sources.simNeedOne')}</p>
        <Field label={t('leads.name')} error={errors.name}>
          <Input data-testid="fb-lead-name" autoComplete="off" placeholder={t('sources.simNamePlaceholder')} value={values.name} onChange={set('name')} />
        </Field>
        <Field label={t('leads.phone')} error={errors.phone}>
          <Input data-testid="fb-lead-phone" type="tel" autoComplete="off" placeholder={t('sources.simPhonePlaceholder')} value={values.phone} onChange={set('phone')} />
        </Field>
        <Field label={t('leads.email')} error={errors.email}>
          <Input data-testid="fb-lead-email" type="email" autoComplete="off" placeholder={t('sources.simEmailPlaceholder')} value={values.email} onChange={set('email')} />
        </Field>
      </form>
    </Dialog>
  );
}
