import { useEffect, useId, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input, Select } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { t } from '../../lib/i18n';
import { ROLES, type Member, type Permission, type Role, type Team } from '../../lib/types';
import * as v from '../../lib/validate';
import type { TeamAccess } from './access';
import { useCreateMember, useUpdateMember, type MemberPatch } from './api';
import { PermissionsField } from './PermissionsField';
import { roleLabel } from './roles';

const FIELDS = ['name', 'email', 'password', 'role', 'team_id', 'permissions'] as const;
type F = (typeof FIELDS)[number];

interface FormState {
  name: string;
  email: string;
  password: string;
  role: Role;
  team_id: string;
  permissions: Permission[];
}

const blank: FormState = { name: '', email: '', password: '', role: 'member', team_id: '', permissions: [] };

function fromMember(m: Member): FormState {
  return { name: m.name, email: m.email, password: '', role: m.role, team_id: m.team_id ?? '', permissions: m.permissions };
}

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Edit this member; add a new one when absent. */
  member?: Member | null;
  teams: Team[];
  access: TeamAccess;
}

/** Only what changed: a lead may send just a name, and unchanged fields are not re-checked. */
function diff(m: Member, f: FormState, permissions: Permission[]): MemberPatch {
  const patch: MemberPatch = {};
  if (f.name.trim() !== m.name) patch.name = f.name.trim();
  if (f.role !== m.role) patch.role = f.role;
  if ((f.team_id || null) !== m.team_id) patch.team_id = f.team_id || null;
  const same = permissions.length === m.permissions.length && permissions.every((p) => m.permissions.includes(p));
  if (!same && f.role !== 'owner') patch.permissions = permissions;
  return patch;
}

export function MemberDialog({ open, onOpenChange, member, teams, access }: Props) {
  const toast = useToast();
  const formId = useId();
  const create = useCreateMember();
  const update = useUpdateMember();
  const editing = Boolean(member);
  const [form, setForm] = useState<FormState>(blank);
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setForm(member ? fromMember(member) : { ...blank, team_id: access.limited ? (access.ledTeams[0]?.id ?? '') : '' });
    setErrors({});
    setFormError(null);
    // reset only when the dialog opens or the member changes, not on every refetch
  }, [open, member?.id]);

  const { isOwner: iAmOwner, limited } = access;
  const roles = limited ? (['member'] as Role[]) : ROLES.filter((r) => r !== 'owner' || iAmOwner || form.role === 'owner');
  const teamChoices = limited ? access.ledTeams : teams;
  const pending = create.isPending || update.isPending;

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (errors[key as F]) setErrors((x) => ({ ...x, [key]: undefined }));
  };

  function onServerError(e: unknown) {
    const split = v.splitServerError(e, FIELDS);
    setErrors(split.fields);
    setFormError(split.form);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const found = v.collect<F>({
      name: v.required(form.name),
      email: editing ? undefined : v.email(form.email),
      password: editing ? undefined : v.password(form.password, true),
      role: undefined,
      team_id: undefined,
      permissions: undefined,
    });
    setErrors(found ?? {});
    if (found) return;
    const name = form.name.trim();
    // owners hold every permission through their role; leads cannot grant any
    const permissions = form.role === 'owner' || limited ? [] : form.permissions;
    if (member) {
      const patch = diff(member, form, permissions);
      if (Object.keys(patch).length === 0) {
        onOpenChange(false);
        return;
      }
      update.mutate(
        { id: member.id, patch },
        {
          onSuccess: () => {
            toast.success(t('team.updated', { name }));
            onOpenChange(false);
          },
          onError: onServerError,
        },
      );
    } else {
      create.mutate(
        {
          name,
          email: form.email.trim(),
          role: limited ? 'member' : form.role,
          ...(limited ? {} : { permissions }),
          ...(form.password ? { password: form.password } : {}),
          ...(form.team_id ? { team_id: form.team_id } : {}),
        },
        {
          onSuccess: () => {
            toast.success(t('team.added', { name }));
            onOpenChange(false);
          },
          onError: onServerError,
        },
      );
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      testId="member-dialog"
      title={member ? t('member.editTitle', { name: member.name }) : t('member.addTitle')}
      description={member ? undefined : t('member.addBody')}
      size="lg"
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form={formId} loading={pending} data-testid="member-submit">
            {editing ? t('common.save') : t('member.submitAdd')}
          </Button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={submit} className="space-y-4">
        <FormError message={formError} />
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('member.name')} error={errors.name}>
            <Input data-testid="member-name" autoComplete="off" value={form.name} onChange={(e) => set('name', e.target.value)} />
          </Field>
          <Field label={t('member.email')} error={errors.email}>
            <Input
              data-testid="member-email"
              type="email"
              autoComplete="off"
              disabled={editing}
              value={form.email}
              onChange={(e) => set('email', e.target.value)}
            />
          </Field>
          {!editing && (
            <Field label={t('member.password')} error={errors.password} hint={t('member.passwordHint')} optional className="sm:col-span-2">
              <Input
                data-testid="member-password"
                type="password"
                autoComplete="new-password"
                value={form.password}
                onChange={(e) => set('password', e.target.value)}
              />
            </Field>
          )}
          <Field label={t('member.role')} error={errors.role}>
            <Select
              data-testid="member-role"
              disabled={limited}
              value={form.role}
              onChange={(e) => set('role', e.target.value as Role)}
            >
              {roles.map((r) => (
                <option key={r} value={r} disabled={r === 'owner' && !iAmOwner}>
                  {roleLabel(r)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('member.team')} error={errors.team_id}>
            <Select
              data-testid="member-team"
              disabled={limited && editing}
              value={form.team_id}
              onChange={(e) => set('team_id', e.target.value)}
            >
              {!limited && <option value="">{t('team.noTeam')}</option>}
              {teamChoices.map((team) => (
                <option key={team.id} value={team.id}>
                  {team.name}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        {!limited && (
          <PermissionsField
            value={form.permissions}
            onChange={(next) => set('permissions', next)}
            owner={form.role === 'owner'}
            error={errors.permissions}
          />
        )}
      </form>
    </Dialog>
  );
}
