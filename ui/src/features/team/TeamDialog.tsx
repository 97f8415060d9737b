import { useEffect, useId, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input, Select } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { t } from '../../lib/i18n';
import type { Member, Team } from '../../lib/types';
import * as v from '../../lib/validate';
import { useCreateTeam, useUpdateTeam } from './api';

const FIELDS = ['name', 'lead_id'] as const;
type F = (typeof FIELDS)[number];

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  team?: Team | null;
  members: Member[];
}

export function TeamDialog({ open, onOpenChange, team, members }: Props) {
  const toast = useToast();
  const formId = useId();
  const create = useCreateTeam();
  const update = useUpdateTeam();
  const [name, setName] = useState('');
  const [leadId, setLeadId] = useState('');
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setName(team?.name ?? '');
    setLeadId(team?.lead_id ?? '');
    setErrors({});
    setFormError(null);
  }, [open, team?.id]); // reset on open, not on every refetch

  function onServerError(e: unknown) {
    const split = v.splitServerError(e, FIELDS);
    setErrors(split.fields);
    setFormError(split.form);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const found = v.collect<F>({ name: v.required(name), lead_id: undefined });
    setErrors(found ?? {});
    setFormError(null);
    if (found) return;
    const clean = name.trim();
    const opts = {
      onSuccess: () => {
        toast.success(t(team ? 'teams.updated' : 'teams.created', { name: clean }));
        onOpenChange(false);
      },
      onError: onServerError,
    };
    if (team) update.mutate({ id: team.id, body: { name: clean, lead_id: leadId || null } }, opts);
    else create.mutate({ name: clean, ...(leadId ? { lead_id: leadId } : {}) }, opts);
  }

  // The server accepts team leads and owners as a team's lead.
  const candidates = members
    .filter((m) => m.role !== 'member')
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      testId="team-dialog"
      title={team ? t('teams.editTitle') : t('teams.addTitle')}
      size="sm"
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form={formId} loading={create.isPending || update.isPending} data-testid="team-submit">
            {team ? t('common.save') : t('common.create')}
          </Button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={submit} className="space-y-4">
        <FormError message={formError} />
        <Field label={t('teams.name')} error={errors.name}>
          <Input
            data-testid="team-name"
            placeholder={t('teams.namePlaceholder')}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <Field label={t('teams.lead')} error={errors.lead_id} hint={t('teams.leadHint')} optional>
          <Select data-testid="team-lead" value={leadId} onChange={(e) => setLeadId(e.target.value)}>
            <option value="">{t('teams.noLead')}</option>
            {candidates.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </Select>
        </Field>
      </form>
    </Dialog>
  );
}

function rank(m: Member): number {
  return m.role === 'lead' ? 0 : 1;
}
