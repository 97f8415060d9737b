import { useEffect, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent } from 'react';
import clsx from 'clsx';
import { FileText, LayoutList, Paperclip, SendHorizontal, TriangleAlert, X } from 'lucide-react';
import { Button } from '../../components/Button';
import { ApiError, errorMessage } from '../../lib/api';
import { getDraft, setDraft } from '../../lib/drafts';
import { t } from '../../lib/i18n';
import { useSend } from './api';
import { AttachmentPreview } from './AttachmentPreview';
import { MAX_TEXT, textLength } from './format';
import { InteractiveBuilder } from './InteractiveBuilder';
import { Quote } from './MessageBubble';
import { QuickReplyPopup, useQuickReplyMatches } from './QuickReplyPopup';
import { TemplatePicker } from './TemplatePicker';
import type { Conversation, Message } from './types';

interface Props {
  conv: Conversation;
  replyTo: Message | null;
  onClearReply: () => void;
}

export function Composer({ conv, replyTo, onClearReply }: Props) {
  const send = useSend(conv.id);
  const [text, setText] = useState(() => getDraft(conv.id));
  const [error, setError] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [interactiveOpen, setInteractiveOpen] = useState(false);
  const [qrIndex, setQrIndex] = useState(0);
  const [qrDismissed, setQrDismissed] = useState(false);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const windowOpen = conv.window.open;

  useEffect(() => {
    setDraft(conv.id, text);
  }, [conv.id, text]);
  useEffect(() => {
    if (replyTo) inputRef.current?.focus();
  }, [replyTo]);

  // quick replies: "/" at the very start
  const qrQuery = !qrDismissed && text.startsWith('/') && !text.includes('\n') ? text.slice(1) : null;
  const matches = useQuickReplyMatches(qrQuery);
  const qrOpen = qrQuery !== null && matches.length > 0;
  useEffect(() => setQrIndex(0), [qrQuery]);

  const length = textLength(text);
  const tooLong = length > MAX_TEXT;
  const canSend = windowOpen && text.trim().length > 0 && !tooLong && !send.isPending;

  const insertQuickReply = (value: string) => {
    setText(value);
    setQrDismissed(true);
    requestAnimationFrame(() => {
      const el = inputRef.current;
      if (el) {
        el.focus();
        el.setSelectionRange(value.length, value.length);
      }
    });
  };

  const submit = () => {
    if (!canSend) return;
    setError(null);
    const body = text.trim();
    send.mutate(
      { type: 'text', text: body, ...(replyTo ? { reply_to: replyTo.id } : {}) },
      {
        onSuccess: () => {
          setText('');
          setQrDismissed(false);
          onClearReply();
        },
        onError: (e) => setError(fieldError(e)),
      },
    );
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (qrOpen) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setQrIndex((i) => (i + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        insertQuickReply(matches[qrIndex].text);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setQrDismissed(true);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') {
      if (replyTo) onClearReply();
      else e.currentTarget.blur();
    }
  };

  const pick = (f: File | null | undefined) => {
    if (f && windowOpen) setFile(f);
  };
  const onPaste = (e: ClipboardEvent) => {
    const f = [...e.clipboardData.files].find((x) => x.type.startsWith('image/'));
    if (f) {
      e.preventDefault();
      pick(f);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    pick(e.dataTransfer.files[0]);
  };

  return (
    <div
      className="relative shrink-0 border-t border-line bg-surface"
      onDragOver={(e) => {
        if (windowOpen && e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      {dragging && (
        <div className="pointer-events-none absolute inset-0 z-10 flex items-center justify-center rounded-md border-2 border-dashed border-brand-500 bg-brand-50/90 text-sm font-medium text-brand-800 dark:bg-brand-950/90 dark:text-brand-200">
          {t('composer.dropHere')}
        </div>
      )}
      {!windowOpen && (
        <div
          data-testid="window-closed"
          role="status"
          className="flex items-center gap-2 border-b border-amber-200 bg-amber-50 px-4 py-2.5 text-sm text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-100"
        >
          <TriangleAlert aria-hidden className="size-4 shrink-0" />
          <span className="flex-1">{t('composer.windowClosed')}</span>
          <Button size="sm" data-testid="composer-templates" onClick={() => setTemplatesOpen(true)}>
            <FileText aria-hidden />
            {t('composer.templates')}
          </Button>
        </div>
      )}
      {windowOpen && (
        <div className="px-3 pt-2 sm:px-4">
          {replyTo && (
            <div data-testid="reply-preview" className="mb-2 flex items-start gap-2">
              <Quote quoted={replyTo} className="mb-0 flex-1" />
              <button
                type="button"
                onClick={onClearReply}
                aria-label={t('composer.cancelReply')}
                className="focus-ring rounded-full p-1 text-faint hover:bg-subtle hover:text-fg"
              >
                <X className="size-4" />
              </button>
            </div>
          )}
          {file && <AttachmentPreview conversationId={conv.id} file={file} onDone={() => setFile(null)} />}
          {qrOpen && <QuickReplyPopup items={matches} active={qrIndex} onPick={(q) => insertQuickReply(q.text)} />}
          <div className="flex items-end gap-1.5 pb-2">
            <input
              ref={fileRef}
              type="file"
              data-testid="composer-file"
              className="hidden"
              onChange={(e) => {
                pick(e.target.files?.[0]);
                e.target.value = '';
              }}
            />
            <Button variant="ghost" size="icon" data-testid="composer-attach" aria-label={t('composer.attach')} title={t('composer.attach')} onClick={() => fileRef.current?.click()}>
              <Paperclip />
            </Button>
            <Button variant="ghost" size="icon" data-testid="composer-templates" aria-label={t('composer.templates')} title={t('composer.templates')} onClick={() => setTemplatesOpen(true)}>
              <FileText />
            </Button>
            <Button variant="ghost" size="icon" data-testid="composer-interactive" aria-label={t('composer.interactive')} title={t('composer.interactive')} onClick={() => setInteractiveOpen(true)}>
              <LayoutList />
            </Button>
            <textarea
              ref={inputRef}
              data-testid="composer-input"
              value={text}
              rows={1}
              onChange={(e) => {
                setText(e.target.value);
                if (!e.target.value.startsWith('/')) setQrDismissed(false);
                setError(null);
              }}
              onKeyDown={onKeyDown}
              onPaste={onPaste}
              placeholder={t('composer.placeholder')}
              aria-label={t('composer.placeholder')}
              aria-invalid={Boolean(error) || tooLong || undefined}
              style={{ fieldSizing: 'content' } as React.CSSProperties}
              className={clsx(
                'max-h-40 min-h-10 flex-1 resize-none rounded-xl border bg-canvas px-3 py-2 text-sm text-fg placeholder:text-faint focus:ring-3 focus:outline-none',
                error || tooLong ? 'border-red-500 focus:ring-red-500/20' : 'border-line-strong focus:border-brand-500 focus:ring-brand-500/20',
              )}
            />
            <Button size="icon" data-testid="composer-send" aria-label={t('composer.send')} title={t('composer.send')} disabled={!canSend} loading={send.isPending} onClick={submit} className="size-10 rounded-full">
              {!send.isPending && <SendHorizontal />}
            </Button>
          </div>
          {(error || length > MAX_TEXT - 500) && (
            <div className="flex items-center gap-3 pb-2 text-xs">
              {error && (
                <p data-testid="composer-error" role="alert" className="flex-1 text-red-600 dark:text-red-400">
                  {error}
                </p>
              )}
              {length > MAX_TEXT - 500 && (
                <p data-testid="composer-counter" className={clsx('ml-auto tabular-nums', tooLong ? 'font-semibold text-red-600 dark:text-red-400' : 'text-muted')}>
                  {length}/{MAX_TEXT}
                </p>
              )}
            </div>
          )}
        </div>
      )}
      {templatesOpen && <TemplatePicker conv={conv} onClose={() => setTemplatesOpen(false)} />}
      {interactiveOpen && <InteractiveBuilder conv={conv} onClose={() => setInteractiveOpen(false)} />}
    </div>
  );
}

/** A 422's field messages joined, or the error's own message. */
export function fieldError(e: unknown): string {
  if (e instanceof ApiError && e.details?.length) {
    return e.details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join(' · ');
  }
  return errorMessage(e);
}
