import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { AuthShell } from '../../components/AuthShell';
import { Button } from '../../components/Button';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { api, ApiError } from '../../lib/api';
import { useSignedIn } from '../../lib/auth';
import { t, type MessageKey } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { authLink } from './ForgotPage';

type F = 'name' | 'password';

export default function AcceptInvitePage() {
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const signedIn = useSignedIn();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [invalid, setInvalid] = useState(false);

  // What the link is for: named before anyone types (the server checks the token again on accept).
  const about = useQuery({
    queryKey: ['invite-lookup', token],
    queryFn: () =>
      api.post<{ business_name: string; email: string; role: string; existing_account: boolean }>(
        '/api/invites/lookup',
        { token },
        { redirectOn401: false },
      ),
    retry: false,
    staleTime: Infinity,
  });
  const info = about.data;
  const dead = invalid || (about.error instanceof ApiError && about.error.status === 400);
  const subtitle = info
    ? t(info.existing_account ? 'accept.subtitleKnown' : 'accept.subtitleFor', {
        business: info.business_name,
        role: t(`role.${info.role}` as MessageKey).toLowerCase(),
        email: info.email,
      })
    : t('accept.subtitle');

  const accept = useMutation({
    mutationFn: (body: { token: string; name: string; password: string }) =>
      api.post<{ member_id: string; business_id: string }>('/api/invites/accept', body, { redirectOn401: false }),
    onSuccess: async () => {
      await signedIn();
      navigate('/inbox', { replace: true });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 401) {
        setErrors({ password: t('accept.existingAccount') });
        return;
      }
      if (e instanceof ApiError && (e.status === 400 || e.status === 404 || e.status === 410)) {
        setInvalid(true);
        setFailure(t('accept.invalid'));
        return;
      }
      const split = v.splitServerError(e, ['name', 'password'] as const);
      setErrors(split.fields);
      setFailure(split.form);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    const found = v.collect<F>({ name: v.required(name), password: v.password(password) });
    setErrors(found ?? {});
    if (!found) accept.mutate({ token, name: name.trim(), password });
  }

  return (
    <AuthShell title={info ? t('accept.titleFor', { business: info.business_name }) : t('accept.title')} subtitle={subtitle}>
      <form noValidate onSubmit={submit} className="space-y-4">
        <FormError message={failure ?? (dead ? t('accept.invalid') : null)} testId="accept-error" />
        <Field label={t('accept.name')} error={errors.name}>
          <Input data-testid="accept-name" autoFocus autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label={t('accept.password')} error={errors.password} hint={t('accept.passwordHint')}>
          <Input
            data-testid="accept-password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Button type="submit" data-testid="accept-submit" loading={accept.isPending} disabled={dead} className="mt-2 w-full">
          {t('accept.submit')}
        </Button>
        <p className="text-center text-sm">
          <Link to="/login" className={authLink}>
            {t('accept.haveAccount')}
          </Link>
        </p>
      </form>
    </AuthShell>
  );
}
