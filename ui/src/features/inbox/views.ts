// Which inbox lists a session may open. Kept apart from InboxPage so that the
// always-mounted sidebar can use it without loading the inbox's code.

import { can } from '../../lib/auth';
import type { Session } from '../../lib/types';
import type { View } from './types';

export function viewsFor(s: Session): View[] {
  if (s.member?.role === 'member' && !can(s, 'see_all')) return ['mine'];
  return ['mine', 'unassigned', 'all'];
}

/** The lists the unread badge counts: the member's own and, where they may
 *  take them, the unassigned; not colleagues' conversations, which a lead or
 *  owner sees but whose messages are not waiting on them. */
export function badgeViews(s: Session): View[] {
  return viewsFor(s).filter((v) => v !== 'all');
}
