import { Plus, X } from 'lucide-react';
import { Button } from '../../../components/Button';
import { Input } from '../../../components/Input';
import { t } from '../../../lib/i18n';
import { nextId, TextField } from './common';

export interface Choice {
  id: string;
  title: string;
  description?: string;
}

/** Editable list of {id, title}: the ids name the node's outgoing handles. */
export function ChoiceList({ items, onChange, max, maxTitle, prefix, testId, withDescription }: { items: Choice[]; onChange: (v: Choice[]) => void; max: number; maxTitle: number; prefix: string; testId: string; withDescription?: boolean }) {
  const patch = (i: number, p: Partial<Choice>) => onChange(items.map((c, j) => (j === i ? { ...c, ...p } : c)));
  return (
    <div className="space-y-2">
      <ul className="space-y-1.5">
        {items.map((c, i) => (
          <li key={c.id} data-testid={testId} data-choice-id={c.id} className="flex items-start gap-1.5">
            <span className="mt-2.5 w-12 shrink-0 truncate font-mono text-[10px] text-faint" title={`${t('flows.choiceId')}: ${c.id}`}>{c.id}</span>
            <div className="min-w-0 flex-1 space-y-1">
              <Input aria-label={t('flows.choiceTitle')} data-testid={`${testId}-title`} value={c.title} maxLength={maxTitle} onChange={(e) => patch(i, { title: e.target.value })} className="h-9" />
              {withDescription && (
                <Input aria-label={t('flows.rowDescription')} placeholder={t('flows.rowDescription')} value={c.description ?? ''} maxLength={72} onChange={(e) => patch(i, { description: e.target.value || undefined })} className="h-8 text-xs" />
              )}
            </div>
            <Button variant="ghost" size="icon" aria-label={t('common.remove')} onClick={() => onChange(items.filter((_, j) => j !== i))}>
              <X />
            </Button>
          </li>
        ))}
      </ul>
      <Button variant="secondary" size="sm" disabled={items.length >= max} data-testid={`${testId}-add`} onClick={() => onChange([...items, { id: nextId(prefix, items.map((x) => x.id)), title: '' }])}>
        <Plus aria-hidden />
        {t('flows.addChoice')}
      </Button>
    </div>
  );
}

interface Section {
  title: string;
  rows: Choice[];
}

/** List message: sections of rows, at most 10 rows in all. */
export function ListSections({ sections, onChange }: { sections: Section[]; onChange: (v: Section[]) => void }) {
  const total = sections.reduce((n, s) => n + s.rows.length, 0);
  const taken = sections.flatMap((s) => s.rows.map((r) => r.id));
  return (
    <div className="space-y-3">
      {sections.map((s, i) => (
        <fieldset key={i} className="space-y-2 rounded-lg border border-line p-2.5">
          <div className="flex items-end gap-1.5">
            <div className="flex-1">
              <TextField label={t('flows.sectionTitle')} value={s.title} maxLength={24} onChange={(title) => onChange(sections.map((x, j) => (j === i ? { ...x, title } : x)))} />
            </div>
            {sections.length > 1 && (
              <Button variant="ghost" size="icon" aria-label={t('common.remove')} onClick={() => onChange(sections.filter((_, j) => j !== i))}>
                <X />
              </Button>
            )}
          </div>
          <ChoiceList
            items={s.rows}
            max={s.rows.length + Math.max(0, 10 - total)}
            maxTitle={24}
            prefix="r"
            testId="node-row"
            withDescription
            onChange={(rows) => {
              // ids stay unique across sections
              const fixed = rows.map((r) => (taken.includes(r.id) && !s.rows.some((x) => x.id === r.id) ? { ...r, id: nextId('r', [...taken, ...rows.map((x) => x.id)]) } : r));
              onChange(sections.map((x, j) => (j === i ? { ...x, rows: fixed } : x)));
            }}
          />
        </fieldset>
      ))}
      <Button variant="ghost" size="sm" onClick={() => onChange([...sections, { title: '', rows: [] }])}>
        <Plus aria-hidden />
        {t('flows.addSection')}
      </Button>
    </div>
  );
}
