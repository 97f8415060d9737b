import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { AuthShell } from '../../components/AuthShell';
import { Button } from '../../components/Button';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { api, ApiError } from '../../lib/api';
import { setupKey, useSignedIn } from '../../lib/auth';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';

const FIELDS = ['business_name', 'name', 'email', 'password', 'password_confirm'] as const;
type F = (typeof FIELDS)[number];

export default function SetupPage() {
  const [form, setForm] = useState<Record<F, string>>({
    business_name: '',
    name: '',
    email: '',
    password: '',
    password_confirm: '',
  });
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const signedIn = useSignedIn();
  const qc = useQueryClient();
  const toast = useToast();

  const setup = useMutation({
    mutationFn: (body: { business_name: string; name: string; email: string; password: string }) =>
      api.post('/api/setup', body),
    onSuccess: async () => {
      // The setup gate then leaves /setup, and /login moves on to the app.
      await signedIn();
      toast.success(t('setup.done'));
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 409) {
        // already set up: the setup gate sends us to /login with a notice
        qc.setQueryData(setupKey, { setup_required: false });
        return;
      }
      const split = v.splitServerError(e, FIELDS);
      setErrors(split.fields);
      setFormError(split.form);
    },
  });

  const update = (field: F) => (e: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [field]: e.target.value }));
    if (errors[field]) setErrors((x) => ({ ...x, [field]: undefined }));
  };

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const found = v.collect<F>({
      business_name: v.required(form.business_name),
      name: v.required(form.name),
      email: v.email(form.email),
      password: v.password(form.password),
      password_confirm:
        v.required(form.password_confirm) ??
        (form.password_confirm !== form.password ? t('validation.passwordMatch') : undefined),
    });
    setErrors(found ?? {});
    if (found) return;
    setup.mutate({
      business_name: form.business_name.trim(),
      name: form.name.trim(),
      email: form.email.trim(),
      password: form.password,
    });
  }

  return (
    <AuthShell title={t('setup.title')} subtitle={t('setup.subtitle')}>
      <form noValidate onSubmit={submit} className="space-y-4">
        <FormError message={formError} />
        <Field label={t('setup.businessName')} error={errors.business_name}>
          <Input
            data-testid="setup-business-name"
            autoFocus
            autoComplete="organization"
            placeholder={t('setup.businessNamePlaceholder')}
            value={form.business_name}
            onChange={update('business_name')}
          />
        </Field>
        <Field label={t('setup.name')} error={errors.name}>
          <Input data-testid="setup-name" autoComplete="name" value={form.name} onChange={update('name')} />
        </Field>
        <Field label={t('setup.email')} error={errors.email}>
          <Input
            data-testid="setup-email"
            type="email"
            autoComplete="email"
            inputMode="email"
            value={form.email}
            onChange={update('email')}
          />
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('setup.password')} error={errors.password} hint={t('setup.passwordHint')}>
            <Input
              data-testid="setup-password"
              type="password"
              autoComplete="new-password"
              value={form.password}
              onChange={update('password')}
            />
          </Field>
          <Field label={t('setup.passwordConfirm')} error={errors.password_confirm}>
            <Input
              data-testid="setup-password-confirm"
              type="password"
              autoComplete="new-password"
              value={form.password_confirm}
              onChange={update('password_confirm')}
            />
          </Field>
        </div>
        <Button type="submit" data-testid="setup-submit" loading={setup.isPending} className="mt-2 w-full">
          {setup.isPending ? t('setup.submitting') : t('setup.submit')}
        </Button>
      </form>
    </AuthShell>
  );
}
