import { Checkbox } from '../../../components/Checkbox';
import { t, type MessageKey } from '../../../lib/i18n';
import { ChoiceList, ListSections, type Choice } from './Choices';
import { compact, SelectField, TextField, TextVars, type Data, type FormProps } from './common';
import { DurationField } from './DelayForm';
import { TemplateFields, type TemplateRef } from './TemplateFields';

const KINDS = ['text', 'media', 'buttons', 'list', 'template'] as const;
const MEDIA = ['image', 'video', 'document', 'audio'] as const;
const EMPTY_TEMPLATE: TemplateRef = { name: '', language: 'en_US', parameters: [] };

/** Fresh data for another kind; the text and the fallback template carry over. */
function switchKind(d: Data, kind: string): Data {
  const text = typeof d.text === 'string' ? d.text : '';
  const keep = d.fallback_template ? { fallback_template: d.fallback_template } : {};
  switch (kind) {
    case 'media':
      return { kind, media_type: 'image', url: '', ...keep };
    case 'buttons':
      return { kind, text, buttons: [{ id: 'b1', title: '' }], ...keep };
    case 'list':
      return { kind, text, button: '', sections: [{ title: '', rows: [{ id: 'r1', title: '' }] }], ...keep };
    case 'template':
      return { kind, ...EMPTY_TEMPLATE, ...keep };
    default:
      return { kind: 'text', text, ...keep };
  }
}

export function MessageForm({ data, set }: FormProps) {
  const kind = (data.kind as string) ?? 'text';
  const put = (patch: Data, key?: string) => set(compact({ ...data, ...patch }), key);
  const interactive = kind === 'buttons' || kind === 'list';
  return (
    <div className="space-y-4">
      <SelectField label={t('flows.message.kind')} testId="node-message-kind" value={kind} options={KINDS.map((value) => ({ value, label: t(`flows.kind.${value}` as MessageKey) }))} onChange={(k) => set(switchKind(data, k))} />
      {kind === 'media' ? (
        <>
          <SelectField label={t('flows.media.type')} testId="node-media-type" value={(data.media_type as string) ?? 'image'} options={MEDIA.map((value) => ({ value, label: t(`flows.media.${value}` as MessageKey) }))} onChange={(media_type) => put({ media_type })} />
          <TextField label={t('flows.media.url')} testId="node-media-url" value={data.url as string} placeholder="https://" onChange={(url) => put({ url }, 'url')} />
          <TextField label={t('flows.media.caption')} testId="node-media-caption" optional value={data.caption as string} onChange={(caption) => put({ caption }, 'caption')} />
        </>
      ) : kind === 'template' ? (
        <TemplateFields testId="node-template" value={{ ...EMPTY_TEMPLATE, ...(data as Partial<TemplateRef>) }} onChange={(v) => put({ ...v }, 'template')} />
      ) : (
        <TextVars label={t('flows.message.text')} testId="node-text" rows={4} maxLength={kind === 'text' ? 4096 : 1024} value={(data.text as string) ?? ''} onChange={(text) => set({ ...data, text }, 'text')} />
      )}
      {kind === 'buttons' && (
        <div className="space-y-1.5">
          <p className="text-sm font-medium text-fg">{t('flows.message.buttons')}</p>
          <p className="text-xs text-muted">{t('flows.message.buttonsHint')}</p>
          <ChoiceList items={(data.buttons as Choice[]) ?? []} max={3} maxTitle={20} prefix="b" testId="node-button" onChange={(buttons) => set({ ...data, buttons }, 'buttons')} />
        </div>
      )}
      {kind === 'list' && (
        <>
          <TextField label={t('flows.message.listButton')} testId="node-list-button" value={data.button as string} maxLength={20} onChange={(button) => set({ ...data, button }, 'button')} />
          <ListSections sections={(data.sections as { title: string; rows: Choice[] }[]) ?? []} onChange={(sections) => set({ ...data, sections }, 'sections')} />
        </>
      )}
      {interactive && (
        <DurationField label={t('flows.timeout')} testId="node-timeout" seconds={Number(data.timeout_seconds ?? 86400)} onChange={(s) => set({ ...data, timeout_seconds: s }, 'timeout')} />
      )}
      <div className="space-y-3 border-t border-line pt-4">
        <Checkbox
          label={t('flows.fallback')}
          hint={t('flows.fallbackHint')}
          checked={Boolean(data.fallback_template)}
          onChange={(e) => {
            const { fallback_template: _drop, ...rest } = data;
            void _drop;
            set(e.target.checked ? { ...rest, fallback_template: { ...EMPTY_TEMPLATE } } : rest);
          }}
        />
        {Boolean(data.fallback_template) && (
          <TemplateFields testId="node-fallback" value={{ ...EMPTY_TEMPLATE, ...(data.fallback_template as Partial<TemplateRef>) }} onChange={(fallback_template) => set({ ...data, fallback_template }, 'fallback')} />
        )}
      </div>
    </div>
  );
}
