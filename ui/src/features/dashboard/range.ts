// Date ranges for the dashboard, as local calendar days "YYYY-MM-DD".

export type Preset = '7d' | '30d' | 'month' | 'custom';
export const PRESETS: readonly Exclude<Preset, 'custom'>[] = ['7d', '30d', 'month'];
export const MAX_DAYS = 366;

const pad = (n: number) => String(n).padStart(2, '0');
export const isoDay = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

export function parseDay(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const d = new Date(+m[1], +m[2] - 1, +m[3]);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function presetRange(p: Exclude<Preset, 'custom'>, now = new Date()): { from: string; to: string } {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  if (p === 'month') return { from: isoDay(new Date(today.getFullYear(), today.getMonth(), 1)), to: isoDay(today) };
  const back = p === '7d' ? 6 : 29;
  return { from: isoDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - back)), to: isoDay(today) };
}

/** Days in [from, to], both inclusive; null when either is not a day. */
export function spanDays(from: string, to: string): number | null {
  const a = parseDay(from);
  const b = parseDay(to);
  if (!a || !b) return null;
  return Math.round((b.getTime() - a.getTime()) / 86_400_000) + 1;
}

const short = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
export const shortDay = (s: string) => {
  const d = parseDay(s);
  return d ? short.format(d) : s;
};
