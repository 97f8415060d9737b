// Small pieces around the inbox: connection dot, notification opt-in, simulator link, shortcut help.
import { useState, useSyncExternalStore } from 'react';
import clsx from 'clsx';
import { Bell, ExternalLink, Keyboard, X } from 'lucide-react';
import * as RD from '@radix-ui/react-dialog';
import { Button } from '../../components/Button';
import { t } from '../../lib/i18n';
import { useWsState } from '../../lib/realtime';
import { searchHotkey } from '../search/hotkey';

export function WsStatus() {
  const state = useWsState();
  const label = t(`ws.${state}`);
  return (
    <span data-testid="ws-status" data-state={state} title={label} className="inline-flex items-center gap-1.5 text-xs text-muted">
      <span
        aria-hidden
        className={clsx(
          'size-2 rounded-full',
          state === 'open' ? 'bg-brand-500' : state === 'connecting' ? 'animate-pulse bg-amber-400' : 'bg-red-500',
        )}
      />
      <span className="sr-only">{label}</span>
    </span>
  );
}

const permListeners = new Set<() => void>();
function permission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export function NotifyBanner() {
  const perm = useSyncExternalStore(
    (l) => {
      permListeners.add(l);
      return () => void permListeners.delete(l);
    },
    permission,
  );
  const [hidden, setHidden] = useState(() => sessionStorage.getItem('wf_notify_dismissed') === '1');
  if (perm !== 'default' || hidden) return null;
  return (
    <div className="flex items-center gap-2 border-b border-line bg-brand-50 px-3 py-2 text-xs text-brand-900 dark:bg-brand-950/50 dark:text-brand-100">
      <Bell aria-hidden className="size-4 shrink-0" />
      <button
        type="button"
        data-testid="notify-permission"
        onClick={async () => {
          await Notification.requestPermission();
          permListeners.forEach((l) => l());
        }}
        className="focus-ring flex-1 text-left font-medium underline-offset-2 hover:underline"
      >
        {t('notify.enable')}
      </button>
      <button
        type="button"
        aria-label={t('common.close')}
        onClick={() => {
          sessionStorage.setItem('wf_notify_dismissed', '1');
          setHidden(true);
        }}
        className="focus-ring rounded p-0.5 opacity-70 hover:opacity-100"
      >
        <X className="size-3.5" />
      </button>
    </div>
  );
}

export function SimulatorLink({ className, label = true }: { className?: string; label?: boolean }) {
  return (
    <a
      href="/simulator"
      target="_blank"
      rel="noopener"
      data-testid="open-simulator"
      title={t('simulator.open')}
      className={clsx(
        'focus-ring inline-flex items-center gap-1.5 rounded-lg text-xs font-medium text-brand-700 hover:underline dark:text-brand-300',
        className,
      )}
    >
      <ExternalLink aria-hidden className="size-3.5" />
      {label ? t('simulator.open') : <span className="sr-only">{t('simulator.open')}</span>}
    </a>
  );
}

const KEYS: [string, Parameters<typeof t>[0]][] = [
  ['j', 'shortcuts.next'],
  ['k', 'shortcuts.prev'],
  ['/', 'shortcuts.filter'],
  [searchHotkey, 'shortcuts.search'],
  ['Enter', 'shortcuts.send'],
  ['Shift+Enter', 'shortcuts.newline'],
  ['Esc', 'shortcuts.leave'],
  ['?', 'shortcuts.help'],
];

export function ShortcutHelp({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  return (
    <RD.Root open={open} onOpenChange={onOpenChange}>
      <RD.Trigger asChild>
        <Button variant="ghost" size="icon" aria-label={t('shortcuts.title')} title={t('shortcuts.title')} data-testid="shortcut-help" className="size-8">
          <Keyboard />
        </Button>
      </RD.Trigger>
      <RD.Portal>
        <RD.Overlay className="animate-fade-in fixed inset-0 z-50 bg-zinc-950/30 dark:bg-black/50" />
        <RD.Content className="animate-pop-in fixed top-1/2 left-1/2 z-50 w-[min(22rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-xl border border-line bg-surface p-5 shadow-2xl focus:outline-none">
          <RD.Title className="text-base font-semibold text-fg">{t('shortcuts.title')}</RD.Title>
          <RD.Description className="sr-only">{t('shortcuts.title')}</RD.Description>
          <dl className="mt-3 space-y-2 text-sm">
            {KEYS.map(([k, label]) => (
              <div key={k} className="flex items-center justify-between gap-4">
                <dt className="text-muted">{t(label)}</dt>
                <dd>
                  <kbd className="rounded-md border border-line-strong bg-subtle px-1.5 py-0.5 font-mono text-xs text-fg">{k}</kbd>
                </dd>
              </div>
            ))}
          </dl>
        </RD.Content>
      </RD.Portal>
    </RD.Root>
  );
}
