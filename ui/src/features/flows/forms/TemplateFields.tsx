import { Field } from '../../../components/Field';
import { Textarea } from '../../../components/Input';
import { t } from '../../../lib/i18n';
import { TextField } from './common';

export interface TemplateRef {
  name: string;
  language: string;
  parameters: string[];
}

/** Name, language and body parameters (one a line) of an approved template. */
export function TemplateFields({ value, onChange, testId }: { value: TemplateRef; onChange: (v: TemplateRef) => void; testId: string }) {
  return (
    <div className="space-y-3">
      <TextField label={t('flows.template.name')} testId={`${testId}-name`} value={value.name} placeholder="welcome_back" onChange={(name) => onChange({ ...value, name })} />
      <TextField label={t('flows.template.language')} testId={`${testId}-language`} value={value.language} placeholder="en_US" onChange={(language) => onChange({ ...value, language })} />
      <Field label={t('flows.template.parameters')} hint={t('flows.template.parametersHint')} optional>
        <Textarea
          rows={2}
          data-testid={`${testId}-parameters`}
          value={value.parameters.join('\n')}
          onChange={(e) => onChange({ ...value, parameters: e.target.value.split('\n') })}
        />
      </Field>
    </div>
  );
}
