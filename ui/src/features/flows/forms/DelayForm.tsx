import { useState } from 'react';
import { Input, Select } from '../../../components/Input';
import { t } from '../../../lib/i18n';
import { NumberField, type FormProps } from './common';

const UNITS = [
  { size: 86400, key: 'flows.unit.days' },
  { size: 3600, key: 'flows.unit.hours' },
  { size: 60, key: 'flows.unit.minutes' },
  { size: 1, key: 'flows.unit.seconds' },
] as const;

/** The largest unit that divides the duration evenly. */
export function splitDuration(seconds: number): { amount: number; unit: number } {
  const s = Math.max(0, Math.round(seconds || 0));
  const u = UNITS.find((x) => s > 0 && s % x.size === 0) ?? UNITS[3];
  return { amount: s / u.size, unit: u.size };
}

/** Amount + unit, stored as seconds. */
export function DurationField({ label, seconds, onChange, testId }: { label: string; seconds: number; onChange: (s: number) => void; testId?: string }) {
  // The unit stays as chosen while typing (60 minutes does not jump to 1 hour).
  const [unit, setUnit] = useState(() => splitDuration(seconds).unit);
  const amount = Math.round((seconds / unit) * 1000) / 1000;
  return (
    <fieldset className="space-y-1.5">
      <legend className="mb-1.5 text-sm font-medium text-fg">{label}</legend>
      <div className="flex gap-2">
        <div className="w-24 shrink-0">
          <Input type="number" min={0} aria-label={label} data-testid={testId ? `${testId}-amount` : undefined} value={amount} onChange={(e) => onChange(Math.round(Math.max(0, Number(e.target.value) || 0) * unit))} />
        </div>
        <Select aria-label={t('flows.unit')} data-testid={testId ? `${testId}-unit` : undefined} value={unit} onChange={(e) => {
            const u = Number(e.target.value);
            setUnit(u);
            onChange(Math.round(amount * u));
          }} className="flex-1">
          {UNITS.map((u) => (
            <option key={u.size} value={u.size}>{t(u.key)}</option>
          ))}
        </Select>
      </div>
    </fieldset>
  );
}

export function DelayForm({ data, set }: FormProps) {
  const seconds = Number(data.seconds) || 0;
  return (
    <div className="space-y-4">
      <DurationField label={t('flows.delay.wait')} testId="node-delay" seconds={seconds} onChange={(s) => set({ ...data, seconds: s }, 'seconds')} />
      <NumberField label={t('flows.delay.seconds')} testId="node-delay-seconds" value={seconds} onChange={(v) => set({ ...data, seconds: Math.max(0, Math.round(v ?? 0)) }, 'seconds')} hint={t('flows.delay.hint')} />
    </div>
  );
}
