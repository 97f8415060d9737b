import { useEffect, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input, Select } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { t } from '../../lib/i18n';
import { ROLES, type Role, type Team } from '../../lib/types';
import * as v from '../../lib/validate';
import type { TeamAccess } from './access';
import { useCreateInvite, usePoolChoices, type InvitePool } from './invitesApi';
import { InvitePools } from './InvitePools';
import { roleLabel } from './roles';

const FIELDS = ['email', 'role', 'team_id', 'pools'] as const;
type F = (typeof FIELDS)[number];

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  teams: Team[];
  access: TeamAccess;
}

export function InviteDialog({ open, onOpenChange, teams, access }: Props) {
  const toast = useToast();
  const create = useCreateInvite();
  const choices = usePoolChoices(open);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [teamId, setTeamId] = useState('');
  const [pools, setPools] = useState<InvitePool[]>([]);
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const { limited, isOwner } = access;
  const roles = limited ? (['member'] as Role[]) : ROLES.filter((r) => r !== 'owner' || isOwner);
  const teamChoices = limited ? access.ledTeams : teams;

  useEffect(() => {
    if (!open) return;
    setEmail('');
    setRole('member');
    setTeamId(limited ? (access.ledTeams[0]?.id ?? '') : '');
    setPools([]);
    setErrors({});
    setFormError(null);
    create.reset();
    // reset when the dialog opens only
  }, [open]);

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const found = v.collect<F>({ email: v.email(email), role: undefined, team_id: undefined, pools: undefined });
    setErrors(found ?? {});
    if (found) return;
    const to = email.trim();
    create.mutate(
      { email: to, role, ...(teamId ? { team_id: teamId } : {}), ...(pools.length ? { pools } : {}) },
      {
        onSuccess: () => {
          toast.success(t('invite.sent', { email: to }));
          onOpenChange(false);
        },
        onError: (err) => {
          const split = v.splitServerError(err, FIELDS);
          setErrors(split.fields);
          setFormError(split.form);
        },
      },
    );
  }

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('invite.title')}
      description={t('invite.body')}
      testId="invite-dialog"
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form="invite-form" data-testid="invite-submit" loading={create.isPending}>
            {t('invite.submit')}
          </Button>
        </>
      }
    >
      <form id="invite-form" noValidate onSubmit={submit} className="space-y-4">
        <FormError message={formError} testId="invite-error" />
        <Field label={t('member.email')} error={errors.email}>
          <Input data-testid="invite-email" type="email" autoComplete="off" inputMode="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('member.role')} error={errors.role}>
            <Select data-testid="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)} disabled={limited}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('member.team')} error={errors.team_id} optional={!limited}>
            <Select data-testid="invite-team" value={teamId} onChange={(e) => setTeamId(e.target.value)}>
              {!limited && <option value="">{t('team.noTeam')}</option>}
              {teamChoices.map((tm) => (
                <option key={tm.id} value={tm.id}>
                  {tm.name}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <InvitePools choices={choices.data} value={pools} onChange={setPools} error={errors.pools} />
      </form>
    </Dialog>
  );
}
