import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Pencil, Trash2, Zap } from 'lucide-react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { api, ApiError } from '../../lib/api';
import { t } from '../../lib/i18n';
import { quickRepliesKey, useQuickReplies } from './api';
import { fieldError } from './Composer';
import type { QuickReply } from './types';

/** Owners and leads keep the team's quick replies here. */
export function QuickRepliesButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="ghost" size="icon" className="size-8" data-testid="manage-quick-replies" aria-label={t('quickReplies.manage')} title={t('quickReplies.manage')} onClick={() => setOpen(true)}>
        <Zap />
      </Button>
      {open && <QuickRepliesDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function QuickRepliesDialog({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const q = useQuickReplies();
  const [editing, setEditing] = useState<QuickReply | null>(null);
  const [shortcut, setShortcut] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const done = () => qc.invalidateQueries({ queryKey: quickRepliesKey });

  const save = useMutation({
    mutationFn: () => {
      const body = { shortcut: shortcut.trim().replace(/^\//, ''), text: text.trim() };
      return editing ? api.patch(`/api/quick-replies/${editing.id}`, body) : api.post('/api/quick-replies', body);
    },
    onSuccess: () => {
      setEditing(null);
      setShortcut('');
      setText('');
      setError(null);
      return done();
    },
    onError: (e) => setError(fieldError(e)),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.del(`/api/quick-replies/${id}`),
    onSuccess: done,
    onError: (e) => setError(fieldError(e)),
  });

  const edit = (r: QuickReply) => {
    setEditing(r);
    setShortcut(r.shortcut);
    setText(r.text);
  };
  const missing = q.error instanceof ApiError && q.error.code === 'route_not_found';
  const items = q.data?.items ?? [];

  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t('quickReplies.manage')} description={t('quickReplies.subtitle')} size="lg" testId="quick-replies-dialog">
      {missing ? (
        <p className="text-sm text-muted">{t('quickReplies.unavailable')}</p>
      ) : (
        <div className="space-y-4">
          <ul className="divide-y divide-line rounded-lg border border-line">
            {items.length === 0 && <li className="px-3 py-4 text-sm text-muted">{t('quickReplies.empty')}</li>}
            {items.map((r) => (
              <li key={r.id} data-testid="quick-reply-item" className="flex items-start gap-3 px-3 py-2.5">
                <div className="min-w-0 flex-1">
                  <p className="text-xs font-semibold text-brand-700 dark:text-brand-300">/{r.shortcut}</p>
                  <p className="text-sm break-words text-fg">{r.text}</p>
                </div>
                <Button variant="ghost" size="icon" className="size-8" aria-label={t('common.edit')} onClick={() => edit(r)}>
                  <Pencil />
                </Button>
                <Button variant="ghost" size="icon" className="size-8" aria-label={t('common.delete')} loading={remove.isPending && remove.variables === r.id} onClick={() => remove.mutate(r.id)}>
                  <Trash2 />
                </Button>
              </li>
            ))}
          </ul>
          <form
            className="space-y-2"
            onSubmit={(e) => {
              e.preventDefault();
              if (shortcut.trim() && text.trim()) save.mutate();
            }}
          >
            <div className="grid gap-2 sm:grid-cols-[10rem_1fr]">
              <Input data-testid="quick-reply-shortcut" value={shortcut} onChange={(e) => setShortcut(e.target.value)} placeholder={t('quickReplies.shortcut')} aria-label={t('quickReplies.shortcut')} />
              <Input data-testid="quick-reply-text" value={text} onChange={(e) => setText(e.target.value)} placeholder={t('quickReplies.text')} aria-label={t('quickReplies.text')} />
            </div>
            <FormError message={error} />
            <div className="flex justify-end gap-2">
              {editing && (
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={() => {
                    setEditing(null);
                    setShortcut('');
                    setText('');
                  }}
                >
                  {t('common.cancel')}
                </Button>
              )}
              <Button type="submit" size="sm" data-testid="quick-reply-save" loading={save.isPending} disabled={!shortcut.trim() || !text.trim()}>
                {editing ? t('common.save') : t('quickReplies.add')}
              </Button>
            </div>
          </form>
        </div>
      )}
    </Dialog>
  );
}
