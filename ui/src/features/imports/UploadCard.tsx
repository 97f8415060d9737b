// Drop zone + file button. The kind follows the extension; a .txt or .zip can
// be flagged as a WhatsApp chat export. Upload shows bytes sent, then opens the import.

import { useRef, useState, type DragEvent } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { FileUp, X } from 'lucide-react';
import clsx from 'clsx';
import { Button } from '../../components/Button';
import { Card, CardHeader } from '../../components/Card';
import { Checkbox } from '../../components/Checkbox';
import { FormError } from '../../components/Field';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { importsKey, uploadImport } from './api';
import { fmtSize, ProgressBar } from './parts';

const MAX_BYTES = 100 * 1024 * 1024;
const ext = (name: string) => name.toLowerCase().split('.').pop() ?? '';
const SUPPORTED = ['csv', 'tsv', 'txt', 'zip'];

export function UploadCard() {
  const input = useRef<HTMLInputElement>(null);
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [chat, setChat] = useState(false);
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const e = file ? ext(file.name) : '';
  const canBeChat = e === 'txt' || e === 'zip';

  const pick = (f: File | undefined) => {
    setError(null);
    if (!f) return;
    const x = ext(f.name);
    if (!SUPPORTED.includes(x)) return setError(t('imports.badType'));
    if (f.size > MAX_BYTES) return setError(t('imports.tooLarge'));
    setFile(f);
    setChat(x === 'zip' || (x === 'txt' && /whatsapp|chat/i.test(f.name)));
  };

  const clear = () => {
    setFile(null);
    setError(null);
    if (input.current) input.current.value = '';
  };

  const upload = async () => {
    if (!file) return;
    setError(null);
    setProgress(0);
    try {
      const kind = canBeChat && chat ? 'chat' : 'csv';
      const res = await uploadImport(file, kind, setProgress);
      qc.invalidateQueries({ queryKey: importsKey });
      navigate(`/imports/${res.id}`);
    } catch (err) {
      setError(errorMessage(err));
      setProgress(null);
    }
  };

  const onDrop = (ev: DragEvent) => {
    ev.preventDefault();
    setOver(false);
    pick(ev.dataTransfer.files[0]);
  };

  const busy = progress !== null;
  return (
    <Card>
      <CardHeader title={t('imports.uploadTitle')} description={t('imports.uploadBody')} />
      <div className="space-y-4 p-5">
        <div
          onDragOver={(ev) => {
            ev.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
          className={clsx(
            'flex flex-col items-center justify-center gap-3 rounded-xl border-2 border-dashed px-4 py-8 text-center transition-colors',
            over ? 'border-brand-500 bg-brand-50/60 dark:bg-brand-950/40' : 'border-line-strong bg-subtle/40',
          )}
        >
          <FileUp aria-hidden className="size-8 text-faint" />
          <p className="text-sm text-muted">{t('imports.drop')}</p>
          <input
            ref={input}
            data-testid="import-file"
            type="file"
            accept=".csv,.tsv,.txt,.zip"
            className="sr-only"
            id="import-file"
            onChange={(ev) => pick(ev.target.files?.[0])}
            disabled={busy}
          />
          <label htmlFor="import-file" className="focus-ring inline-flex h-9 cursor-pointer items-center rounded-lg border border-line bg-surface px-3 text-sm font-medium text-fg shadow-xs hover:bg-subtle">
            {t('imports.choose')}
          </label>
          <p className="text-xs text-faint">{t('imports.types')}</p>
        </div>

        {file && (
          <div className="flex items-center gap-3 rounded-lg border border-line px-3 py-2.5">
            <div className="min-w-0 flex-1">
              <p className="truncate text-sm font-medium text-fg">{file.name}</p>
              <p className="text-xs text-muted">
                {fmtSize(file.size)} · {canBeChat && chat ? t('imports.kind.chat') : t('imports.kind.csv')}
              </p>
            </div>
            {!busy && (
              <Button variant="ghost" size="icon" aria-label={t('imports.clearFile')} onClick={clear}>
                <X aria-hidden />
              </Button>
            )}
          </div>
        )}
        {file && canBeChat && (
          <Checkbox
            data-testid="import-chat-toggle"
            label={t('imports.chatToggle')}
            hint={t('imports.chatToggleHint')}
            checked={chat}
            disabled={busy}
            onChange={(ev) => setChat(ev.target.checked)}
          />
        )}
        {busy && (
          <div className="space-y-1">
            <ProgressBar value={progress} label={t('imports.uploading')} />
            <p className="text-xs text-muted tabular-nums">{t('imports.uploadingPct', { pct: Math.round((progress ?? 0) * 100) })}</p>
          </div>
        )}
        <FormError message={error} testId="import-upload-error" />
        <div className="flex justify-end">
          <Button data-testid="import-upload" disabled={!file} loading={busy} onClick={upload}>
            <FileUp aria-hidden />
            {t('imports.upload')}
          </Button>
        </div>
      </div>
    </Card>
  );
}
