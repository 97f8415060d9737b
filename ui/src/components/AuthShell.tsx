import type { ReactNode } from 'react';
import { t } from '../lib/i18n';
import { Logo } from './Logo';
import { ThemeToggle } from './ThemeToggle';

/** Centered card for the signed-out pages (setup, login). */
export function AuthShell({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <div className="relative flex min-h-full flex-col bg-canvas">
      <div
        aria-hidden
        className="pointer-events-none absolute inset-x-0 top-0 h-72 bg-gradient-to-b from-brand-100/70 to-transparent dark:from-brand-950/60"
      />
      <header className="relative flex items-center justify-between px-4 py-4 sm:px-8">
        <Logo />
        <ThemeToggle />
      </header>
      <main className="relative flex flex-1 items-start justify-center px-4 pt-6 pb-16 sm:pt-12">
        <div className="w-full max-w-md">
          <div className="rounded-2xl border border-line bg-surface p-6 shadow-xl shadow-zinc-900/5 sm:p-8 dark:shadow-black/30">
            <h1 className="text-2xl font-semibold tracking-tight text-fg">{title}</h1>
            <p className="mt-1.5 mb-6 text-sm text-muted">{subtitle}</p>
            {children}
          </div>
          <p className="mt-6 text-center text-xs text-faint">{t('app.tagline')}</p>
        </div>
      </main>
    </div>
  );
}
