import { forwardRef, type InputHTMLAttributes, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { ChevronDown } from 'lucide-react';
import clsx from 'clsx';

export const controlClass = (invalid?: boolean) =>
  clsx(
    'block w-full rounded-lg border bg-surface px-3 text-sm text-fg shadow-xs transition-colors',
    'placeholder:text-faint focus:outline-none focus:ring-3 disabled:cursor-not-allowed disabled:opacity-60',
    invalid
      ? 'border-red-500 focus:border-red-500 focus:ring-red-500/20 dark:border-red-400'
      : 'border-line-strong focus:border-brand-500 focus:ring-brand-500/20',
  );

export interface InputProps extends InputHTMLAttributes<HTMLInputElement> {
  invalid?: boolean;
}

export const Input = forwardRef<HTMLInputElement, InputProps>(function Input({ invalid, className, ...rest }, ref) {
  return (
    <input
      ref={ref}
      aria-invalid={invalid || undefined}
      className={clsx(controlClass(invalid), 'h-10', className)}
      {...rest}
    />
  );
});

export interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  invalid?: boolean;
}

/** A styled native <select>: accessible, mobile friendly and easy to drive in tests. */
export const Select = forwardRef<HTMLSelectElement, SelectProps>(function Select(
  { invalid, className, children, ...rest },
  ref,
) {
  return (
    <div className={clsx('relative', className)}>
      <select
        ref={ref}
        aria-invalid={invalid || undefined}
        className={clsx(controlClass(invalid), 'h-10 cursor-pointer appearance-none pr-9')}
        {...rest}
      >
        {children}
      </select>
      <ChevronDown aria-hidden className="pointer-events-none absolute top-1/2 right-3 size-4 -translate-y-1/2 text-faint" />
    </div>
  );
});

export interface TextareaProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  invalid?: boolean;
}

export const Textarea = forwardRef<HTMLTextAreaElement, TextareaProps>(function Textarea({ invalid, className, ...rest }, ref) {
  return <textarea ref={ref} aria-invalid={invalid || undefined} className={clsx(controlClass(invalid), 'resize-y py-2', className)} {...rest} />;
});
