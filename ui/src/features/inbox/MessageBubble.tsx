import { memo } from 'react';
import clsx from 'clsx';
import { Check, CheckCheck, Clock, CircleAlert, Reply, RotateCw } from 'lucide-react';
import { t } from '../../lib/i18n';
import { clockTime, previewText } from './format';
import { MessageContent } from './MessageContent';
import type { Message } from './types';

export function Ticks({ status }: { status: Message['status'] }) {
  const common = 'size-3.5 shrink-0';
  const label = t(`status.${status}`);
  return (
    <span data-testid="message-ticks" data-status={status} title={label} aria-label={label} className="inline-flex">
      {status === 'queued' ? (
        <Clock className={clsx(common, 'opacity-60')} />
      ) : status === 'sent' ? (
        <Check className={clsx(common, 'opacity-70')} />
      ) : status === 'delivered' ? (
        <CheckCheck className={clsx(common, 'opacity-70')} />
      ) : status === 'read' ? (
        <CheckCheck className={clsx(common, 'text-sky-500 dark:text-sky-400')} />
      ) : status === 'failed' ? (
        <CircleAlert className={clsx(common, 'text-red-600 dark:text-red-400')} />
      ) : null}
    </span>
  );
}

const CENTERED = new Set(['system', 'unsupported', 'errors', 'reaction']);

interface Props {
  m: Message;
  quoted: Message | null;
  authorName: string | null;
  onReply: (m: Message) => void;
  onRetry: (m: Message) => void;
  retrying: boolean;
  /** Just jumped to (a search hit): a ring for a moment. */
  highlighted?: boolean;
}

const FLASH = 'ring-2 ring-amber-400 ring-offset-2 ring-offset-canvas dark:ring-amber-300 animate-flash';

export const MessageBubble = memo(function MessageBubble({ m, quoted, authorName, onReply, onRetry, retrying, highlighted }: Props) {
  const out = m.direction === 'out';
  const flash = highlighted ? { 'data-testid': 'message-highlighted' } : {};
  const attrs = { 'data-testid': 'message', 'data-id': m.id, 'data-message-id': m.id, 'data-direction': m.direction, 'data-type': m.type, 'data-status': m.status };

  if (CENTERED.has(m.type)) {
    const errs = (m.details.errors as { title?: string; message?: string }[] | undefined) ?? [];
    return (
      <div {...attrs} className="flex justify-center py-1">
        <p {...flash} className={clsx('max-w-md rounded-lg bg-subtle px-3 py-1.5 text-center text-xs text-muted ring-1 ring-line', highlighted && FLASH)}>
          {m.type === 'unsupported' ? t('thread.unsupported') : m.text || previewText(m)}
          {errs.length > 0 && <span className="block opacity-80">{errs.map((e) => e.title ?? e.message).join(' · ')}</span>}
        </p>
      </div>
    );
  }

  const failed = m.status === 'failed';
  return (
    <div {...attrs} className={clsx('group flex items-end gap-1.5 py-0.5', out ? 'justify-end' : 'justify-start')}>
      {out && <ReplyButton onClick={() => onReply(m)} />}
      <div className={clsx('relative max-w-[85%] sm:max-w-[70%]', m.reactions.length > 0 && 'mb-3')}>
        <div
          {...flash}
          className={clsx(
            'rounded-2xl px-3 py-2 text-sm shadow-xs transition-shadow',
            out
              ? 'rounded-br-md bg-brand-100 text-brand-950 dark:bg-brand-900 dark:text-brand-50'
              : 'rounded-bl-md bg-surface text-fg ring-1 ring-line',
            failed && 'ring-2 ring-red-400 dark:ring-red-500',
            highlighted && FLASH,
          )}
        >
          {authorName && (
            <p data-testid="message-author" className={clsx('mb-0.5 text-[11px] font-semibold', out ? 'text-brand-700 dark:text-brand-300' : 'text-muted')}>
              {authorName}
            </p>
          )}
          {m.reply_to && <Quote quoted={quoted} />}
          <MessageContent m={m} />
          <span className="float-right mt-1 ml-3 flex items-center gap-1 text-[11px] leading-none opacity-70">
            {clockTime(m.created_at)}
            {out && <Ticks status={m.status} />}
          </span>
          <span className="clear-both block" />
        </div>
        {m.status === 'queued' && m.error && (
          <p data-testid="message-waiting" className="mt-1 text-right text-xs text-amber-700 dark:text-amber-300">
            {m.error}
          </p>
        )}
        {failed && (
          <div className="mt-1 flex flex-wrap items-center justify-end gap-2 text-xs text-red-700 dark:text-red-300">
            <span data-testid="message-error">{m.error || t('thread.failed')}</span>
            {/* Meta's 131047 (the 24-hour window) only a template gets past: sending again cannot help */}
            {(m.type === 'template' || !/\b131047\b/.test(m.error ?? '')) && (
            <button
              type="button"
              data-testid="message-retry"
              disabled={retrying}
              onClick={() => onRetry(m)}
              className="focus-ring inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 font-medium text-red-700 underline-offset-2 hover:underline disabled:opacity-50 dark:text-red-300"
            >
              <RotateCw aria-hidden className={clsx('size-3', retrying && 'animate-spin')} />
              {t('thread.retry')}
            </button>
            )}
          </div>
        )}
        {m.reactions.length > 0 && (
          <span
            data-testid="message-reactions"
            title={m.reactions.map((r) => r.emoji).join(' ')}
            className={clsx(
              'absolute -bottom-3 flex items-center gap-0.5 rounded-full bg-surface px-1.5 py-0.5 text-xs shadow-sm ring-1 ring-line',
              out ? 'right-2' : 'left-2',
            )}
          >
            {m.reactions.slice(0, 3).map((r, i) => (
              <span key={i}>{r.emoji}</span>
            ))}
            {m.reactions.length > 1 && <span className="text-[10px] text-muted">{m.reactions.length}</span>}
          </span>
        )}
      </div>
      {!out && <ReplyButton onClick={() => onReply(m)} />}
    </div>
  );
});

/** Shown on hover with a mouse; always (dimmed) on a touch screen, which has no hover. */
function ReplyButton({ onClick }: { onClick: () => void }) {
  return (
    <button
      type="button"
      data-testid="message-reply"
      onClick={onClick}
      aria-label={t('thread.reply')}
      title={t('thread.reply')}
      className="focus-ring mb-1 rounded-full p-1.5 text-faint opacity-0 transition-opacity group-hover:opacity-100 hover:bg-subtle hover:text-fg focus-visible:opacity-100 pointer-coarse:opacity-60"
    >
      <Reply aria-hidden className="size-4" />
    </button>
  );
}

export function Quote({ quoted, className }: { quoted: Message | null; className?: string }) {
  return (
    <div className={clsx('mb-1.5 rounded-md border-l-4 border-brand-500 bg-black/[.04] px-2 py-1 text-xs dark:bg-white/[.06]', className)}>
      {quoted ? (
        <>
          <p className="font-semibold text-brand-700 dark:text-brand-300">{quoted.direction === 'out' ? t('inbox.team') : t('thread.customer')}</p>
          <p className="line-clamp-2 opacity-80">{previewText(quoted)}</p>
        </>
      ) : (
        <p className="italic opacity-70">{t('thread.quotedUnavailable')}</p>
      )}
    </div>
  );
}
