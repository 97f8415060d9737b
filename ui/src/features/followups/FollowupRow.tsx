import { useState } from 'react';
import { Link } from 'react-router';
import clsx from 'clsx';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { contactLabel } from '../inbox/format';
import { useConversation } from '../inbox/api';
import { useDeleteFollowup, useUpdateFollowup, type Followup } from './api';
import { FollowupForm } from './FollowupForm';
import { FollowupMenu } from './FollowupMenu';
import { formatDue } from './time';

interface Props {
  f: Followup;
  /** Name of the assignee, shown to owners and leads. */
  assigneeName?: string | null;
  /** On the follow-ups page: show the contact and link to the conversation. */
  linked?: boolean;
  /** Whom an owner or lead may hand it to when editing. */
  members: Member[];
}

function ContactName({ id }: { id: string }) {
  const conv = useConversation(id);
  if (!conv.data) return <>{t('followups.conversation')}</>;
  return <>{contactLabel(conv.data.contact)}</>;
}

export function FollowupRow({ f, assigneeName, linked, members }: Props) {
  const [editing, setEditing] = useState(false);
  const toast = useToast();
  const update = useUpdateFollowup();
  const remove = useDeleteFollowup();
  const onError = (e: unknown) => toast.error(errorMessage(e));
  const patch = (p: Parameters<typeof update.mutate>[0]['patch']) => update.mutate({ id: f.id, patch: p }, { onError });
  const overdue = f.overdue && !f.done;

  const meta = (
    <p className="mt-0.5 flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs text-muted">
      <time
        dateTime={f.scheduled_for}
        data-testid="followup-due"
        className={clsx(overdue && 'font-medium text-red-600 dark:text-red-400')}
      >
        {overdue ? t('followups.overdueAt', { time: formatDue(f.scheduled_for) }) : formatDue(f.scheduled_for)}
      </time>
      {assigneeName !== undefined && <span>· {assigneeName ?? t('contact.unassigned')}</span>}
    </p>
  );

  if (editing)
    return (
      <li data-testid="followup-row" data-followup-id={f.id} className={linked ? 'px-4 py-3 sm:px-5' : undefined}>
        <FollowupForm conversationId={f.conversation_id} members={members} defaultAssignee={f.assignee_id} existing={f} onDone={() => setEditing(false)} />
      </li>
    );

  return (
    <li
      data-testid="followup-row"
      data-followup-id={f.id}
      data-done={f.done ? 'true' : 'false'}
      className={clsx(
        'flex items-start gap-2.5',
        linked ? 'px-4 py-3 hover:bg-subtle/50 sm:px-5' : 'rounded-lg px-2.5 py-2 ring-1 ring-line',
        overdue && !linked && 'bg-red-50/60 ring-red-200 dark:bg-red-950/20 dark:ring-red-900/60',
      )}
    >
      <input
        type="checkbox"
        data-testid="followup-done"
        checked={f.done}
        disabled={update.isPending}
        onChange={(e) => patch({ done: e.target.checked })}
        aria-label={f.done ? t('followups.markOpen') : t('followups.markDone')}
        className="focus-ring mt-0.5 size-4 shrink-0 cursor-pointer rounded accent-brand-600 dark:accent-brand-500"
      />
      <div className="min-w-0 flex-1">
        {linked ? (
          <Link to={`/inbox/${f.conversation_id}`} className="focus-ring block rounded" data-testid="followup-link">
            <p className={clsx('text-sm break-words text-fg', f.done && 'text-muted line-through')}>{f.note}</p>
            <p className="mt-0.5 truncate text-xs font-medium text-brand-700 dark:text-brand-300">
              <ContactName id={f.conversation_id} />
            </p>
          </Link>
        ) : (
          <p className={clsx('text-sm break-words whitespace-pre-wrap text-fg', f.done && 'text-muted line-through')}>{f.note}</p>
        )}
        {meta}
      </div>
      <FollowupMenu
        note={f.note}
        done={f.done}
        onPatch={patch}
        onEdit={() => setEditing(true)}
        onDelete={() =>
          remove.mutate(f.id, { onSuccess: () => toast.success(t('followups.deleted')), onError })
        }
      />
    </li>
  );
}
