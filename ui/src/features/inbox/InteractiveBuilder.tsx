import { useState } from 'react';
import clsx from 'clsx';
import { Plus, Trash2 } from 'lucide-react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { t } from '../../lib/i18n';
import { useSend } from './api';
import { fieldError } from './Composer';
import type { Conversation } from './types';

const MAX_BUTTONS = 3;
const MAX_ROWS = 10;

type Mode = 'button' | 'list';
interface Row {
  title: string;
  description: string;
}

/** A compact builder for reply buttons (≤ 3) or a list (≤ 10 rows, one section). */
export function InteractiveBuilder({ conv, onClose }: { conv: Conversation; onClose: () => void }) {
  const send = useSend(conv.id);
  const [mode, setMode] = useState<Mode>('button');
  const [body, setBody] = useState('');
  const [button, setButton] = useState('');
  const [rows, setRows] = useState<Row[]>([{ title: '', description: '' }]);
  const [error, setError] = useState<string | null>(null);
  const max = mode === 'button' ? MAX_BUTTONS : MAX_ROWS;
  const filled = rows.filter((r) => r.title.trim());
  const valid = body.trim() && filled.length > 0 && (mode === 'button' || button.trim());

  const setRow = (i: number, patch: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const switchMode = (m: Mode) => {
    setMode(m);
    if (m === 'button') setRows((rs) => rs.slice(0, MAX_BUTTONS));
  };

  const submit = () => {
    if (!valid) return;
    setError(null);
    const interactive =
      mode === 'button'
        ? { type: 'button' as const, body: body.trim(), buttons: filled.map((r, i) => ({ id: `b${i + 1}`, title: r.title.trim() })) }
        : {
            type: 'list' as const,
            body: body.trim(),
            button: button.trim(),
            sections: [
              {
                title: button.trim(),
                rows: filled.map((r, i) => ({ id: `r${i + 1}`, title: r.title.trim(), ...(r.description.trim() ? { description: r.description.trim() } : {}) })),
              },
            ],
          };
    send.mutate({ type: 'interactive', interactive }, { onSuccess: onClose, onError: (e) => setError(fieldError(e)) });
  };

  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={t('interactive.title')}
      testId="interactive-builder"
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button data-testid="interactive-send" disabled={!valid} loading={send.isPending} onClick={submit}>
            {t('composer.send')}
          </Button>
        </>
      }
    >
      <div className="space-y-3">
        <div role="tablist" className="flex rounded-lg bg-subtle p-0.5">
          {(['button', 'list'] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              data-testid={`interactive-mode-${m}`}
              onClick={() => switchMode(m)}
              className={clsx('focus-ring h-8 flex-1 rounded-md text-sm font-medium', mode === m ? 'bg-surface text-fg shadow-xs' : 'text-muted')}
            >
              {t(m === 'button' ? 'interactive.buttons' : 'interactive.list')}
            </button>
          ))}
        </div>
        <label className="block space-y-1">
          <span className="text-xs font-medium text-muted">{t('interactive.body')}</span>
          <textarea
            data-testid="interactive-body"
            value={body}
            onChange={(e) => setBody(e.target.value)}
            rows={3}
            className="block w-full rounded-lg border border-line-strong bg-surface px-3 py-2 text-sm text-fg focus:border-brand-500 focus:ring-3 focus:ring-brand-500/20 focus:outline-none"
          />
        </label>
        {mode === 'list' && (
          <label className="block space-y-1">
            <span className="text-xs font-medium text-muted">{t('interactive.listButton')}</span>
            <Input data-testid="interactive-list-button" value={button} maxLength={20} onChange={(e) => setButton(e.target.value)} />
          </label>
        )}
        <div className="space-y-2">
          <p className="text-xs font-medium text-muted">{t(mode === 'button' ? 'interactive.buttonsHint' : 'interactive.rowsHint', { max, chars: mode === 'button' ? 20 : 24 })}</p>
          {rows.map((r, i) => (
            <div key={i} className="flex gap-2">
              <Input data-testid="interactive-option" value={r.title} maxLength={mode === 'button' ? 20 : 24} placeholder={t('interactive.optionTitle', { n: i + 1 })} onChange={(e) => setRow(i, { title: e.target.value })} />
              {mode === 'list' && (
                <Input value={r.description} maxLength={72} placeholder={t('interactive.description')} onChange={(e) => setRow(i, { description: e.target.value })} />
              )}
              <Button variant="ghost" size="icon" aria-label={t('common.remove')} disabled={rows.length === 1} onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
                <Trash2 />
              </Button>
            </div>
          ))}
          <Button variant="secondary" size="sm" data-testid="interactive-add" disabled={rows.length >= max} onClick={() => setRows((rs) => [...rs, { title: '', description: '' }])}>
            <Plus aria-hidden />
            {t('interactive.add')}
          </Button>
        </div>
        <FormError message={error} />
      </div>
    </Dialog>
  );
}
