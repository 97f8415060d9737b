import { Settings2 } from 'lucide-react';
import { Field } from '../../components/Field';
import { Input, Select } from '../../components/Input';
import { Switch } from '../../components/Switch';
import { t, type MessageKey } from '../../lib/i18n';
import { useChannelNumbers } from '../channels/api';
import type { FlowMeta } from './useFlowDoc';
import type { FlowOptions } from './types';

const OPTIONS: (keyof FlowOptions)[] = ['pause_on_human_reply', 'once_per_contact', 'only_if_unassigned'];

/** With no node selected the side panel shows the flow itself: name, number, run options. */
export function FlowSettings({ meta, onChange, readOnly }: { meta: FlowMeta; onChange: (m: FlowMeta) => void; readOnly: boolean }) {
  const numbers = useChannelNumbers();
  return (
    <div data-testid="flow-settings" className="flex h-full flex-col">
      <div className="flex items-center gap-2 border-b border-line px-4 py-3">
        <span className="flex size-7 items-center justify-center rounded-md bg-subtle text-muted">
          <Settings2 aria-hidden className="size-4" />
        </span>
        <h2 className="text-sm font-semibold text-fg">{t('flows.settings')}</h2>
      </div>
      <fieldset disabled={readOnly} className="min-h-0 flex-1 space-y-4 overflow-y-auto px-4 py-4">
        <Field label={t('flows.name')}>
          <Input data-testid="flow-settings-name" value={meta.name} maxLength={80} onChange={(e) => onChange({ ...meta, name: e.target.value })} />
        </Field>
        <Field label={t('flows.number')} hint={t('flows.numberHint')}>
          <Select data-testid="flow-settings-number" value={meta.whatsapp_number_id ?? ''} onChange={(e) => onChange({ ...meta, whatsapp_number_id: e.target.value || null })}>
            <option value="">—</option>
            {(numbers.data?.items ?? []).map((n) => (
              <option key={n.id} value={n.id}>
                {n.display_phone_number}
                {n.sandbox ? ` (${t('flows.sandbox')})` : ''}
              </option>
            ))}
          </Select>
        </Field>
        <ul className="space-y-3">
          {OPTIONS.map((k) => (
            <li key={k} className="flex items-start gap-3">
              <Switch
                testId={`flow-option-${k}`}
                label={t(`flows.option.${k}` as MessageKey)}
                checked={meta.options[k]}
                disabled={readOnly}
                onCheckedChange={(v) => onChange({ ...meta, options: { ...meta.options, [k]: v } })}
              />
              <span className="-mt-0.5 min-w-0">
                <span className="block text-sm font-medium text-fg">{t(`flows.option.${k}` as MessageKey)}</span>
                <span className="block text-xs text-muted">{t(`flows.option.${k}.hint` as MessageKey)}</span>
              </span>
            </li>
          ))}
        </ul>
        <p className="border-t border-line pt-4 text-xs text-muted">{t('flows.shortcuts')}</p>
      </fieldset>
    </div>
  );
}
