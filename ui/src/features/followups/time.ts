// Local date/time helpers for follow-ups: <input type="datetime-local"> speaks
// local wall time without a zone; the API wants RFC 3339 with an offset.

const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');

/** "2026-11-27T09:00" (local) for a datetime-local input. */
export function toLocalInput(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** RFC 3339 with the local offset, e.g. "2026-11-27T09:00:00-03:00". */
export function toRfc3339(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${toLocalInput(d)}:${pad(d.getSeconds())}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}

/** A datetime-local value as a Date in local time; null when empty or malformed. */
export function fromLocalInput(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) return null;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Tomorrow at 9:00 local time. */
export function tomorrowNine(now = new Date()): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0);
}

/** Next Monday at 9:00 local time (a week from today when today is Monday). */
export function nextWeek(now = new Date()): Date {
  const days = ((8 - now.getDay()) % 7) || 7;
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + days, 9, 0, 0);
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

/** "14:30" today, else "Fri, 28 Nov 14:30" — always in local time. */
export function formatDue(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay ? timeFmt.format(d) : `${dayFmt.format(d)} ${timeFmt.format(d)}`;
}
