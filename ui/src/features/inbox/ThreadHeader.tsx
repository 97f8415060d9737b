import clsx from 'clsx';
import { ArrowLeft, CircleCheck, Eye, PanelRight, RotateCcw } from 'lucide-react';
import { Avatar, initials } from '../../components/Avatar';
import { Button } from '../../components/Button';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import { usePresence } from '../../lib/realtime';
import type { Member } from '../../lib/types';
import { useUpdateConversation } from './api';
import { contactLabel, windowUntil } from './format';
import type { Conversation } from './types';

interface Props {
  conv: Conversation;
  members: Map<string, Member>;
  onBack?: () => void;
  onTogglePanel: () => void;
  panelOpen: boolean;
}

export function ThreadHeader({ conv, members, onBack, onTogglePanel, panelOpen }: Props) {
  const session = useSession();
  const toast = useToast();
  const update = useUpdateConversation(conv.id, session.member?.id);
  const presence = usePresence();
  const me = session.member?.id;
  const viewers = [...presence.values()].filter((p) => p.online && p.member_id !== me && p.viewing.includes(conv.id));
  const name = contactLabel(conv.contact);
  const closed = conv.status === 'closed';
  const windowText = conv.window.open
    ? conv.window.expires_at
      ? t('thread.windowOpenUntil', { time: windowUntil(conv.window.expires_at) })
      : t('thread.windowOpen')
    : t('thread.windowClosed');

  const setStatus = (status: 'open' | 'closed') =>
    update.mutate({ status }, { onError: (e) => toast.error(errorMessage(e)) });

  return (
    <div className="flex h-16 shrink-0 items-center gap-2 border-b border-line bg-surface px-2 sm:px-4">
      {onBack && (
        <Button variant="ghost" size="icon" onClick={onBack} aria-label={t('thread.back')} data-testid="thread-back">
          <ArrowLeft />
        </Button>
      )}
      <Avatar name={name} className="size-9" />
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-semibold text-fg">{name}</p>
        <p className="flex min-w-0 items-center gap-2 text-xs text-muted">
          {/* the phone keeps its width and the window state gives way first;
              with the contact panel open the panel shows the phone instead */}
          {conv.contact.name && conv.contact.phone && !panelOpen && (
            <span className="hidden shrink-0 whitespace-nowrap sm:inline">{conv.contact.phone}</span>
          )}
          <span
            data-testid="window-state"
            data-open={conv.window.open ? 'true' : 'false'}
            title={windowText}
            className={clsx('inline-flex min-w-0 items-center gap-1', conv.window.open ? 'text-brand-700 dark:text-brand-300' : 'text-amber-700 dark:text-amber-300')}
          >
            <span aria-hidden className={clsx('size-1.5 shrink-0 rounded-full', conv.window.open ? 'bg-brand-500' : 'bg-amber-500')} />
            <span className="truncate">{windowText}</span>
          </span>
        </p>
      </div>
      {viewers.length > 0 && (
        <div
          data-testid="thread-viewers"
          className="hidden items-center gap-1 sm:flex"
          title={t('thread.alsoViewing', { names: viewers.map((v) => members.get(v.member_id)?.name ?? v.name ?? '?').join(', ') })}
        >
          <Eye aria-hidden className="size-4 text-faint" />
          <div className="flex -space-x-1.5">
            {viewers.slice(0, 3).map((v) => {
              const n = members.get(v.member_id)?.name ?? v.name ?? '?';
              return (
                <span
                  key={v.member_id}
                  className="inline-flex size-6 items-center justify-center rounded-full bg-sky-100 text-[10px] font-semibold text-sky-800 ring-2 ring-surface dark:bg-sky-900 dark:text-sky-100"
                >
                  {initials(n)}
                </span>
              );
            })}
          </div>
        </div>
      )}
      {closed ? (
        <Button
          variant="secondary"
          size="sm"
          data-testid="thread-reopen"
          aria-label={t('thread.reopenConversation')}
          title={t('thread.reopenConversation')}
          loading={update.isPending}
          onClick={() => setStatus('open')}
        >
          <RotateCcw aria-hidden />
          <span className="hidden sm:inline">{t('thread.reopen')}</span>
        </Button>
      ) : (
        <Button
          variant="secondary"
          size="sm"
          data-testid="thread-close"
          aria-label={t('thread.closeConversation')}
          title={t('thread.closeConversation')}
          loading={update.isPending}
          onClick={() => setStatus('closed')}
        >
          <CircleCheck aria-hidden />
          <span className="hidden sm:inline">{t('thread.close')}</span>
        </Button>
      )}
      <Button
        variant="ghost"
        size="icon"
        onClick={onTogglePanel}
        aria-pressed={panelOpen}
        aria-label={t('thread.togglePanel')}
        title={t('thread.togglePanel')}
        data-testid="toggle-contact-panel"
      >
        <PanelRight />
      </Button>
    </div>
  );
}
