import { Field } from '../../../components/Field';
import { Select, Textarea } from '../../../components/Input';
import { t, type MessageKey } from '../../../lib/i18n';
import { useMembers, useTeams } from '../../team/api';
import { compact, NumberField, SelectField, TextField, TextVars, type Data, type FormProps } from './common';
import { DurationField } from './DelayForm';

const ACTIONS = ['assign', 'add_label', 'remove_label', 'set_field', 'followup', 'webhook', 'notify', 'close', 'handoff'] as const;

function fresh(action: string): Data {
  switch (action) {
    case 'assign': return { action, to: 'pool' };
    case 'add_label':
    case 'remove_label': return { action, label: '' };
    case 'set_field': return { action, field: 'contact.custom.', value: '' };
    case 'followup': return { action, note: '', in_seconds: 86400 };
    case 'webhook': return { action, url: '', method: 'POST', map: {} };
    case 'notify': return { action, text: '' };
    default: return { action };
  }
}

function Assign({ data, set }: FormProps) {
  const members = useMembers();
  const teams = useTeams();
  const to = (data.to as string) ?? 'pool';
  return (
    <>
      <SelectField label={t('flows.assign.to')} testId="node-assign-to" value={to} options={(['pool', 'member', 'team'] as const).map((value) => ({ value, label: t(`flows.assign.${value}` as MessageKey) }))} onChange={(v) => set({ action: 'assign', to: v })} />
      {to === 'member' && (
        <Field label={t('flows.assign.member')}>
          <Select data-testid="node-member" value={(data.member_id as string) ?? ''} onChange={(e) => set({ ...data, member_id: e.target.value })}>
            <option value="">—</option>
            {(members.data?.items ?? []).map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
          </Select>
        </Field>
      )}
      {to === 'team' && (
        <Field label={t('flows.assign.team')}>
          <Select data-testid="node-team" value={(data.team_id as string) ?? ''} onChange={(e) => set({ ...data, team_id: e.target.value })}>
            <option value="">—</option>
            {(teams.data?.items ?? []).map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
          </Select>
        </Field>
      )}
    </>
  );
}

/** `vars.x = /json/pointer`, one mapping a line. */
function parseMap(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

function Webhook({ data, set }: FormProps) {
  const put = (p: Data, key?: string) => set(compact({ ...data, ...p }), key);
  const map = (data.map as Record<string, string>) ?? {};
  return (
    <>
      <TextField label={t('flows.webhook.url')} testId="node-webhook-url" value={data.url as string} placeholder="https://" onChange={(url) => set({ ...data, url }, 'url')} />
      <SelectField label={t('flows.webhook.method')} value={(data.method as string) ?? 'POST'} options={[{ value: 'POST', label: 'POST' }, { value: 'GET', label: 'GET' }]} onChange={(method) => put({ method })} />
      {data.method !== 'GET' && (
        <Field label={t('flows.webhook.body')} hint={t('flows.webhook.bodyHint')} optional>
          <Textarea rows={3} className="font-mono text-xs" value={(data.body as string) ?? ''} onChange={(e) => put({ body: e.target.value }, 'body')} />
        </Field>
      )}
      <Field label={t('flows.webhook.map')} hint={t('flows.webhook.mapHint')} optional>
        <Textarea
          rows={3}
          className="font-mono text-xs"
          defaultValue={Object.entries(map).map(([k, v]) => `${k} = ${v}`).join('\n')}
          onChange={(e) => set({ ...data, map: parseMap(e.target.value) }, 'map')}
        />
      </Field>
      <div className="grid grid-cols-2 gap-2">
        <NumberField label={t('flows.webhook.timeout')} optional value={data.timeout_seconds as number | undefined} onChange={(timeout_seconds) => put({ timeout_seconds }, 'wt')} />
        <NumberField label={t('flows.webhook.retries')} optional value={data.retries as number | undefined} onChange={(retries) => put({ retries }, 'wr')} />
      </div>
    </>
  );
}

export function ActionForm({ data, set }: FormProps) {
  const action = (data.action as string) ?? 'add_label';
  return (
    <div className="space-y-4">
      <SelectField label={t('flows.action.kind')} testId="node-action" value={action} options={ACTIONS.map((value) => ({ value, label: t(`flows.action.${value}` as MessageKey) }))} onChange={(a) => set(fresh(a))} />
      {action === 'assign' && <Assign data={data} set={set} />}
      {(action === 'add_label' || action === 'remove_label') && <TextField label={t('flows.action.label')} testId="node-label" value={data.label as string} onChange={(label) => set({ ...data, label }, 'label')} />}
      {action === 'set_field' && (
        <>
          <TextField label={t('flows.action.field')} testId="node-field" value={data.field as string} placeholder="contact.custom.plan" onChange={(field) => set({ ...data, field }, 'field')} />
          <TextVars label={t('flows.action.value')} rows={1} value={(data.value as string) ?? ''} onChange={(value) => set({ ...data, value }, 'value')} />
        </>
      )}
      {action === 'followup' && (
        <>
          <TextVars label={t('flows.action.note')} value={(data.note as string) ?? ''} onChange={(note) => set({ ...data, note }, 'note')} />
          <DurationField label={t('flows.action.in')} seconds={Number(data.in_seconds ?? 86400)} onChange={(in_seconds) => set({ ...data, in_seconds }, 'in')} />
        </>
      )}
      {action === 'webhook' && <Webhook data={data} set={set} />}
      {action === 'notify' && <TextVars label={t('flows.action.notifyText')} testId="node-text" value={(data.text as string) ?? ''} onChange={(text) => set({ ...data, text }, 'text')} />}
      {action === 'handoff' && (
        <>
          <TextVars label={t('flows.action.note')} value={(data.note as string) ?? ''} onChange={(note) => set(compact({ ...data, note }), 'note')} />
          <p className="text-xs text-muted">{t('flows.action.handoffHint')}</p>
        </>
      )}
      {action === 'close' && <p className="text-xs text-muted">{t('flows.action.closeHint')}</p>}
    </div>
  );
}
