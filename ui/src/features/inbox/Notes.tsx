import { useState } from 'react';
import { Button } from '../../components/Button';
import { errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { useAddNote, useNotes } from './api';

export function Notes({ conversationId, members }: { conversationId: string; members: Member[] }) {
  const q = useNotes(conversationId);
  const add = useAddNote(conversationId);
  const [text, setText] = useState('');
  const submit = () => {
    if (!text.trim()) return;
    add.mutate(text.trim(), { onSuccess: () => setText('') });
  };
  const notes = q.data?.items ?? [];
  return (
    <div className="space-y-2">
      <p className="text-[11px] font-medium tracking-wide text-faint uppercase">{t('notes.title')}</p>
      <p className="text-xs text-muted">{t('notes.hint')}</p>
      <ul className="space-y-2">
        {notes.map((n) => (
          <li key={n.id} data-testid="note" className="rounded-lg bg-amber-50 px-3 py-2 text-sm ring-1 ring-amber-200 dark:bg-amber-950/30 dark:ring-amber-900/60">
            <p className="break-words whitespace-pre-wrap text-fg">{n.text}</p>
            <p className="mt-1 text-[11px] text-muted">
              {(n.author_id && members.find((m) => m.id === n.author_id)?.name) || n.author_name || t('common.unknown')} · {formatDateTime(n.created_at)}
            </p>
          </li>
        ))}
      </ul>
      <textarea
        data-testid="note-input"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit();
        }}
        rows={2}
        placeholder={t('notes.placeholder')}
        aria-label={t('notes.placeholder')}
        className="block w-full resize-y rounded-lg border border-line-strong bg-surface px-3 py-2 text-sm text-fg placeholder:text-faint focus:border-brand-500 focus:ring-3 focus:ring-brand-500/20 focus:outline-none"
      />
      {add.isError && <p className="text-xs text-red-600 dark:text-red-400">{errorMessage(add.error)}</p>}
      <Button size="sm" variant="secondary" data-testid="note-add" disabled={!text.trim()} loading={add.isPending} onClick={submit}>
        {t('notes.add')}
      </Button>
    </div>
  );
}
