import { useEffect, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Link, useLocation, useSearchParams } from 'react-router';
import { AuthShell } from '../../components/AuthShell';
import { Button } from '../../components/Button';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { api, ApiError, errorMessage } from '../../lib/api';
import { useSignedIn } from '../../lib/auth';
import { t, type MessageKey } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { safeNext, useProviders } from './api';
import { authLink } from './ForgotPage';
import { GoogleButton, OrDivider } from './GoogleButton';

type F = 'email' | 'password';
interface LoginState {
  notice?: string;
  from?: string;
}

/** ?error= codes the server's redirects (Google, email verification) bring back here. */
const RETURN_ERRORS: Record<string, MessageKey> = {
  google_failed: 'login.error.googleFailed',
  email_unverified: 'login.error.emailUnverified',
  google_email_unverified: 'login.error.googleEmailUnverified',
  no_account: 'login.error.noAccount',
  verification_invalid: 'login.error.verificationInvalid',
  facebook_signed_out: 'login.error.facebookSignedOut',
};

export default function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [retryUntil, setRetryUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const location = useLocation();
  const state = (location.state ?? {}) as LoginState;
  const [params] = useSearchParams();
  const providers = useProviders();
  const signedIn = useSignedIn();
  const next = safeNext(params.get('next')) ?? safeNext(state.from) ?? '/';
  const returnError = params.get('error');
  const returned = returnError ? t(RETURN_ERRORS[returnError] ?? 'login.error.googleFailed') : null;
  const verified = params.get('verified') === '1';

  const waitSeconds = retryUntil ? Math.max(0, Math.ceil((retryUntil - now) / 1000)) : 0;
  useEffect(() => {
    if (!retryUntil) return;
    const id = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, [retryUntil]);
  useEffect(() => {
    if (retryUntil && waitSeconds === 0) setRetryUntil(null);
  }, [retryUntil, waitSeconds]);

  const login = useMutation({
    mutationFn: (body: { email: string; password: string }) => api.post('/api/auth/login', body),
    // Once the session is loaded, the route guard moves on to the app.
    onSuccess: () => signedIn(),
    onError: (e) => {
      if (e instanceof ApiError && e.status === 401) {
        setFailure(t('login.invalid'));
      } else if (e instanceof ApiError && e.code === 'email_unverified') {
        setFailure(t('login.error.emailUnverified'));
      } else if (e instanceof ApiError && e.status === 429) {
        const secs = e.retryAfter ?? 60;
        setNow(Date.now());
        setRetryUntil(Date.now() + secs * 1000);
        setFailure(`${e.message} ${t('login.retryIn', { seconds: secs })}`);
      } else {
        const split = v.splitServerError(e, ['email', 'password'] as const);
        setErrors(split.fields);
        setFailure(split.form ?? (Object.keys(split.fields).length ? null : errorMessage(e)));
      }
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    const found = v.collect<F>({ email: v.email(email), password: v.required(password) });
    setErrors(found ?? {});
    if (found) return;
    login.mutate({ email: email.trim(), password });
  }

  const locked = waitSeconds > 0;
  return (
    <AuthShell title={t('login.title')} subtitle={t('login.subtitle')}>
      <form noValidate onSubmit={submit} className="space-y-4">
        {state.notice && !failure && (
          <div role="status" data-testid="login-notice" className="rounded-lg border border-line bg-subtle px-3 py-2.5 text-sm text-muted">
            {state.notice}
          </div>
        )}
        {verified && !failure && (
          <div role="status" data-testid="login-verified" className="rounded-lg border border-brand-200 bg-brand-50 px-3 py-2.5 text-sm text-brand-900 dark:border-brand-900 dark:bg-brand-950/50 dark:text-brand-100">
            {t('login.verified')}
          </div>
        )}
        <FormError message={failure ?? returned} testId="login-error" />
        {providers.data?.google && (
          <>
            <GoogleButton next={next} />
            <OrDivider />
          </>
        )}
        <Field label={t('login.email')} error={errors.email}>
          <Input
            data-testid="login-email"
            type="email"
            autoFocus
            autoComplete="username"
            inputMode="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field label={t('login.password')} error={errors.password}>
          <Input
            data-testid="login-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <p className="-mt-1 text-right text-sm">
          <Link to="/forgot" data-testid="forgot-link" className="focus-ring rounded font-medium text-brand-700 hover:underline dark:text-brand-300">
            {t('login.forgot')}
          </Link>
        </p>
        <Button type="submit" data-testid="login-submit" loading={login.isPending} disabled={locked} className="mt-2 w-full">
          {locked ? t('login.retryIn', { seconds: waitSeconds }) : login.isPending ? t('login.submitting') : t('login.submit')}
        </Button>
        {providers.data?.signup && (
          <p className="text-center text-sm text-muted">
            {t('login.noAccount')}{' '}
            <Link to="/signup" data-testid="signup-link" className={authLink}>
              {t('login.createAccount')}
            </Link>
          </p>
        )}
      </form>
    </AuthShell>
  );
}
