import { t } from '../../lib/i18n';

const count = new Intl.NumberFormat();
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

export const formatCount = (n: number | null | undefined) => (n === null || n === undefined ? t('common.unknown') : count.format(n));

/** 1536 → "1.5 KB" (1024-based, one decimal under 10). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return t('common.unknown');
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i += 1;
  }
  const digits = i === 0 || v >= 10 ? 0 : 1;
  return `${v.toFixed(digits)} ${UNITS[i]}`;
}

/** A limit for display: the number, or ∞ for none. */
export const formatLimit = (n: number | null) => (n === null ? '∞' : count.format(n));
