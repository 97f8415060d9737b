import { useState } from 'react';
import { Plus } from 'lucide-react';
import { Button } from '../../components/Button';
import { errorMessage } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { useConversationFollowups } from './api';
import { FollowupForm } from './FollowupForm';
import { FollowupRow } from './FollowupRow';

/** The contact panel's "Follow-ups" block: this conversation's reminders and a form to add one. */
export function FollowupsSection({ conversationId, assigneeId, members }: { conversationId: string; assigneeId: string | null; members: Member[] }) {
  const session = useSession();
  const q = useConversationFollowups(conversationId);
  const [adding, setAdding] = useState(false);
  const role = session.member?.role;
  const showAssignee = role === 'owner' || role === 'lead';
  const items = [...(q.data?.items ?? [])].sort(
    (a, b) => Number(a.done) - Number(b.done) || a.scheduled_for.localeCompare(b.scheduled_for),
  );
  const name = (id: string | null) => (id ? (members.find((m) => m.id === id)?.name ?? null) : null);

  return (
    <section data-testid="followups-section" aria-label={t('followups.title')} className="space-y-2">
      <div className="flex items-center justify-between gap-2">
        <p className="text-[11px] font-medium tracking-wide text-faint uppercase">{t('followups.title')}</p>
        {!adding && (
          <Button variant="ghost" size="sm" className="-mr-2 h-7 px-2" data-testid="followup-add" onClick={() => setAdding(true)}>
            <Plus aria-hidden />
            {t('followups.add')}
          </Button>
        )}
      </div>
      {q.isError && <p className="text-xs text-red-600 dark:text-red-400">{errorMessage(q.error)}</p>}
      {items.length > 0 ? (
        <ul className="space-y-1.5">
          {items.map((f) => (
            <FollowupRow key={f.id} f={f} members={members} assigneeName={showAssignee ? name(f.assignee_id) : undefined} />
          ))}
        </ul>
      ) : (
        q.isSuccess && !adding && <p className="text-xs text-muted">{t('followups.noneHere')}</p>
      )}
      {adding && (
        <FollowupForm conversationId={conversationId} members={members} defaultAssignee={assigneeId} onDone={() => setAdding(false)} />
      )}
    </section>
  );
}
