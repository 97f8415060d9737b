import { Plus, X } from 'lucide-react';
import { Button } from '../../../components/Button';
import { Input, Select } from '../../../components/Input';
import { t, type MessageKey } from '../../../lib/i18n';
import { nextId, TextField, type FormProps } from './common';

interface Rule {
  field: string;
  op: string;
  value?: string;
}
interface Branch {
  id: string;
  label: string;
  match: 'all' | 'any';
  rules: Rule[];
}

const FIELDS = ['vars.answer', 'contact.name', 'contact.email', 'contact.phone', 'contact.custom.', 'label', 'message.text', 'source', 'time', 'business_hours'];
const OPS = ['equals', 'not_equals', 'contains', 'exists', 'not_exists', 'gt', 'lt', 'matches', 'between', 'is_open', 'is_closed'] as const;
const NO_VALUE = ['exists', 'not_exists', 'is_open', 'is_closed'];

function RuleRow({ rule, onChange, onRemove }: { rule: Rule; onChange: (r: Rule) => void; onRemove: () => void }) {
  return (
    <li data-testid="node-rule" className="space-y-1.5 rounded-md bg-subtle/70 p-2">
      <div className="flex gap-1.5">
        <Input aria-label={t('flows.rule.field')} list="flow-rule-fields" value={rule.field} onChange={(e) => onChange({ ...rule, field: e.target.value })} className="h-9 font-mono text-xs" />
        <Button variant="ghost" size="icon" aria-label={t('common.remove')} onClick={onRemove}>
          <X />
        </Button>
      </div>
      <div className="flex gap-1.5">
        <Select
          aria-label={t('flows.rule.op')}
          value={rule.op}
          onChange={(e) => {
            const op = e.target.value;
            onChange(NO_VALUE.includes(op) ? { field: rule.field, op } : { ...rule, op, value: rule.value ?? '' });
          }}
          className="w-36 shrink-0"
        >
          {OPS.map((op) => (
            <option key={op} value={op}>{t(`flows.op.${op}` as MessageKey)}</option>
          ))}
        </Select>
        {!NO_VALUE.includes(rule.op) && (
          <Input aria-label={t('flows.rule.value')} value={rule.value ?? ''} placeholder={rule.op === 'between' ? '09:00-18:00' : ''} onChange={(e) => onChange({ ...rule, value: e.target.value })} className="h-10 min-w-0" />
        )}
      </div>
    </li>
  );
}

export function ConditionForm({ data, set }: FormProps) {
  const branches = (data.branches as Branch[]) ?? [];
  const put = (bs: Branch[]) => set({ ...data, branches: bs }, 'branches');
  const patch = (i: number, p: Partial<Branch>) => put(branches.map((b, j) => (j === i ? { ...b, ...p } : b)));
  return (
    <div className="space-y-3">
      <datalist id="flow-rule-fields">
        {FIELDS.map((f) => <option key={f} value={f} />)}
      </datalist>
      <p className="text-xs text-muted">{t('flows.condition.hint')}</p>
      {branches.map((b, i) => (
        <fieldset key={b.id} data-testid="node-branch" data-branch-id={b.id} className="space-y-2 rounded-lg border border-line p-2.5">
          <div className="flex items-end gap-1.5">
            <div className="flex-1">
              <TextField label={t('flows.branch.label')} value={b.label} onChange={(label) => patch(i, { label })} />
            </div>
            <Button variant="ghost" size="icon" aria-label={t('common.remove')} onClick={() => put(branches.filter((_, j) => j !== i))}>
              <X />
            </Button>
          </div>
          <Select aria-label={t('flows.branch.match')} value={b.match} onChange={(e) => patch(i, { match: e.target.value as Branch['match'] })}>
            <option value="all">{t('flows.branch.all')}</option>
            <option value="any">{t('flows.branch.any')}</option>
          </Select>
          <ul className="space-y-1.5">
            {b.rules.map((r, k) => (
              <RuleRow key={k} rule={r} onChange={(nr) => patch(i, { rules: b.rules.map((x, j) => (j === k ? nr : x)) })} onRemove={() => patch(i, { rules: b.rules.filter((_, j) => j !== k) })} />
            ))}
          </ul>
          <Button variant="ghost" size="sm" onClick={() => patch(i, { rules: [...b.rules, { field: 'message.text', op: 'contains', value: '' }] })}>
            <Plus aria-hidden />
            {t('flows.rule.add')}
          </Button>
        </fieldset>
      ))}
      <Button
        variant="secondary"
        size="sm"
        data-testid="node-branch-add"
        onClick={() => {
          const id = nextId('b', branches.map((b) => b.id));
          put([...branches, { id, label: t('flows.branch.default', { n: branches.length + 1 }), match: 'all', rules: [{ field: 'message.text', op: 'contains', value: '' }] }]);
        }}
      >
        <Plus aria-hidden />
        {t('flows.branch.add')}
      </Button>
    </div>
  );
}
