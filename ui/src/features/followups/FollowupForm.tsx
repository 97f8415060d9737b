import { useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Field, FormError } from '../../components/Field';
import { Input, Select, Textarea } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { ApiError } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import * as v from '../../lib/validate';
import { useCreateFollowup, useUpdateFollowup, type Followup, type FollowupPatch } from './api';
import { fromLocalInput, toLocalInput, toRfc3339, tomorrowNine } from './time';

type F = 'note' | 'scheduled_for' | 'assignee_id';

interface Props {
  conversationId: string;
  members: Member[];
  /** Who gets it by default (the conversation's assignee). */
  defaultAssignee: string | null;
  /** Edits this follow-up instead of adding one. */
  existing?: Followup;
  onDone: () => void;
}

export function FollowupForm({ conversationId, members, defaultAssignee, existing, onDone }: Props) {
  const session = useSession();
  const toast = useToast();
  const create = useCreateFollowup();
  const update = useUpdateFollowup();
  const role = session.member?.role;
  const canPick = role === 'owner' || role === 'lead';
  const [note, setNote] = useState(existing?.note ?? '');
  const [when, setWhen] = useState(() => toLocalInput(existing ? new Date(existing.scheduled_for) : tomorrowNine()));
  const [assignee, setAssignee] = useState(existing ? (existing.assignee_id ?? '') : (defaultAssignee ?? session.member?.id ?? ''));
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [failure, setFailure] = useState<string | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    const date = fromLocalInput(when);
    const found = v.collect<F>({
      note: v.required(note),
      scheduled_for: date ? undefined : t('validation.required'),
      assignee_id: undefined,
    });
    setErrors(found ?? {});
    if (found || !date) return;
    const handlers = {
      onSuccess: () => {
        toast.success(t(existing ? 'followups.updated' : 'followups.created'));
        onDone();
      },
      onError: (err: unknown) => {
        if (err instanceof ApiError && err.status === 403) return setFailure(t('followups.forbidden'));
        const split = v.splitServerError(err, ['note', 'scheduled_for', 'assignee_id'] as const);
        setErrors(split.fields);
        setFailure(split.form);
      },
    };
    if (existing) {
      // Only what changed: an untouched assignee is not re-checked.
      const patch: FollowupPatch = { note: note.trim(), scheduled_for: toRfc3339(date) };
      if (canPick && assignee && assignee !== existing.assignee_id) patch.assignee_id = assignee;
      update.mutate({ id: existing.id, patch }, handlers);
      return;
    }
    create.mutate(
      {
        conversation_id: conversationId,
        note: note.trim(),
        scheduled_for: toRfc3339(date),
        ...(canPick && assignee ? { assignee_id: assignee } : {}),
      },
      handlers,
    );
  }

  return (
    <form noValidate onSubmit={submit} data-testid="followup-form" className="space-y-3 rounded-lg border border-line bg-subtle/40 p-3">
      <FormError message={failure} testId="followup-error" />
      <Field label={t('followups.note')} error={errors.note}>
        <Textarea
          data-testid="followup-note"
          autoFocus
          rows={2}
          maxLength={1000}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder={t('followups.notePlaceholder')}
        />
      </Field>
      <Field label={t('followups.when')} error={errors.scheduled_for} hint={t('followups.whenHint')}>
        <Input data-testid="followup-when" type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
      </Field>
      {canPick && (
        <Field label={t('followups.assignee')} error={errors.assignee_id}>
          <Select data-testid="followup-assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
            {assignee === '' && <option value="">{t('contact.unassigned')}</option>}
            {members.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <div className="flex justify-end gap-2">
        <Button variant="ghost" size="sm" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" size="sm" data-testid="followup-submit" loading={create.isPending || update.isPending}>
          {t(existing ? 'common.save' : 'followups.save')}
        </Button>
      </div>
    </form>
  );
}
