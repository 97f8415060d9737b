import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Button } from '../../components/Button';
import { Card, CardHeader } from '../../components/Card';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { ApiError } from '../../lib/api';
import { meKey } from '../../lib/auth';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { useChangePassword } from './api';

const FIELDS = ['current_password', 'new_password'] as const;
type F = (typeof FIELDS)[number];

export function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const change = useChangePassword();
  const toast = useToast();
  const qc = useQueryClient();

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const found = v.collect<F>({ current_password: v.required(current), new_password: v.password(next) });
    setErrors(found ?? {});
    if (found) return;
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
          toast.success(t('profile.passwordChanged'));
          // if the server ended this session too, the guard sends us to /login
          qc.invalidateQueries({ queryKey: meKey });
        },
        onError: (err) => {
          if (err instanceof ApiError && err.status === 401) {
            setErrors({ current_password: t('profile.wrongPassword') });
            return;
          }
          const split = v.splitServerError(err, FIELDS, { password: 'new_password' });
          setErrors(split.fields);
          setFormError(split.form);
        },
      },
    );
  }

  return (
    <Card>
      <CardHeader title={t('profile.passwordTitle')} description={t('profile.passwordHint')} />
      <form noValidate onSubmit={submit} className="space-y-4 p-5">
        <FormError message={formError} testId="password-error" />
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('profile.currentPassword')} error={errors.current_password}>
            <Input
              data-testid="password-current"
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          </Field>
          <Field label={t('profile.newPassword')} error={errors.new_password} hint={t('setup.passwordHint')}>
            <Input
              data-testid="password-new"
              type="password"
              autoComplete="new-password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
            />
          </Field>
        </div>
        <div className="flex justify-end">
          <Button type="submit" data-testid="password-submit" loading={change.isPending}>
            {t('profile.passwordSubmit')}
          </Button>
        </div>
      </form>
    </Card>
  );
}
