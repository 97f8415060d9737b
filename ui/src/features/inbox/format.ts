import {
  File,
  Image,
  LayoutList,
  MapPin,
  Mic,
  ShoppingCart,
  Smile,
  Sticker,
  UserRound,
  Video,
  FileText,
  MousePointerClick,
  type LucideIcon,
} from 'lucide-react';
import { hasKey, t } from '../../lib/i18n';
import type { Contact, LastMessage } from './types';

export function contactLabel(c: Contact): string {
  return c.name?.trim() || c.phone || t('common.unknown');
}

const TYPE_ICONS: Record<string, LucideIcon> = {
  image: Image,
  video: Video,
  audio: Mic,
  document: File,
  sticker: Sticker,
  location: MapPin,
  contacts: UserRound,
  interactive: LayoutList,
  button: MousePointerClick,
  reaction: Smile,
  order: ShoppingCart,
  template: FileText,
};

export function typeIcon(type: string): LucideIcon | null {
  return TYPE_ICONS[type] ?? null;
}

export function typeLabel(type: string): string {
  const key = `msgType.${type}`;
  return hasKey(key) ? t(key) : type;
}

export function previewText(m: Pick<LastMessage, 'text' | 'type'>): string {
  const text = m.text?.trim();
  if (text) return text;
  return typeLabel(m.type);
}

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const shortDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const longDate = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** List rows: time today, weekday this week, date otherwise. */
export function listTime(iso: string | undefined | null, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const days = Math.round((startOfDay(now) - startOfDay(d)) / 86_400_000);
  if (days <= 0) return time.format(d);
  if (days === 1) return t('time.yesterday');
  if (days < 7) return weekday.format(d);
  return shortDate.format(d);
}

export function clockTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : time.format(d);
}

export function dayKey(iso: string): number {
  return startOfDay(new Date(iso));
}

export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const days = Math.round((startOfDay(now) - startOfDay(d)) / 86_400_000);
  if (days === 0) return t('time.today');
  if (days === 1) return t('time.yesterday');
  return longDate.format(d);
}

/** "14:05" today, "Tue 14:05" otherwise. */
export function windowUntil(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const same = startOfDay(d) === startOfDay(now);
  return same ? time.format(d) : `${shortDate.format(d)} ${time.format(d)}`;
}

/** Length as WhatsApp counts it (code points, so emoji count once). */
export function textLength(s: string): number {
  return Array.from(s).length;
}

export const MAX_TEXT = 4096;
