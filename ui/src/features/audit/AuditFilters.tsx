import { useEffect, useState } from 'react';
import { X } from 'lucide-react';
import { Button } from '../../components/Button';
import { Input, Select } from '../../components/Input';
import { t } from '../../lib/i18n';
import { useDebounced } from '../search/useDebounced';
import { actionLabel, AUDIT_ACTIONS, type AuditFilters } from './types';

interface Props {
  value: AuditFilters;
  onChange: (patch: Partial<AuditFilters>) => void;
  onClear: () => void;
}

const label = 'mb-1 block text-xs font-medium text-muted';

export function AuditFiltersBar({ value: f, onChange, onClear }: Props) {
  // The email is typed: the URL (and so the query) follows once typing pauses.
  const [actor, setActor] = useState(f.actor);
  const typed = useDebounced(actor, 400);
  useEffect(() => setActor(f.actor), [f.actor]);
  // Apply on its own only what is worth asking about (cleared, or a whole address); Enter or leaving the field applies anything.
  useEffect(() => {
    const v = typed.trim();
    if (v !== f.actor.trim() && (v === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v))) onChange({ actor: v });
  }, [typed]); // only a new debounced value writes the URL
  const any = Object.values(f).some(Boolean) || actor !== '';
  return (
    <div data-testid="audit-filters" className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      <label className="min-w-0">
        <span className={label}>{t('audit.filter.action')}</span>
        <Select data-testid="audit-filter-action" value={f.action} onChange={(e) => onChange({ action: e.target.value })}>
          <option value="">{t('audit.filter.allActions')}</option>
          {f.action && !(AUDIT_ACTIONS as readonly string[]).includes(f.action) && <option value={f.action}>{f.action}</option>}
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>{actionLabel(a)}</option>
          ))}
        </Select>
      </label>
      <label className="min-w-0">
        <span className={label}>{t('audit.filter.actor')}</span>
        <Input
          data-testid="audit-filter-actor"
          type="email"
          inputMode="email"
          autoComplete="off"
          spellCheck={false}
          placeholder={t('audit.filter.actorPlaceholder')}
          value={actor}
          onChange={(e) => setActor(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onChange({ actor });
          }}
          onBlur={() => actor.trim() !== f.actor.trim() && onChange({ actor })}
        />
      </label>
      <label className="min-w-0">
        <span className={label}>{t('audit.filter.from')}</span>
        <Input data-testid="audit-filter-from" type="date" value={f.from} max={f.to || undefined} onChange={(e) => onChange({ from: e.target.value })} />
      </label>
      <div className="flex min-w-0 items-end gap-2">
        <label className="min-w-0 flex-1">
          <span className={label}>{t('audit.filter.to')}</span>
          <Input data-testid="audit-filter-to" type="date" value={f.to} min={f.from || undefined} onChange={(e) => onChange({ to: e.target.value })} />
        </label>
        {any && (
          <Button
            variant="ghost"
            size="icon"
            data-testid="audit-filter-clear"
            aria-label={t('audit.filter.clear')}
            title={t('audit.filter.clear')}
            onClick={() => {
              setActor('');
              onClear();
            }}
            className="size-10"
          >
            <X />
          </Button>
        )}
      </div>
    </div>
  );
}
