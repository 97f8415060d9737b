import { memo } from 'react';
import clsx from 'clsx';
import { CircleAlert, Lock } from 'lucide-react';
import { Avatar, initials } from '../../components/Avatar';
import { t } from '../../lib/i18n';
import { contactLabel, listTime, previewText, typeIcon } from './format';
import type { Conversation } from './types';

export const ROW_HEIGHT = 72;

interface RowProps {
  conv: Conversation;
  active: boolean;
  assigneeName: string | null;
  onOpen: (id: string) => void;
}

export const ConversationRow = memo(function ConversationRow({ conv, active, assigneeName, onOpen }: RowProps) {
  const name = contactLabel(conv.contact);
  const last = conv.last_message;
  const Icon = last ? typeIcon(last.type) : null;
  const unread = conv.unread_count;
  return (
    <button
      type="button"
      data-testid="conversation-row"
      data-id={conv.id}
      data-active={active ? 'true' : 'false'}
      data-unread={unread}
      aria-current={active ? 'true' : undefined}
      onClick={() => onOpen(conv.id)}
      style={{ height: ROW_HEIGHT }}
      className={clsx(
        'focus-ring flex w-full items-center gap-3 border-b border-line px-3 text-left transition-colors',
        active ? 'bg-brand-50 dark:bg-brand-950/60' : 'hover:bg-subtle',
      )}
    >
      <Avatar name={name} className="size-10 text-sm" />
      <span className="min-w-0 flex-1">
        <span className="flex items-baseline gap-2">
          <span className={clsx('min-w-0 flex-1 truncate text-sm', unread ? 'font-semibold text-fg' : 'font-medium text-fg')}>
            {name}
          </span>
          <span className={clsx('shrink-0 text-xs', unread ? 'font-medium text-brand-700 dark:text-brand-300' : 'text-faint')}>
            {listTime(last?.created_at ?? conv.updated_at)}
          </span>
        </span>
        <span className="mt-0.5 flex items-center gap-1.5">
          <span className={clsx('flex min-w-0 flex-1 items-center gap-1 truncate text-xs', unread ? 'text-fg' : 'text-muted')}>
            {last?.direction === 'out' && last.status === 'failed' ? (
              <span data-testid="row-not-sent" className="inline-flex shrink-0 items-center gap-1 font-medium text-red-600 dark:text-red-400">
                <CircleAlert aria-hidden className="size-3.5" />
                {t('inbox.notSent')}:
              </span>
            ) : (
              last?.direction === 'out' && <span className="shrink-0 text-faint">{t('inbox.team')}:</span>
            )}
            {Icon && <Icon aria-hidden className="size-3.5 shrink-0 text-faint" />}
            <span className="truncate">{last ? previewText(last) : t('inbox.noMessages')}</span>
          </span>
          {conv.status === 'closed' && (
            <span title={t('inbox.closed')} className="shrink-0 text-faint">
              <Lock aria-label={t('inbox.closed')} className="size-3.5" />
            </span>
          )}
          {assigneeName && (
            <span
              title={t('inbox.assignedTo', { name: assigneeName })}
              className="inline-flex size-5 shrink-0 items-center justify-center rounded-full bg-subtle text-[10px] font-semibold text-muted ring-1 ring-line"
            >
              {initials(assigneeName)}
            </span>
          )}
          {unread > 0 && (
            <span
              data-testid="unread-badge"
              aria-label={t('inbox.unread', { count: unread })}
              className="inline-flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full bg-brand-600 px-1.5 text-[11px] font-semibold text-white dark:bg-brand-500 dark:text-brand-950"
            >
              {unread > 99 ? '99+' : unread}
            </span>
          )}
        </span>
      </span>
    </button>
  );
});
