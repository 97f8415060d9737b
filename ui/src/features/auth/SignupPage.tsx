import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router';
import { MailCheck } from 'lucide-react';
import { AuthShell } from '../../components/AuthShell';
import { Button } from '../../components/Button';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { api, ApiError } from '../../lib/api';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { authLink } from './ForgotPage';

type F = 'business_name' | 'name' | 'email' | 'password';
const FIELDS: readonly F[] = ['business_name', 'name', 'email', 'password'];
type Body = Record<F, string>;

/** Self-service sign-up (server.signup = open): a new business and its owner, verified by email. */
export default function SignupPage() {
  const [form, setForm] = useState<Body>({ business_name: '', name: '', email: '', password: '' });
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const signup = useMutation({
    mutationFn: (body: Body) => api.post<{ status: string }>('/api/auth/signup', body, { redirectOn401: false }),
    onError: (e) => {
      if (e instanceof ApiError && e.code === 'signup_closed') return setFormError(t('signup.closed'));
      if (e instanceof ApiError && e.status === 429) return setFormError(t('forgot.tooMany'));
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
    });
    setErrors(found ?? {});
    if (found) return;
    signup.mutate({
      business_name: form.business_name.trim(),
      name: form.name.trim(),
      email: form.email.trim(),
      password: form.password,
    });
  }

  const back = (
    <p className="text-center text-sm text-muted">
      {t('signup.haveAccount')}{' '}
      <Link to="/login" className={authLink}>
        {t('signup.signIn')}
      </Link>
    </p>
  );

  return (
    <AuthShell title={t('signup.title')} subtitle={t('signup.subtitle')}>
      {signup.isSuccess ? (
        <div className="space-y-5">
          <div role="status" data-testid="signup-sent" className="flex gap-3 rounded-lg border border-brand-200 bg-brand-50 px-3 py-3 text-sm text-brand-900 dark:border-brand-900 dark:bg-brand-950/50 dark:text-brand-100">
            <MailCheck aria-hidden className="mt-0.5 size-4 shrink-0" />
            <p>{t('signup.sent', { email: form.email.trim() })}</p>
          </div>
          {back}
        </div>
      ) : (
        <form noValidate onSubmit={submit} data-testid="signup-form" className="space-y-4">
          <FormError message={formError} testId="signup-error" />
          <Field label={t('setup.businessName')} error={errors.business_name}>
            <Input data-testid="signup-business" autoFocus autoComplete="organization" placeholder={t('setup.businessNamePlaceholder')} value={form.business_name} onChange={update('business_name')} />
          </Field>
          <Field label={t('setup.name')} error={errors.name}>
            <Input data-testid="signup-name" autoComplete="name" value={form.name} onChange={update('name')} />
          </Field>
          <Field label={t('setup.email')} error={errors.email}>
            <Input data-testid="signup-email" type="email" inputMode="email" autoComplete="username" value={form.email} onChange={update('email')} />
          </Field>
          <Field label={t('setup.password')} error={errors.password} hint={t('setup.passwordHint')}>
            <Input data-testid="signup-password" type="password" autoComplete="new-password" value={form.password} onChange={update('password')} />
          </Field>
          <Button type="submit" data-testid="signup-submit" loading={signup.isPending} className="mt-2 w-full">
            {signup.isPending ? t('signup.submitting') : t('signup.submit')}
          </Button>
          {back}
        </form>
      )}
    </AuthShell>
  );
}
