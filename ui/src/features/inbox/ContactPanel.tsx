import { useState } from 'react';
import { Plus, X } from 'lucide-react';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Select } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { useUpdateConversation } from './api';
import { assignmentCurrent, assignmentReason } from './assignmentReason';
import { ContactDetails, Row } from '../contacts/ContactDetails';
import { ContactRights } from '../contacts/ContactRights';
import { FollowupsSection } from '../followups/FollowupsSection';
import { Notes } from './Notes';
import { RunsSection } from './RunsSection';
import type { Conversation } from './types';

export function ContactPanel({ conv, members, onClose }: { conv: Conversation; members: Member[]; onClose?: () => void }) {
  const session = useSession();
  const toast = useToast();
  const update = useUpdateConversation(conv.id, session.member?.id);
  const [label, setLabel] = useState('');
  const role = session.member?.role;
  // a support view is read-only: the server refuses writes, so do not offer them
  const readOnly = Boolean(session.support);
  const canAssign = (role === 'owner' || role === 'lead') && !readOnly;
  const assignee = members.find((m) => m.id === conv.assignee_id);
  const onError = (e: unknown) => toast.error(errorMessage(e));

  const addLabel = () => {
    const l = label.trim();
    if (!l || conv.labels.includes(l)) return setLabel('');
    update.mutate({ labels: [...conv.labels, l] }, { onSuccess: () => setLabel(''), onError });
  };

  return (
    <aside data-testid="contact-panel" aria-label={t('contact.title')} className="flex h-full min-h-0 flex-col bg-surface">
      <div className="flex h-16 shrink-0 items-center justify-between border-b border-line px-4">
        <h2 className="text-sm font-semibold text-fg">{t('contact.title')}</h2>
        {onClose && (
          <Button variant="ghost" size="icon" aria-label={t('common.close')} onClick={onClose}>
            <X />
          </Button>
        )}
      </div>
      <div className="min-h-0 flex-1 space-y-5 overflow-y-auto p-4">
        <ContactDetails conv={conv} readOnly={readOnly} />
        <dl className="space-y-3">
          <Row label={t('contact.source')}>{conv.source}</Row>
          <Row label={t('contact.status')}>
            <Badge tone={conv.status === 'open' ? 'brand' : 'neutral'}>{t(`inbox.status.${conv.status}`)}</Badge>
          </Row>
        </dl>
        <div className="space-y-1.5">
          <p className="text-[11px] font-medium tracking-wide text-faint uppercase">{t('contact.assignee')}</p>
          {canAssign ? (
            <Select
              data-testid="assignee-select"
              aria-label={t('contact.assignee')}
              value={conv.assignee_id ?? ''}
              disabled={update.isPending}
              onChange={(e) => update.mutate({ assignee_id: e.target.value || null }, { onError })}
            >
              <option value="">{t('contact.unassigned')}</option>
              {members.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </Select>
          ) : (
            <p className="text-sm text-fg">{assignee?.name ?? t('contact.unassigned')}</p>
          )}
          {conv.assignment && assignmentCurrent(conv.assignment, conv.assignee_id) && (
            <p
              data-testid="assignment-reason"
              title={t('assignment.at', { time: new Date(conv.assignment.at).toLocaleString() })}
              className="text-xs text-muted"
            >
              {assignmentReason(conv.assignment, members)}
            </p>
          )}
        </div>
        <div className="space-y-1.5">
          <p className="text-[11px] font-medium tracking-wide text-faint uppercase">{t('contact.labels')}</p>
          <div className="flex flex-wrap gap-1.5">
            {conv.labels.map((l) => (
              <span key={l} data-testid="label-chip" className="inline-flex items-center gap-1 rounded-full bg-sky-50 py-0.5 pr-1 pl-2.5 text-xs font-medium text-sky-800 ring-1 ring-sky-200 dark:bg-sky-950/60 dark:text-sky-200 dark:ring-sky-800">
                {l}
                {!readOnly && (
                  <button
                    type="button"
                    aria-label={t('contact.removeLabel', { label: l })}
                    onClick={() => update.mutate({ labels: conv.labels.filter((x) => x !== l) }, { onError })}
                    className="focus-ring rounded-full p-0.5 hover:bg-sky-100 dark:hover:bg-sky-900"
                  >
                    <X className="size-3" />
                  </button>
                )}
              </span>
            ))}
          </div>
          {!readOnly && (
            <form
              className="flex gap-1.5"
              onSubmit={(e) => {
                e.preventDefault();
                addLabel();
              }}
            >
              <input
                data-testid="labels-input"
                value={label}
                onChange={(e) => setLabel(e.target.value)}
                placeholder={t('contact.addLabel')}
                aria-label={t('contact.addLabel')}
                maxLength={40}
                className="h-8 min-w-0 flex-1 rounded-lg border border-line-strong bg-surface px-2.5 text-sm text-fg placeholder:text-faint focus:border-brand-500 focus:ring-3 focus:ring-brand-500/20 focus:outline-none"
              />
              <Button type="submit" variant="secondary" size="sm" aria-label={t('contact.addLabel')} disabled={!label.trim()}>
                <Plus />
              </Button>
            </form>
          )}
        </div>
        <FollowupsSection conversationId={conv.id} assigneeId={conv.assignee_id} members={members} />
        <RunsSection conversationId={conv.id} />
        <Notes conversationId={conv.id} members={members} />
        {role === 'owner' && !readOnly && <ContactRights contact={conv.contact} />}
      </div>
    </aside>
  );
}
