import clsx from 'clsx';
import { Input } from '../../components/Input';
import { t } from '../../lib/i18n';
import { PRESETS, presetRange, type Preset } from './range';

interface Props {
  preset: Preset;
  from: string;
  to: string;
  onPreset: (p: Exclude<Preset, 'custom'>) => void;
  onCustom: (from: string, to: string) => void;
}

export function RangePicker({ preset, from, to, onPreset, onCustom }: Props) {
  return (
    <div className="flex flex-wrap items-end gap-3">
      <div role="group" aria-label={t('dashboard.range')} className="inline-flex max-w-full overflow-x-auto rounded-lg border border-line bg-subtle p-0.5">
        {PRESETS.map((p) => (
          <button
            key={p}
            type="button"
            aria-pressed={preset === p}
            data-testid={`dashboard-preset-${p}`}
            onClick={() => onPreset(p)}
            className={clsx(
              'focus-ring h-8 rounded-md px-3 text-sm font-medium whitespace-nowrap transition-colors',
              preset === p ? 'bg-surface text-fg shadow-xs' : 'text-muted hover:text-fg',
            )}
          >
            {t(`dashboard.preset.${p}`)}
          </button>
        ))}
      </div>
      <div className="flex items-center gap-2">
        <label className="sr-only" htmlFor="dash-from">{t('dashboard.from')}</label>
        <Input
          id="dash-from"
          type="date"
          data-testid="dashboard-range-from"
          value={from}
          max={to || undefined}
          onChange={(e) => onCustom(e.target.value, to)}
          className="h-9 w-[9.5rem]"
        />
        <span aria-hidden className="text-faint">–</span>
        <label className="sr-only" htmlFor="dash-to">{t('dashboard.to')}</label>
        <Input
          id="dash-to"
          type="date"
          data-testid="dashboard-range-to"
          value={to}
          min={from || undefined}
          onChange={(e) => onCustom(from, e.target.value)}
          className="h-9 w-[9.5rem]"
        />
      </div>
    </div>
  );
}

export const initialRange = () => ({ preset: '30d' as Preset, ...presetRange('30d') });
