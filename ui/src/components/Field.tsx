import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from 'react';
import clsx from 'clsx';
import { t } from '../lib/i18n';

interface FieldProps {
  label: string;
  /** The control; it receives id, aria-describedby and invalid. */
  children: ReactElement<Record<string, unknown>>;
  error?: string;
  hint?: ReactNode;
  optional?: boolean;
  className?: string;
}

/** Label + control + hint + error message, wired for screen readers. */
export function Field({ label, children, error, hint, optional, className }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = error ? errorId : hint ? hintId : undefined;
  const control = isValidElement(children)
    ? cloneElement(children, { id, 'aria-describedby': describedBy, invalid: Boolean(error) })
    : children;
  return (
    <div className={clsx('space-y-1.5', className)}>
      <label htmlFor={id} className="flex items-baseline gap-1.5 text-sm font-medium text-fg">
        {label}
        {optional && <span className="text-xs font-normal text-faint">({t('common.optional')})</span>}
      </label>
      {control}
      {error ? (
        <p id={errorId} className="text-xs font-medium text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : hint ? (
        <p id={hintId} className="text-xs text-muted">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A form-level error box (server messages that belong to no field). */
export function FormError({ message, testId }: { message?: string | null; testId?: string }) {
  if (!message) return null;
  return (
    <div
      role="alert"
      data-testid={testId}
      className="rounded-lg border border-red-200 bg-red-50 px-3 py-2.5 text-sm [overflow-wrap:anywhere] text-red-800 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200"
    >
      {message}
    </div>
  );
}
