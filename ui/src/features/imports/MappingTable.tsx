// The CSV preview with one target select per column (and a key box for custom fields).

import { Input, Select } from '../../components/Input';
import { t, type MessageKey } from '../../lib/i18n';
import { TARGETS, type CsvPreview } from './types';

export interface ColumnChoice {
  /** '' = ignore, a target, or 'custom'. */
  target: string;
  key: string;
}

interface Props {
  preview: CsvPreview;
  choices: Record<string, ColumnChoice>;
  errors: Record<string, string>;
  onChange: (header: string, choice: ColumnChoice) => void;
}

export function MappingTable({ preview, choices, errors, onChange }: Props) {
  return (
    <div className="overflow-x-auto">
      <table data-testid="mapping-table" className="min-w-full border-separate border-spacing-0 text-sm">
        <thead>
          <tr>
            {preview.headers.map((h) => {
              const c = choices[h] ?? { target: '', key: '' };
              const err = errors[h];
              return (
                <th key={h} scope="col" className="min-w-44 border-b border-line bg-subtle/60 px-3 py-3 text-left align-top font-normal">
                  <div className="mb-2 truncate text-xs font-semibold tracking-wide text-fg" title={h}>
                    {h || t('imports.map.unnamed')}
                  </div>
                  <Select
                    data-testid="mapping-select"
                    data-header={h}
                    aria-label={t('imports.map.columnFor', { name: h })}
                    value={c.target}
                    invalid={Boolean(err)}
                    onChange={(e) => onChange(h, { ...c, target: e.target.value })}
                  >
                    <option value="">{t('imports.map.ignore')}</option>
                    {TARGETS.map((x) => (
                      <option key={x} value={x}>
                        {t(`imports.target.${x}` as MessageKey)}
                      </option>
                    ))}
                    <option value="custom">{t('imports.map.custom')}</option>
                  </Select>
                  {c.target === 'custom' && (
                    <Input
                      className="mt-2 h-9"
                      data-testid="mapping-custom-key"
                      data-header={h}
                      aria-label={t('imports.map.customKey')}
                      placeholder={t('imports.map.customKey')}
                      value={c.key}
                      invalid={Boolean(err)}
                      onChange={(e) => onChange(h, { ...c, key: e.target.value })}
                    />
                  )}
                  {err && (
                    <p data-testid="mapping-error" data-field={`columns.${h}`} className="mt-1.5 text-xs font-medium whitespace-normal text-red-600 dark:text-red-400">
                      {err}
                    </p>
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((row, i) => (
            <tr key={i} className="odd:bg-surface even:bg-subtle/30">
              {preview.headers.map((h, j) => (
                <td
                  key={h + j}
                  className={`max-w-64 truncate border-b border-line px-3 py-2 ${choices[h]?.target ? 'text-fg' : 'text-faint'}`}
                  title={row[j] ?? ''}
                >
                  {row[j] ?? ''}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
