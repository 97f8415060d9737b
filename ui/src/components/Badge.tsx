import type { ReactNode } from 'react';
import clsx from 'clsx';

export type Tone = 'neutral' | 'brand' | 'blue' | 'amber' | 'red';

const tones: Record<Tone, string> = {
  neutral: 'bg-subtle text-muted ring-line',
  brand: 'bg-brand-50 text-brand-800 ring-brand-200 dark:bg-brand-950 dark:text-brand-200 dark:ring-brand-800',
  blue: 'bg-sky-50 text-sky-800 ring-sky-200 dark:bg-sky-950/60 dark:text-sky-200 dark:ring-sky-800',
  amber: 'bg-amber-50 text-amber-800 ring-amber-200 dark:bg-amber-950/50 dark:text-amber-200 dark:ring-amber-800',
  red: 'bg-red-50 text-red-700 ring-red-200 dark:bg-red-950/50 dark:text-red-200 dark:ring-red-800',
};

export function Badge({ tone = 'neutral', children, className }: { tone?: Tone; children: ReactNode; className?: string }) {
  return (
    <span
      className={clsx(
        'inline-flex items-center gap-1 rounded-md px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset',
        tones[tone],
        className,
      )}
    >
      {children}
    </span>
  );
}

/** A small coloured dot with a text label (availability, status). */
export function StatusDot({ on, label }: { on: boolean; label: string }) {
  return (
    <span className="inline-flex items-center gap-2 text-sm text-muted">
      <span
        aria-hidden
        className={clsx(
          'size-2 rounded-full',
          on ? 'bg-brand-500 shadow-[0_0_0_3px] shadow-brand-500/20' : 'bg-faint/60',
        )}
      />
      {label}
    </span>
  );
}
