import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { CircleCheck } from 'lucide-react';
import { AuthShell } from '../../components/AuthShell';
import { Button, buttonClass } from '../../components/Button';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { api, ApiError } from '../../lib/api';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { authLink } from './ForgotPage';

type F = 'password' | 'password2';

export default function ResetPage() {
  const { token = '' } = useParams();
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [invalidLink, setInvalidLink] = useState(false);
  const reset = useMutation({
    mutationFn: (body: { token: string; password: string }) => api.post<{ status: string }>('/api/auth/reset', body, { redirectOn401: false }),
    onError: (e) => {
      if (e instanceof ApiError && (e.status === 400 || e.status === 404 || e.status === 410)) {
        setInvalidLink(true);
        setFailure(t('reset.invalid'));
        return;
      }
      const split = v.splitServerError(e, ['password'] as const, { new_password: 'password' });
      setErrors(split.fields);
      setFailure(split.form);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    const found = v.collect<F>({
      password: v.password(password),
      password2: password2 !== password ? t('validation.passwordMatch') : undefined,
    });
    setErrors(found ?? {});
    if (!found) reset.mutate({ token, password });
  }

  if (reset.isSuccess) {
    return (
      <AuthShell title={t('reset.doneTitle')} subtitle={t('reset.doneBody')}>
        <div data-testid="reset-done" role="status" className="space-y-5">
          <div className="flex justify-center">
            <CircleCheck aria-hidden className="size-10 text-brand-600 dark:text-brand-400" />
          </div>
          <Link to="/login" data-testid="reset-signin" className={buttonClass('primary', 'md', 'w-full')}>
            {t('reset.signIn')}
          </Link>
        </div>
      </AuthShell>
    );
  }

  return (
    <AuthShell title={t('reset.title')} subtitle={t('reset.subtitle')}>
      <form noValidate onSubmit={submit} className="space-y-4">
        <FormError message={failure} testId="reset-error" />
        {invalidLink && (
          <p className="text-sm">
            <Link to="/forgot" className={authLink}>
              {t('reset.askAgain')}
            </Link>
          </p>
        )}
        <Field label={t('reset.password')} error={errors.password} hint={t('setup.passwordHint')}>
          <Input
            data-testid="reset-password"
            type="password"
            autoFocus
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Field label={t('reset.password2')} error={errors.password2}>
          <Input
            data-testid="reset-password2"
            type="password"
            autoComplete="new-password"
            value={password2}
            onChange={(e) => setPassword2(e.target.value)}
          />
        </Field>
        <Button type="submit" data-testid="reset-submit" loading={reset.isPending} className="mt-2 w-full">
          {t('reset.submit')}
        </Button>
        <p className="text-center text-sm">
          <Link to="/login" className={authLink}>
            {t('forgot.back')}
          </Link>
        </p>
      </form>
    </AuthShell>
  );
}
