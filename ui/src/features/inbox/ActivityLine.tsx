// One thing done to the conversation, between its messages: "Ana closed the
// conversation · 14:05".
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import type { Activity } from './api';
import { clockTime } from './format';

export function activityText(a: Activity, members: Map<string, Member>, me: string | undefined): string {
  const name = (id: string, given: string | null, self: string) =>
    id === me ? self : (given ?? members.get(id)?.name ?? t('activity.teammate'));
  const who = a.actor_id ? name(a.actor_id, a.actor_name, t('activity.you')) : null;
  const to = a.assignee_id ? name(a.assignee_id, a.assignee_name, t('activity.youObject')) : '';
  switch (a.kind) {
    case 'closed':
      return who ? t('activity.closedBy', { who }) : t('activity.closed');
    case 'reopened':
      return who ? t('activity.reopenedBy', { who }) : t('activity.reopened');
    case 'assigned':
      return who ? t('activity.assignedBy', { who, to }) : t('activity.assigned', { to });
    default:
      return who ? t('activity.unassignedBy', { who }) : t('activity.unassigned');
  }
}

export function ActivityLine({ a, members, me }: { a: Activity; members: Map<string, Member>; me: string | undefined }) {
  return (
    <div data-testid="activity-line" data-kind={a.kind} className="flex justify-center py-1.5">
      <span className="max-w-[85%] rounded-full px-3 py-0.5 text-center text-[11px] text-muted">
        {activityText(a, members, me)} · {clockTime(a.created_at)}
      </span>
    </div>
  );
}
