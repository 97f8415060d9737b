import { useId, type InputHTMLAttributes } from 'react';
import clsx from 'clsx';

interface CheckboxProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type'> {
  label: string;
  hint?: string;
}

/** Native checkbox with a label and an optional second line. */
export function Checkbox({ label, hint, className, disabled, ...rest }: CheckboxProps) {
  const id = useId();
  return (
    <label
      htmlFor={id}
      className={clsx(
        'flex items-start gap-3 rounded-lg border border-line px-3 py-2.5 transition-colors',
        disabled ? 'cursor-not-allowed opacity-60' : 'cursor-pointer hover:bg-subtle',
        'has-[:checked]:border-brand-300 has-[:checked]:bg-brand-50/60 dark:has-[:checked]:border-brand-800 dark:has-[:checked]:bg-brand-950/40',
        className,
      )}
    >
      <input
        id={id}
        type="checkbox"
        disabled={disabled}
        className="focus-ring mt-0.5 size-4 shrink-0 cursor-pointer rounded accent-brand-600 dark:accent-brand-500"
        {...rest}
      />
      <span className="min-w-0">
        <span className="block text-sm font-medium text-fg">{label}</span>
        {hint && <span className="block text-xs text-muted">{hint}</span>}
      </span>
    </label>
  );
}
