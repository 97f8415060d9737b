// Which inbox lists a session may open. Kept apart from InboxPage so that the
// always-mounted sidebar can use it without loading the inbox's code.

import { can } from '../../lib/auth';
import type { Session } from '../../lib/types';
import type { View } from './types';

export function viewsFor(s: Session): View[] {
  if (s.member?.role === 'member' && !can(s, 'see_all')) return ['mine'];
  return ['mine', 'unassigned', 'all'];
}

/** The list the unread badge counts: everything the member may see, or their own. */
export function primaryView(s: Session): View {
  return viewsFor(s).includes('all') ? 'all' : 'mine';
}
