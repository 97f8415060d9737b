import { t } from '../../lib/i18n';

/** 240 → "4 min", 4800 → "1 h 20 min", 30 → "30 s", 90000 → "1 d 1 h"; null → "—". */
export function formatDuration(secs: number | null | undefined): string {
  if (secs === null || secs === undefined || !Number.isFinite(secs)) return t('common.unknown');
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return t('duration.s', { n: s });
  const mins = Math.round(s / 60);
  if (mins < 60) return t('duration.min', { n: mins });
  const h = Math.floor(mins / 60);
  const m = mins % 60;
  if (h < 24) return m ? t('duration.hMin', { h, m }) : t('duration.h', { h });
  const d = Math.floor(h / 24);
  const rh = h % 24;
  return rh ? t('duration.dH', { d, h: rh }) : t('duration.d', { d });
}

const pct = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
export const formatRate = (r: number) => pct.format(r);
