// One line on why a conversation went to whom (or is waiting), from the
// server's explanation of its latest automatic assignment.

import { hasKey, t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import type { Assignment } from './types';

/** First names, unless two members share one. */
function shortName(members: Member[], id: string): string {
  const m = members.find((x) => x.id === id);
  if (!m) return t('assignment.someone');
  const first = m.name.trim().split(/\s+/)[0] ?? m.name;
  const clash = members.some((x) => x.id !== id && x.name.trim().split(/\s+/)[0] === first);
  return clash ? m.name : first;
}

function reasonLabel(reason: string): string {
  if (reason === 'unavailable') return t('assignment.unavailable');
  if (reason === 'no longer a member') return t('assignment.gone');
  return reason;
}

/**
 * Whether the latest automatic assignment still describes the conversation: it
 * went to (or left waiting) the same member it has now. A person, a flow or a
 * removal may have changed hands since, and then the old line would contradict
 * the assignee shown above it.
 */
export function assignmentCurrent(a: Assignment, assigneeId: string | null): boolean {
  return (a.member_id ?? null) === (assigneeId ?? null);
}

export function assignmentReason(a: Assignment, members: Member[]): string {
  const modeKey = `assignment.mode.${a.mode}`;
  const vars = { mode: hasKey(modeKey) ? t(modeKey) : a.mode, n: a.position };
  const o = a.outcome;
  let line: string;
  if (o === 'assigned') line = t('assignment.auto', vars);
  else if (o.startsWith('assigned from the waiting queue')) line = t('assignment.fromQueue', vars);
  else if (o.startsWith('assigned although')) line = t('assignment.anyway', vars);
  else if (o.startsWith('escalated')) line = t('assignment.escalated');
  else if (o.startsWith('queued')) line = t('assignment.waiting');
  else line = o ? o[0].toUpperCase() + o.slice(1) : t('assignment.auto', vars);
  if (a.skipped.length === 0) return line;
  const skipped = a.skipped
    .map((s) => t('assignment.skipped', { name: shortName(members, s.member_id), reason: reasonLabel(s.reason) }))
    .join(', ');
  return `${line} (${skipped})`;
}
