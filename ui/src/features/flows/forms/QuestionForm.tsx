import { t, type MessageKey } from '../../../lib/i18n';
import { ChoiceList, type Choice } from './Choices';
import { compact, NumberField, SelectField, TextField, TextVars, type FormProps } from './common';
import { DurationField } from './DelayForm';

const VALIDATE = ['text', 'number', 'email', 'phone', 'choice'] as const;

export function QuestionForm({ data, set }: FormProps) {
  const validate = (data.validate as string) ?? 'text';
  const put = (patch: Record<string, unknown>, key?: string) => set(compact({ ...data, ...patch }), key);
  return (
    <div className="space-y-4">
      <TextVars label={t('flows.question.prompt')} testId="node-text" value={(data.prompt as string) ?? ''} onChange={(prompt) => set({ ...data, prompt }, 'prompt')} />
      <SelectField
        label={t('flows.question.validate')}
        testId="node-validate"
        value={validate}
        options={VALIDATE.map((value) => ({ value, label: t(`flows.validate.${value}` as MessageKey) }))}
        onChange={(v) => {
          const { choices: _c, ...rest } = data;
          void _c;
          set(v === 'choice' ? { ...rest, validate: v, choices: (data.choices as Choice[]) ?? [{ id: 'c1', title: '' }] } : { ...rest, validate: v });
        }}
      />
      {validate === 'choice' && (
        <div className="space-y-1.5">
          <p className="text-sm font-medium text-fg">{t('flows.question.choices')}</p>
          <ChoiceList items={(data.choices as Choice[]) ?? []} max={3} maxTitle={20} prefix="c" testId="node-choice" onChange={(choices) => set({ ...data, choices }, 'choices')} />
        </div>
      )}
      <TextField label={t('flows.question.saveTo')} testId="node-save-to" value={data.save_to as string} placeholder="vars.answer" hint={t('flows.question.saveToHint')} onChange={(save_to) => set({ ...data, save_to }, 'save_to')} />
      <NumberField label={t('flows.question.retries')} testId="node-retries" value={data.retries as number | undefined} onChange={(retries) => put({ retries: retries ?? 0 }, 'retries')} />
      <TextField label={t('flows.question.retryPrompt')} testId="node-retry-prompt" optional hint={t('flows.question.retryPromptHint')} value={data.retry_prompt as string} onChange={(retry_prompt) => put({ retry_prompt }, 'retry_prompt')} />
      <DurationField label={t('flows.timeout')} testId="node-timeout" seconds={Number(data.timeout_seconds ?? 86400)} onChange={(s) => set({ ...data, timeout_seconds: s }, 'timeout')} />
    </div>
  );
}
