import * as DM from '@radix-ui/react-dropdown-menu';
import { useQueryClient } from '@tanstack/react-query';
import { Bell, BellOff, CheckCheck } from 'lucide-react';
import { useNavigate } from 'react-router';
import clsx from 'clsx';
import { ApiError } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useFrames } from '../../lib/realtime';
import { absoluteTime, relativeTime } from '../leads/format';
import { notificationsKey, prependNotification, SHOWN, useMarkRead, useNotifications, type Notification } from './api';

function Item({ n, onOpen }: { n: Notification; onOpen: (n: Notification) => void }) {
  return (
    <DM.Item
      data-testid="notification-item"
      data-notification-id={n.id}
      data-read={String(n.read)}
      onSelect={() => onOpen(n)}
      className={clsx(
        'flex cursor-pointer gap-3 rounded-lg px-2.5 py-2 outline-none select-none data-[highlighted]:bg-subtle',
        !n.read && 'bg-brand-50/60 dark:bg-brand-950/40',
      )}
    >
      <span aria-hidden className={clsx('mt-1.5 size-2 shrink-0 rounded-full', n.read ? 'bg-transparent' : 'bg-brand-500')} />
      <span className="min-w-0 flex-1">
        <span className={clsx('block text-sm break-words', n.read ? 'text-muted' : 'font-medium text-fg')}>{n.text}</span>
        <time dateTime={n.created_at} title={absoluteTime(n.created_at)} className="mt-0.5 block text-xs text-faint">
          {relativeTime(n.created_at)}
        </time>
      </span>
      {!n.read && <span className="sr-only">{t('notifications.unreadItem')}</span>}
    </DM.Item>
  );
}

/** The header bell: unread count, the latest notifications, live over the WebSocket. */
export function NotificationBell() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const list = useNotifications();
  const markRead = useMarkRead();
  const unread = list.data?.unread ?? 0;
  const items = list.data?.items.slice(0, SHOWN) ?? [];

  useFrames(
    (f) => {
      if (f.type === 'notification.new') prependNotification(qc, f.data);
      // Taken away: its "assigned to you" is read now and no longer opens it.
      else if (f.type === 'conversation.updated' && f.data.removed) void qc.invalidateQueries({ queryKey: notificationsKey });
    },
    () => qc.invalidateQueries({ queryKey: notificationsKey }),
  );

  function open(n: Notification) {
    if (!n.read) markRead.mutate([n.id]);
    if (n.conversation_id) navigate(`/inbox/${n.conversation_id}`);
  }

  const missing = list.error instanceof ApiError && list.error.status === 404;

  return (
    <DM.Root>
      <DM.Trigger
        data-testid="notifications-bell"
        aria-label={unread ? t('notifications.labelUnread', { count: unread }) : t('notifications.label')}
        className="focus-ring relative inline-flex size-9 shrink-0 items-center justify-center rounded-lg text-muted hover:bg-subtle hover:text-fg data-[state=open]:bg-subtle"
      >
        <Bell aria-hidden className="size-[18px]" />
        {unread > 0 && (
          <span
            data-testid="notifications-count"
            aria-hidden
            className="absolute -top-0.5 -right-0.5 inline-flex h-4 min-w-4 items-center justify-center rounded-full bg-red-600 px-1 text-[10px] leading-none font-semibold text-white ring-2 ring-surface dark:bg-red-500"
          >
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </DM.Trigger>
      <DM.Portal>
        <DM.Content
          align="end"
          sideOffset={6}
          collisionPadding={8}
          data-testid="notifications-menu"
          className="animate-fade-in z-50 flex max-h-[min(32rem,calc(100dvh-5rem))] w-[min(24rem,calc(100vw-1rem))] flex-col rounded-xl border border-line bg-surface shadow-lg"
        >
          <div className="flex items-center justify-between gap-3 border-b border-line px-3.5 py-2.5">
            <p className="text-sm font-semibold text-fg">{t('notifications.title')}</p>
            <DM.Item
              data-testid="notifications-read-all"
              disabled={unread === 0}
              onSelect={(e) => {
                e.preventDefault();
                markRead.mutate(undefined);
              }}
              className="inline-flex cursor-pointer items-center gap-1.5 rounded-md px-2 py-1 text-xs font-medium text-accent outline-none select-none data-[disabled]:pointer-events-none data-[disabled]:opacity-50 data-[highlighted]:bg-subtle"
            >
              <CheckCheck aria-hidden className="size-3.5" />
              {t('notifications.readAll')}
            </DM.Item>
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto p-1.5">
            {items.length > 0 ? (
              items.map((n) => <Item key={n.id} n={n} onOpen={open} />)
            ) : (
              <div className="flex flex-col items-center gap-2 px-4 py-8 text-center">
                <BellOff aria-hidden className="size-6 text-faint" />
                <p className="text-sm text-muted">
                  {list.isPending ? t('app.loading') : missing ? t('notifications.unavailable') : list.isError ? t('notifications.loadFailed') : t('notifications.empty')}
                </p>
              </div>
            )}
          </div>
        </DM.Content>
      </DM.Portal>
    </DM.Root>
  );
}
