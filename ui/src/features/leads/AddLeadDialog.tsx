import { useEffect, useId, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input, Select, Textarea } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import * as v from '../../lib/validate';
import { sentence } from '../../lib/validate';
import { useChannelNumbers } from '../channels/api';
import { useCreateLead } from './api';
import type { NewLead } from './types';

const FIELDS = ['name', 'phone', 'email', 'note', 'channel_id', 'assignee_id'] as const;
type F = (typeof FIELDS)[number];
const EMPTY: Record<F, string> = { name: '', phone: '', email: '', note: '', channel_id: '', assignee_id: '' };
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Manual entry: a lead met in person or by phone goes into the inbox like any other. */
export function AddLeadDialog({ open, onOpenChange, members }: { open: boolean; onOpenChange: (o: boolean) => void; members: Member[] }) {
  const toast = useToast();
  const formId = useId();
  const create = useCreateLead();
  const numbers = useChannelNumbers();
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setValues(EMPTY);
    setErrors({});
    setFormError(null);
  }, [open]);

  const set = (f: F) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    setValues((x) => ({ ...x, [f]: e.target.value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const clean = Object.fromEntries(FIELDS.map((f) => [f, values[f].trim()])) as Record<F, string>;
    const found = v.collect<F>({
      name: undefined,
      phone: clean.phone && !/^\+?[\d\s().-]{5,}$/.test(clean.phone) ? t('leads.phoneInvalid') : undefined,
      email: clean.email && !EMAIL_RE.test(clean.email) ? t('validation.email') : undefined,
      note: undefined,
      channel_id: undefined,
      assignee_id: undefined,
    });
    setErrors(found ?? {});
    if (found) return;
    if (!clean.name && !clean.phone && !clean.email) {
      setFormError(t('leads.needContact'));
      return;
    }
    const body = Object.fromEntries(FIELDS.filter((f) => clean[f]).map((f) => [f, clean[f]])) as NewLead;
    create.mutate(body, {
      onSuccess: () => {
        toast.success(t('leads.added'));
        onOpenChange(false);
      },
      onError: (err) => {
        const split = v.splitServerError(err, FIELDS, { number_id: 'channel_id' });
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
      testId="add-lead-dialog"
      title={t('leads.addTitle')}
      description={t('leads.addBody')}
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form={formId} loading={create.isPending} data-testid="lead-submit">
            {t('leads.addSubmit')}
          </Button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={submit} className="space-y-4">
        <FormError message={formError} testId="lead-error" />
        <Field label={t('leads.name')} error={errors.name}>
          <Input data-testid="lead-name" autoComplete="off" value={values.name} onChange={set('name')} />
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('leads.phone')} error={errors.phone} hint={t('leads.phoneHint')}>
            <Input data-testid="lead-phone" type="tel" autoComplete="off" placeholder="+55 11 98765 4321" value={values.phone} onChange={set('phone')} />
          </Field>
          <Field label={t('leads.email')} error={errors.email} optional>
            <Input data-testid="lead-email" type="email" autoComplete="off" value={values.email} onChange={set('email')} />
          </Field>
        </div>
        <Field label={t('leads.note')} error={errors.note} optional>
          <Textarea data-testid="lead-note" rows={3} value={values.note} onChange={set('note')} />
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('leads.number')} error={errors.channel_id} hint={t('leads.numberHint')}>
            <Select data-testid="lead-number" value={values.channel_id} onChange={set('channel_id')}>
              <option value="">{t('leads.numberDefault')}</option>
              {numbers.data?.items.map((n) => (
                <option key={n.id} value={n.id}>{n.display_phone_number}</option>
              ))}
            </Select>
          </Field>
          <Field label={t('leads.col.assignee')} error={errors.assignee_id} hint={t('leads.assigneeHint')}>
            <Select data-testid="lead-assignee" value={values.assignee_id} onChange={set('assignee_id')}>
              <option value="">{t('leads.assigneeAuto')}</option>
              {members.map((m) => (
                <option key={m.id} value={m.id}>{m.name}</option>
              ))}
            </Select>
          </Field>
        </div>
      </form>
    </Dialog>
  );
}
