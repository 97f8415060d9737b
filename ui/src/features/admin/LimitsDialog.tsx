import { useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { t, type MessageKey } from '../../lib/i18n';
import { useUpdateBusiness } from './api';
import type { BusinessAdminView, BusinessLimits } from './types';

/** The limits as typed: '' = unlimited. */
export type LimitsDraft = Record<keyof BusinessLimits, string>;

const FIELDS: readonly { key: keyof BusinessLimits; label: MessageKey }[] = [
  { key: 'max_members', label: 'admin.limits.members' },
  { key: 'max_numbers', label: 'admin.limits.numbers' },
  { key: 'max_flows', label: 'admin.limits.flows' },
];

export const draftOf = (l: BusinessLimits | null): LimitsDraft => ({
  max_members: l?.max_members?.toString() ?? '',
  max_numbers: l?.max_numbers?.toString() ?? '',
  max_flows: l?.max_flows?.toString() ?? '',
});

/** Parses a draft; the errors name the fields that are not whole numbers ≥ 0. */
export function parseLimits(d: LimitsDraft): { limits: BusinessLimits; errors: Partial<LimitsDraft> } {
  const errors: Partial<LimitsDraft> = {};
  const one = (k: keyof BusinessLimits): number | null => {
    const v = d[k].trim();
    if (!v) return null;
    if (!/^\d+$/.test(v)) errors[k] = t('admin.limits.invalid');
    return Number(v);
  };
  return { limits: { max_members: one('max_members'), max_numbers: one('max_numbers'), max_flows: one('max_flows') }, errors };
}

export function LimitsFields({ value, onChange, errors }: { value: LimitsDraft; onChange: (d: LimitsDraft) => void; errors: Partial<LimitsDraft> }) {
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
      {FIELDS.map((f) => (
        <Field key={f.key} label={t(f.label)} error={errors[f.key]}>
          <Input
            data-testid={`limit-${f.key}`}
            inputMode="numeric"
            placeholder={t('admin.limits.none')}
            value={value[f.key]}
            onChange={(e) => onChange({ ...value, [f.key]: e.target.value })}
          />
        </Field>
      ))}
    </div>
  );
}

export function LimitsDialog({ business, onClose }: { business: BusinessAdminView; onClose: () => void }) {
  const [draft, setDraft] = useState(() => draftOf(business.limits));
  const [errors, setErrors] = useState<Partial<LimitsDraft>>({});
  const update = useUpdateBusiness();
  const toast = useToast();

  function submit(e: FormEvent) {
    e.preventDefault();
    const { limits, errors: found } = parseLimits(draft);
    setErrors(found);
    if (Object.keys(found).length) return;
    update.mutate(
      { id: business.id, patch: { limits } },
      {
        onSuccess: () => {
          toast.success(t('admin.limits.saved', { name: business.name }));
          onClose();
        },
      },
    );
  }

  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('admin.limits.titleFor', { name: business.name })} description={t('admin.limits.hint')} testId="admin-limits-dialog">
      <form noValidate onSubmit={submit} className="space-y-4">
        <FormError message={update.isError ? errorMessage(update.error) : null} />
        <LimitsFields value={draft} onChange={setDraft} errors={errors} />
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" data-testid="admin-limits-save" loading={update.isPending}>{t('common.save')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
