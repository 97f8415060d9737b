import { useEffect, useId, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { sentence } from '../../lib/validate';
import { useUpdateNumber } from './api';
import type { WaNumber } from './types';

interface Props {
  number: WaNumber;
  open: boolean;
  onOpenChange: (o: boolean) => void;
}

export function ReplaceTokenDialog({ number: n, open, onOpenChange }: Props) {
  const toast = useToast();
  const formId = useId();
  const update = useUpdateNumber(n.id);
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setToken('');
    setError(undefined);
    setFormError(null);
  }, [open]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const missing = v.required(token);
    setError(missing);
    setFormError(null);
    if (missing) return;
    update.mutate(
      { access_token: token.trim() },
      {
        onSuccess: () => {
          toast.success(t('channels.tokenReplaced', { number: n.display_phone_number }));
          onOpenChange(false);
        },
        onError: (err) => {
          const split = v.splitServerError(err, ['access_token'] as const);
          setError(sentence(split.fields.access_token));
          setFormError(split.form);
        },
      },
    );
  }

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      testId="replace-token-dialog"
      title={t('channels.replaceTitle')}
      description={t('channels.replaceBody', { number: n.display_phone_number })}
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form={formId} loading={update.isPending} data-testid="replace-token-submit">
            {t('channels.replaceToken')}
          </Button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={submit} className="space-y-4">
        <FormError message={formError} />
        <Field label={t('addNumber.token')} error={error} hint={t('addNumber.tokenHint')}>
          <Input data-testid="replace-token-input" type="password" autoComplete="new-password" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)} />
        </Field>
      </form>
    </Dialog>
  );
}
