// What a bubble shows instead of a file that is not in the data folder: one
// still coming from WhatsApp, or one that could not be fetched (there is
// nothing to open or download, so no link is offered).
import { FileX, LoaderCircle } from 'lucide-react';
import { t } from '../../lib/i18n';
import type { Message } from './types';

const KINDS = new Set(['image', 'sticker', 'video', 'audio', 'document']);

/** Whether the message's file is not in the data folder (yet): its URL answers 409 or 404. */
export function mediaMissing(m: Message): boolean {
  return KINDS.has(m.type) && (m.media?.status === 'pending' || m.media?.status === 'failed');
}

/** The placeholder for a file that is not there (yet), or null when it is. */
export function MediaState({ m }: { m: Message }) {
  const status = m.media?.status;
  if (!mediaMissing(m)) return null;
  const name = m.media?.filename || (m.details.filename as string | undefined);
  if (status === 'pending') {
    return (
      <div
        data-testid="media-pending"
        role="status"
        className="flex min-h-16 min-w-48 items-center justify-center gap-2 rounded-lg bg-black/[.04] px-3 py-2 text-sm text-muted dark:bg-white/5"
      >
        <LoaderCircle aria-hidden className="size-4 shrink-0 animate-spin" />
        <span className="min-w-0 truncate">{name ? `${name} · ${t('thread.mediaDownloading')}` : t('thread.mediaDownloading')}</span>
      </div>
    );
  }
  return (
    <div
      data-testid="media-failed"
      className="flex items-start gap-2.5 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-red-800 dark:border-red-900 dark:bg-red-950/40 dark:text-red-200"
    >
      <FileX aria-hidden className="mt-0.5 size-5 shrink-0" />
      <span className="min-w-0">
        {name && <span className="block truncate text-xs opacity-80">{name}</span>}
        <span className="block text-sm font-medium">{t('thread.mediaFailed')}</span>
        <span className="block text-xs opacity-80">{t('thread.mediaFailedHint')}</span>
      </span>
    </div>
  );
}
