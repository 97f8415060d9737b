import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router';
import { MailCheck } from 'lucide-react';
import { AuthShell } from '../../components/AuthShell';
import { Button } from '../../components/Button';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { api, ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';

export const authLink = 'focus-ring rounded font-medium text-brand-700 hover:underline dark:text-brand-300';

export default function ForgotPage() {
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [failure, setFailure] = useState<string | null>(null);
  const forgot = useMutation({
    mutationFn: (body: { email: string }) => api.post<{ status: string }>('/api/auth/forgot', body, { redirectOn401: false }),
    onError: (e) => {
      if (e instanceof ApiError && e.status === 429) setFailure(t('forgot.tooMany'));
      else setFailure(errorMessage(e));
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    const err = v.email(email);
    setError(err);
    if (!err) forgot.mutate({ email: email.trim() });
  }

  return (
    <AuthShell title={t('forgot.title')} subtitle={t('forgot.subtitle')}>
      {forgot.isSuccess ? (
        <div className="space-y-5">
          <div role="status" data-testid="forgot-sent" className="flex gap-3 rounded-lg border border-brand-200 bg-brand-50 px-3 py-3 text-sm text-brand-900 dark:border-brand-900 dark:bg-brand-950/50 dark:text-brand-100">
            <MailCheck aria-hidden className="mt-0.5 size-4 shrink-0" />
            <p>{t('forgot.sent', { email: email.trim() })}</p>
          </div>
          <p className="text-center text-sm">
            <Link to="/login" className={authLink}>
              {t('forgot.back')}
            </Link>
          </p>
        </div>
      ) : (
        <form noValidate onSubmit={submit} className="space-y-4">
          <FormError message={failure} testId="forgot-error" />
          <Field label={t('login.email')} error={error}>
            <Input
              data-testid="forgot-email"
              type="email"
              autoFocus
              autoComplete="username"
              inputMode="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </Field>
          <Button type="submit" data-testid="forgot-submit" loading={forgot.isPending} className="mt-2 w-full">
            {t('forgot.submit')}
          </Button>
          <p className="text-center text-sm">
            <Link to="/login" className={authLink}>
              {t('forgot.back')}
            </Link>
          </p>
        </form>
      )}
    </AuthShell>
  );
}
