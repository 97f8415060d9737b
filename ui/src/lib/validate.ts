// Client-side checks and mapping of server validation details onto form fields.

import { ApiError } from './api';
import { t } from './i18n';

export type FieldErrors<F extends string = string> = Partial<Record<F, string>>;

export const MIN_PASSWORD = 8;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function required(value: string): string | undefined {
  return value.trim() ? undefined : t('validation.required');
}

export function email(value: string): string | undefined {
  if (!value.trim()) return t('validation.required');
  return EMAIL_RE.test(value.trim()) ? undefined : t('validation.email');
}

export function password(value: string, optional = false): string | undefined {
  if (!value) return optional ? undefined : t('validation.required');
  return value.length >= MIN_PASSWORD ? undefined : t('validation.passwordLength', { min: MIN_PASSWORD });
}

/** Drops undefined entries; returns null when nothing is wrong. */
export function collect<F extends string>(errors: Record<F, string | undefined>): FieldErrors<F> | null {
  const out: FieldErrors<F> = {};
  let any = false;
  for (const key of Object.keys(errors) as F[]) {
    if (errors[key]) {
      out[key] = errors[key];
      any = true;
    }
  }
  return any ? out : null;
}

/**
 * Splits an error from the server into messages under known fields and one
 * form-level message for the rest (409 email_taken, 500, or details on unknown fields).
 */
export function splitServerError<F extends string>(
  e: unknown,
  fields: readonly F[],
  aliases: Partial<Record<string, F>> = {},
): { fields: FieldErrors<F>; form: string | null } {
  const out: FieldErrors<F> = {};
  if (!(e instanceof ApiError)) return { fields: out, form: e instanceof Error ? e.message : String(e) };
  const leftover: string[] = [];
  for (const d of e.details ?? []) {
    const name = (d.field && (aliases[d.field] ?? d.field)) as F | undefined;
    if (name && fields.includes(name) && !out[name]) out[name] = d.message;
    else if (d.message) leftover.push(d.message);
  }
  const placed = Object.keys(out).length > 0;
  if (!placed && e.code === 'email_taken' && fields.includes('email' as F)) {
    out['email' as F] = e.message;
    return { fields: out, form: null };
  }
  const form = leftover.length ? leftover.join(' ') : placed ? null : e.message;
  return { fields: out, form };
}

/** Server messages start in lower case ("is required"); show them as sentences. */
export const sentence = (s: string | undefined) => (s ? s[0].toUpperCase() + s.slice(1) : s);
