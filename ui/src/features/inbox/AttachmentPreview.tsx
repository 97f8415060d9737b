import { useEffect, useState } from 'react';
import { File as FileIcon, SendHorizontal, X } from 'lucide-react';
import { Button } from '../../components/Button';
import { t } from '../../lib/i18n';
import { uploadAttachment, useSend } from './api';
import { fieldError } from './Composer';
import type { Upload } from './types';

type Kind = 'image' | 'video' | 'audio' | 'document';

export function mediaKind(mime: string): Kind {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  return 'document';
}

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Uploads at once (with progress), then waits for a caption and Send. */
export function AttachmentPreview({ conversationId, file, onDone }: { conversationId: string; file: File; onDone: () => void }) {
  const send = useSend(conversationId);
  const [progress, setProgress] = useState(0);
  const [upload, setUpload] = useState<Upload | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [caption, setCaption] = useState('');
  const kind = mediaKind(file.type);
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => {
    if (kind !== 'image') return;
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file, kind]);

  useEffect(() => {
    const job = uploadAttachment(conversationId, file, setProgress);
    job.promise.then(setUpload, (e) => {
      if (!(e instanceof DOMException)) setError(fieldError(e));
    });
    return () => job.abort();
  }, [conversationId, file]);

  const submit = () => {
    if (!upload) return;
    setError(null);
    const body = { type: kind, media_id: upload.id, ...(caption.trim() && kind !== 'audio' ? { caption: caption.trim() } : {}) };
    send.mutate(body, { onSuccess: onDone, onError: (e) => setError(fieldError(e)) });
  };

  return (
    <div data-testid="attachment-preview" className="mb-2 rounded-xl border border-line bg-canvas p-2.5">
      <div className="flex items-start gap-3">
        {preview ? (
          <img src={preview} alt="" className="size-16 shrink-0 rounded-lg object-cover" />
        ) : (
          <span className="flex size-16 shrink-0 items-center justify-center rounded-lg bg-subtle">
            <FileIcon aria-hidden className="size-7 text-faint" />
          </span>
        )}
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-medium text-fg">{file.name}</p>
          <p className="text-xs text-muted">
            {size(file.size)} · {upload ? t('composer.uploaded') : t('composer.uploading', { pct: Math.round(progress * 100) })}
          </p>
          <div className="mt-1.5 h-1 overflow-hidden rounded-full bg-line" role="progressbar" aria-valuenow={Math.round(progress * 100)} aria-valuemin={0} aria-valuemax={100}>
            <div className="h-full bg-brand-500 transition-[width]" style={{ width: `${upload ? 100 : progress * 100}%` }} />
          </div>
        </div>
        <button type="button" onClick={onDone} aria-label={t('composer.removeAttachment')} className="focus-ring rounded-full p-1 text-faint hover:bg-subtle hover:text-fg">
          <X className="size-4" />
        </button>
      </div>
      <div className="mt-2 flex gap-2">
        {kind !== 'audio' && (
          <input
            data-testid="attachment-caption"
            value={caption}
            onChange={(e) => setCaption(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                submit();
              }
            }}
            placeholder={t('composer.caption')}
            aria-label={t('composer.caption')}
            className="h-9 min-w-0 flex-1 rounded-lg border border-line-strong bg-surface px-3 text-sm text-fg placeholder:text-faint focus:border-brand-500 focus:ring-3 focus:ring-brand-500/20 focus:outline-none"
          />
        )}
        <Button size="sm" className="h-9" data-testid="attachment-send" disabled={!upload} loading={send.isPending} onClick={submit}>
          <SendHorizontal aria-hidden />
          {t('composer.send')}
        </Button>
      </div>
      {error && (
        <p role="alert" className="mt-1.5 text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
