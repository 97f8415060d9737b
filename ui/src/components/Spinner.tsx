import { LoaderCircle } from 'lucide-react';
import clsx from 'clsx';
import { t } from '../lib/i18n';

export function Spinner({ className, label }: { className?: string; label?: string }) {
  return (
    <span role="status" className={clsx('inline-flex items-center gap-2 text-muted', className)}>
      <LoaderCircle aria-hidden className="size-4 animate-spin" />
      <span className={label ? 'text-sm' : 'sr-only'}>{label ?? t('app.loading')}</span>
    </span>
  );
}

export function FullPageSpinner() {
  return (
    <div className="flex min-h-full items-center justify-center p-8">
      <Spinner label={t('app.loading')} />
    </div>
  );
}

export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden className={clsx('animate-pulse rounded-md bg-subtle', className)} />;
}
