import { useState } from 'react';
import { Field } from '../../../components/Field';
import { Input } from '../../../components/Input';
import { t, type MessageKey } from '../../../lib/i18n';
import { compact, SelectField, TextField, type FormProps } from './common';

const ON = ['any_message', 'keyword', 'new_contact', 'new_lead', 'reply', 'outside_hours'] as const;
const MATCH = ['exact', 'contains', 'regex'] as const;
const SOURCES = ['any', 'walkin', 'webhook', 'facebook', 'manual'] as const;

const opts = <T extends string>(xs: readonly T[], prefix: string) => xs.map((value) => ({ value, label: t(`${prefix}${value}` as MessageKey) }));

/** Comma-separated keywords; the text is kept as typed while the data gets the list. */
function Keywords({ value, onChange }: { value: string[]; onChange: (v: string[]) => void }) {
  const [text, setText] = useState(value.join(', '));
  return (
    <Field label={t('flows.trigger.keywords')} hint={t('flows.trigger.keywordsHint')}>
      <Input
        data-testid="node-keywords"
        value={text}
        placeholder="hi, hello, menu"
        onChange={(e) => {
          setText(e.target.value);
          onChange(e.target.value.split(',').map((s) => s.trim()).filter(Boolean));
        }}
      />
    </Field>
  );
}

export function TriggerForm({ data, set }: FormProps) {
  const on = (data.on as string) ?? 'any_message';
  const setOn = (v: string) => {
    const base: Record<string, unknown> = { on: v };
    if (v === 'keyword') Object.assign(base, { keywords: data.keywords ?? [], match: data.match ?? 'contains' });
    if (v === 'new_lead') base.source = data.source ?? 'any';
    if (v === 'reply') base.reply_id = data.reply_id ?? '';
    set(base);
  };
  return (
    <div className="space-y-4">
      <SelectField label={t('flows.trigger.on')} testId="node-trigger-on" value={on} options={opts(ON, 'flows.trigger.')} onChange={setOn} />
      {on === 'keyword' && (
        <>
          <Keywords value={(data.keywords as string[]) ?? []} onChange={(keywords) => set({ ...data, keywords }, 'keywords')} />
          <SelectField label={t('flows.trigger.match')} testId="node-match" value={(data.match as string) ?? 'contains'} options={opts(MATCH, 'flows.match.')} onChange={(match) => set({ ...data, match })} />
        </>
      )}
      {on === 'new_lead' && (
        <SelectField label={t('flows.trigger.source')} testId="node-source" value={(data.source as string) ?? 'any'} options={opts(SOURCES, 'flows.source.')} onChange={(source) => set({ ...data, source })} />
      )}
      {on === 'reply' && (
        <TextField label={t('flows.trigger.replyId')} testId="node-reply-id" hint={t('flows.trigger.replyIdHint')} value={data.reply_id as string} onChange={(reply_id) => set(compact({ ...data, reply_id }), 'reply_id')} />
      )}
      {on === 'outside_hours' && <p className="text-xs text-muted">{t('flows.trigger.outsideHint')}</p>}
    </div>
  );
}
