import { useState, type FormEvent, type ReactNode } from 'react';
import { Pencil } from 'lucide-react';
import { Button } from '../../components/Button';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { contactLabel } from '../inbox/format';
import type { Conversation } from '../inbox/types';
import { useEditContact } from './api';

type F = 'name' | 'email' | 'phone';

/** One labelled fact in the contact panel. */
export function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="space-y-0.5">
      <dt className="text-[11px] font-medium tracking-wide text-faint uppercase">{label}</dt>
      <dd data-testid={testId} className="text-sm break-words text-fg">
        {children}
      </dd>
    </div>
  );
}

/** The contact's name, phone and email, with a form to correct them. */
export function ContactDetails({ conv, readOnly }: { conv: Conversation; readOnly: boolean }) {
  const [editing, setEditing] = useState(false);
  if (editing) return <EditForm conv={conv} onDone={() => setEditing(false)} />;
  return (
    <div className="relative">
      {!readOnly && (
        <Button
          variant="ghost"
          size="icon"
          className="absolute -top-1 right-0 size-8"
          data-testid="contact-edit"
          aria-label={t('contact.edit')}
          title={t('contact.edit')}
          onClick={() => setEditing(true)}
        >
          <Pencil />
        </Button>
      )}
      <dl className="space-y-3">
        <Row label={t('contact.name')} testId="contact-name">
          {contactLabel(conv.contact)}
        </Row>
        <Row label={t('contact.phone')} testId="contact-phone">
          {conv.contact.phone ?? t('common.unknown')}
        </Row>
        <Row label={t('contact.email')} testId="contact-email">
          {conv.contact.email ?? t('common.unknown')}
        </Row>
      </dl>
    </div>
  );
}

function EditForm({ conv, onDone }: { conv: Conversation; onDone: () => void }) {
  const toast = useToast();
  const edit = useEditContact(conv.contact.id);
  const [name, setName] = useState(conv.contact.name ?? '');
  const [email, setEmail] = useState(conv.contact.email ?? '');
  const [phone, setPhone] = useState(conv.contact.phone ?? '');
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [failure, setFailure] = useState<string | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    // Only what changed: a WhatsApp customer's own number is not sent back.
    const fields: { name?: string; email?: string | null; phone?: string | null } = {};
    if (name.trim() !== (conv.contact.name ?? '')) fields.name = name.trim();
    if (email.trim() !== (conv.contact.email ?? '')) fields.email = email.trim() || null;
    if (phone.trim() !== (conv.contact.phone ?? '')) fields.phone = phone.trim() || null;
    if (Object.keys(fields).length === 0) return onDone();
    edit.mutate(fields, {
      onSuccess: () => {
        toast.success(t('contact.saved'));
        onDone();
      },
      onError: (err) => {
        const split = v.splitServerError(err, ['name', 'email', 'phone'] as const);
        setErrors(split.fields);
        setFailure(split.form);
      },
    });
  }

  return (
    <form noValidate onSubmit={submit} data-testid="contact-form" className="space-y-3 rounded-lg border border-line bg-subtle/40 p-3">
      <FormError message={failure} testId="contact-form-error" />
      <Field label={t('contact.name')} error={errors.name}>
        <Input data-testid="contact-name-input" autoFocus maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label={t('contact.phone')} error={errors.phone}>
        <Input data-testid="contact-phone-input" type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} />
      </Field>
      <Field label={t('contact.email')} error={errors.email}>
        <Input data-testid="contact-email-input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <div className="flex justify-end gap-2">
        <Button variant="ghost" size="sm" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" size="sm" data-testid="contact-save" loading={edit.isPending}>
          {t('common.save')}
        </Button>
      </div>
    </form>
  );
}
