// Options under the CSV preview: default country, duplicates, assignment, dry run.

import clsx from 'clsx';
import { Checkbox } from '../../components/Checkbox';
import { Field } from '../../components/Field';
import { Input, Select } from '../../components/Input';
import { t, type MessageKey } from '../../lib/i18n';
import { useMembers } from '../team/api';
import { usePoolChoices } from '../team/invitesApi';
import type { Duplicates } from './types';

export interface Options {
  country: string;
  duplicates: Duplicates;
  /** '' = unassigned, 'pool:<pool id>' or 'member:<member id>'. */
  assign: string;
  dryRun: boolean;
}

const DUPES: Duplicates[] = ['skip', 'update', 'attach'];

interface Props {
  value: Options;
  onChange: (patch: Partial<Options>) => void;
  errors: Record<string, string>;
}

function Err({ field, msg }: { field: string; msg?: string }) {
  if (!msg) return null;
  return (
    <p data-testid="mapping-error" data-field={field} className="text-xs font-medium text-red-600 dark:text-red-400">
      {msg}
    </p>
  );
}

export function MappingOptions({ value, onChange, errors }: Props) {
  const pools = usePoolChoices(true);
  const members = useMembers();
  const assignErr = Object.entries(errors).find(([k]) => k.startsWith('assign'))?.[1];
  return (
    <div className="grid gap-6 md:grid-cols-2">
      <div className="space-y-5">
        <div className="space-y-1.5">
        <Field label={t('imports.opt.country')} optional hint={t('imports.opt.countryHint')}>
          <Input
            data-testid="mapping-country"
            value={value.country}
            maxLength={2}
            placeholder="BR"
            className="max-w-24 uppercase"
            onChange={(e) => onChange({ country: e.target.value.toUpperCase().replace(/[^A-Z]/g, '') })}
          />
        </Field>
        <Err field="default_country" msg={errors.default_country} />
        </div>
        <div className="space-y-1.5">
          <Field label={t('imports.opt.assign')} hint={t('imports.opt.assignHint')}>
            <Select data-testid="mapping-assign" value={value.assign} onChange={(e) => onChange({ assign: e.target.value })}>
              <option value="">{t('imports.assign.none')}</option>
              {pools.data && pools.data.length > 0 && (
                <optgroup label={t('imports.assign.pool')}>
                  {pools.data.map((p) => (
                    <option key={p.id} value={`pool:${p.id}`}>
                      {p.label} · {p.kind}
                    </option>
                  ))}
                </optgroup>
              )}
              {members.data && members.data.items.length > 0 && (
                <optgroup label={t('imports.assign.member')}>
                  {members.data.items.map((m) => (
                    <option key={m.id} value={`member:${m.id}`}>
                      {m.name}
                    </option>
                  ))}
                </optgroup>
              )}
            </Select>
          </Field>
          <Err field="assign" msg={assignErr} />
        </div>
        <Checkbox
          data-testid="mapping-dry-run"
          label={t('imports.opt.dryRun')}
          hint={t('imports.opt.dryRunHint')}
          checked={value.dryRun}
          onChange={(e) => onChange({ dryRun: e.target.checked })}
        />
      </div>
      <fieldset data-testid="mapping-duplicates" className="space-y-2">
        <legend className="mb-1.5 text-sm font-medium text-fg">{t('imports.opt.duplicates')}</legend>
        {DUPES.map((d) => (
          <label
            key={d}
            className={clsx(
              'flex cursor-pointer items-start gap-3 rounded-lg border px-3 py-2.5 transition-colors hover:bg-subtle',
              value.duplicates === d ? 'border-brand-300 bg-brand-50/60 dark:border-brand-800 dark:bg-brand-950/40' : 'border-line',
            )}
          >
            <input
              type="radio"
              name="duplicates"
              value={d}
              checked={value.duplicates === d}
              onChange={() => onChange({ duplicates: d })}
              className="focus-ring mt-0.5 size-4 shrink-0 cursor-pointer accent-brand-600 dark:accent-brand-500"
            />
            <span className="min-w-0">
              <span className="block text-sm font-medium text-fg">{t(`imports.dup.${d}` as MessageKey)}</span>
              <span className="block text-xs text-muted">{t(`imports.dup.${d}Hint` as MessageKey)}</span>
            </span>
          </label>
        ))}
        <Err field="duplicates" msg={errors.duplicates} />
      </fieldset>
    </div>
  );
}
