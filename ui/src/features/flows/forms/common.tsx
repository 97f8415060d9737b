import { useRef, type ReactNode } from 'react';
import * as DM from '@radix-ui/react-dropdown-menu';
import { Braces } from 'lucide-react';
import { Field } from '../../../components/Field';
import { Input, Select, Textarea } from '../../../components/Input';
import { t } from '../../../lib/i18n';

export type Data = Record<string, any>;
export interface FormProps {
  data: Data;
  /** Replaces the node's data. `key` groups keystrokes of one field into one undo step. */
  set: (data: Data, key?: string) => void;
}

export const VARIABLES = ['{{contact.name}}', '{{contact.phone}}', '{{contact.email}}', '{{vars.answer}}'];

const itemClass = 'flex h-8 cursor-pointer items-center rounded-md px-2.5 font-mono text-xs text-fg outline-none select-none data-[highlighted]:bg-subtle';

/** "Insert variable": adds `{{…}}` at the caret of the given field. */
export function VarMenu({ target, onInsert }: { target: () => HTMLTextAreaElement | HTMLInputElement | null; onInsert: (value: string) => void }) {
  function insert(v: string) {
    const el = target();
    const value = el?.value ?? '';
    const at = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? at;
    onInsert(value.slice(0, at) + v + value.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + v.length, at + v.length);
    });
  }
  return (
    <DM.Root>
      <DM.Trigger data-testid="insert-variable" className="focus-ring inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-xs font-medium text-brand-700 hover:bg-subtle dark:text-brand-300">
        <Braces aria-hidden className="size-3.5" />
        {t('flows.insertVariable')}
      </DM.Trigger>
      <DM.Portal>
        <DM.Content align="end" sideOffset={4} className="animate-fade-in z-50 min-w-48 rounded-lg border border-line bg-surface p-1 shadow-lg">
          {VARIABLES.map((v) => (
            <DM.Item key={v} className={itemClass} onSelect={() => insert(v)}>
              {v}
            </DM.Item>
          ))}
        </DM.Content>
      </DM.Portal>
    </DM.Root>
  );
}

/** A textarea with the variable menu above it. */
export function TextVars({ label, value, onChange, testId, rows = 3, maxLength }: { label: string; value: string; onChange: (v: string) => void; testId?: string; rows?: number; maxLength?: number }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  return (
    <div className="space-y-1.5">
      <div className="flex items-center justify-between gap-2">
        <span className="text-sm font-medium text-fg">{label}</span>
        <VarMenu target={() => ref.current} onInsert={onChange} />
      </div>
      <Textarea ref={ref} aria-label={label} data-testid={testId} rows={rows} maxLength={maxLength} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

export function TextField({ label, value, onChange, testId, placeholder, hint, optional, maxLength }: { label: string; value: string | undefined; onChange: (v: string) => void; testId?: string; placeholder?: string; hint?: ReactNode; optional?: boolean; maxLength?: number }) {
  return (
    <Field label={label} hint={hint} optional={optional}>
      <Input data-testid={testId} value={value ?? ''} placeholder={placeholder} maxLength={maxLength} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}

export function NumberField({ label, value, onChange, testId, min = 0, hint, optional }: { label: string; value: number | undefined; onChange: (v: number | undefined) => void; testId?: string; min?: number; hint?: ReactNode; optional?: boolean }) {
  return (
    <Field label={label} hint={hint} optional={optional}>
      <Input
        type="number"
        inputMode="numeric"
        min={min}
        data-testid={testId}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    </Field>
  );
}

export function SelectField<T extends string>({ label, value, options, onChange, testId, hint }: { label: string; value: T; options: readonly { value: T; label: string }[]; onChange: (v: T) => void; testId?: string; hint?: ReactNode }) {
  return (
    <Field label={label} hint={hint}>
      <Select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/** Removes keys whose value is undefined or '' (optional fields left empty are not saved). */
export function compact(d: Data): Data {
  const out: Data = {};
  for (const [k, v] of Object.entries(d)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

export function nextId(prefix: string, taken: string[]): string {
  for (let i = 1; ; i++) if (!taken.includes(`${prefix}${i}`)) return `${prefix}${i}`;
}
