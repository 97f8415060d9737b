import { useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { useCreateBusiness } from './api';
import { draftOf, LimitsFields, parseLimits, type LimitsDraft } from './LimitsDialog';

type F = 'name' | 'owner_name' | 'owner_email' | 'owner_password' | 'default_country';
const FIELDS: readonly F[] = ['name', 'owner_name', 'owner_email', 'owner_password', 'default_country'];

/** A new business and its owner (without a password the owner is sent an invitation to set one). */
export function CreateBusinessDialog({ onClose }: { onClose: () => void }) {
  const [form, setForm] = useState<Record<F, string>>({ name: '', owner_name: '', owner_email: '', owner_password: '', default_country: '' });
  const [limits, setLimits] = useState<LimitsDraft>(() => draftOf(null));
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [limitErrors, setLimitErrors] = useState<Partial<LimitsDraft>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useCreateBusiness();
  const toast = useToast();

  const update = (k: F) => (e: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [k]: e.target.value }));
    if (errors[k]) setErrors((x) => ({ ...x, [k]: undefined }));
  };

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const country = form.default_country.trim().toUpperCase();
    const found = v.collect<F>({
      name: v.required(form.name),
      owner_name: v.required(form.owner_name),
      owner_email: v.email(form.owner_email),
      owner_password: v.password(form.owner_password, true),
      default_country: country && !/^[A-Z]{2}$/.test(country) ? t('admin.create.countryInvalid') : undefined,
    });
    const parsed = parseLimits(limits);
    setErrors(found ?? {});
    setLimitErrors(parsed.errors);
    if (found || Object.keys(parsed.errors).length) return;
    create.mutate(
      {
        name: form.name.trim(),
        owner_name: form.owner_name.trim(),
        owner_email: form.owner_email.trim(),
        ...(form.owner_password ? { owner_password: form.owner_password } : {}),
        ...(country ? { default_country: country } : {}),
        limits: parsed.limits,
      },
      {
        onSuccess: (b) => {
          toast.success(t('admin.create.done', { name: b.name }));
          onClose();
        },
        onError: (err) => {
          const split = v.splitServerError(err, FIELDS, { email: 'owner_email', password: 'owner_password' });
          setErrors(split.fields);
          setFormError(split.form);
        },
      },
    );
  }

  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('admin.create.title')} description={t('admin.create.subtitle')} size="lg" testId="admin-create-dialog">
      <form noValidate onSubmit={submit} className="space-y-4">
        <FormError message={formError} />
        <Field label={t('setup.businessName')} error={errors.name}>
          <Input data-testid="admin-create-name" autoFocus value={form.name} onChange={update('name')} />
        </Field>
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field label={t('admin.create.ownerName')} error={errors.owner_name}>
            <Input data-testid="admin-create-owner-name" autoComplete="off" value={form.owner_name} onChange={update('owner_name')} />
          </Field>
          <Field label={t('admin.create.ownerEmail')} error={errors.owner_email}>
            <Input data-testid="admin-create-owner-email" type="email" inputMode="email" autoComplete="off" value={form.owner_email} onChange={update('owner_email')} />
          </Field>
          <Field label={t('admin.create.ownerPassword')} optional error={errors.owner_password} hint={t('admin.create.ownerPasswordHint')}>
            <Input data-testid="admin-create-owner-password" type="password" autoComplete="new-password" value={form.owner_password} onChange={update('owner_password')} />
          </Field>
          <Field label={t('admin.create.country')} optional error={errors.default_country} hint={t('admin.create.countryHint')}>
            <Input data-testid="admin-create-country" maxLength={2} autoComplete="off" className="uppercase" value={form.default_country} onChange={update('default_country')} />
          </Field>
        </div>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-fg">{t('admin.limits.title')}</legend>
          <p className="text-xs text-muted">{t('admin.limits.hint')}</p>
          <LimitsFields value={limits} onChange={setLimits} errors={limitErrors} />
        </fieldset>
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" data-testid="admin-create-submit" loading={create.isPending}>{t('admin.create.submit')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
