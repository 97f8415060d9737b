// /imports/:id for a CSV that is uploaded or mapped: choose targets, options, start.

import { useMemo, useState } from 'react';
import { Play } from 'lucide-react';
import { Button } from '../../components/Button';
import { Card, CardHeader } from '../../components/Card';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { usePreview, useSaveMapping, useStartImport } from './api';
import { MappingOptions, type Options } from './MappingOptions';
import { MappingTable, type ColumnChoice } from './MappingTable';
import type { CsvMapping as Mapping, CsvPreview, ImportJob, SavedMapping } from './types';

/** The saved mapping's columns when there is one (after a dry run), else the preview's suggestions. */
function initialChoices(p: CsvPreview, saved?: SavedMapping | null): Record<string, ColumnChoice> {
  const out: Record<string, ColumnChoice> = {};
  for (const h of p.headers) {
    const s = (saved ? saved.columns[h] : p.suggested[h]) ?? '';
    out[h] = s.startsWith('custom:') ? { target: 'custom', key: s.slice(7) } : { target: s, key: '' };
  }
  return out;
}

function toBody(choices: Record<string, ColumnChoice>, o: Options): Mapping {
  const columns: Record<string, string> = {};
  for (const [h, c] of Object.entries(choices)) {
    if (c.target === 'custom') columns[h] = `custom:${c.key.trim()}`;
    else if (c.target) columns[h] = c.target;
  }
  const body: Mapping = { columns, duplicates: o.duplicates, dry_run: o.dryRun };
  if (o.country) body.default_country = o.country;
  if (o.assign.startsWith('pool:')) body.assign = { pool_channel_id: o.assign.slice(5) };
  else if (o.assign.startsWith('member:')) body.assign = { member_id: o.assign.slice(7) };
  return body;
}

const KNOWN = /^(columns|default_country|duplicates|assign)/;

function initialOptions(saved?: SavedMapping | null): Options {
  if (!saved) return { country: '', duplicates: 'skip', assign: '', dryRun: false };
  const a = saved.assign;
  return {
    country: saved.default_country ?? '',
    duplicates: saved.duplicates,
    assign: a.pool_channel_id ? `pool:${a.pool_channel_id}` : a.member_id ? `member:${a.member_id}` : '',
    // Adjusting a dry run leads to the real import.
    dryRun: false,
  };
}

export function CsvMapping({ job }: { job: ImportJob }) {
  const preview = usePreview<CsvPreview>(job.id, true);
  const [edited, setEdited] = useState<Record<string, ColumnChoice> | null>(null);
  const [opts, setOpts] = useState<Options>(() => initialOptions(job.mapping));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const save = useSaveMapping(job.id);
  const start = useStartImport(job.id);
  const saved = job.mapping;
  const initial = useMemo(() => (preview.data ? initialChoices(preview.data, saved) : {}), [preview.data, saved]);
  const choices = edited ?? initial;

  const submit = async () => {
    setFormError(null);
    const local: Record<string, string> = {};
    for (const [h, c] of Object.entries(choices)) if (c.target === 'custom' && !c.key.trim()) local[`columns.${h}`] = t('imports.map.customKeyMissing');
    if (!Object.values(choices).some((c) => c.target)) local.columns = t('imports.map.noneMapped');
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      await save.mutateAsync(toBody(choices, opts));
      await start.mutateAsync();
    } catch (e) {
      const byField: Record<string, string> = {};
      const loose: string[] = [];
      if (e instanceof ApiError && e.details?.length) {
        for (const d of e.details) {
          if (d.field && KNOWN.test(d.field)) byField[d.field] = d.message;
          else loose.push(d.field ? `${d.field}: ${d.message}` : d.message);
        }
      } else loose.push(errorMessage(e));
      setErrors(byField);
      setFormError(loose.join(' ') || null);
    }
  };

  const colErrors: Record<string, string> = {};
  for (const [k, v] of Object.entries(errors)) if (k.startsWith('columns.')) colErrors[k.slice(8)] = v;

  return (
    <div className="space-y-6">
      <Card>
        <CardHeader
          title={t('imports.map.title')}
          description={
            preview.data
              ? t('imports.map.detected', { delimiter: preview.data.delimiter === '\t' ? 'Tab' : preview.data.delimiter, encoding: preview.data.encoding, n: preview.data.rows.length })
              : t('imports.map.body')
          }
        />
        {errors.columns && (
          <p data-testid="mapping-error" data-field="columns" className="px-5 pt-4 text-sm font-medium text-red-600 dark:text-red-400">
            {errors.columns}
          </p>
        )}
        {preview.isPending ? (
          <div className="space-y-2 p-5">{[0, 1, 2].map((i) => <Skeleton key={i} className="h-9 w-full" />)}</div>
        ) : preview.isError ? (
          <div className="p-5">
            <FormError message={errorMessage(preview.error)} />
          </div>
        ) : (
          <MappingTable preview={preview.data} choices={choices} errors={colErrors} onChange={(h, c) => setEdited({ ...choices, [h]: c })} />
        )}
      </Card>
      <Card>
        <CardHeader title={t('imports.opt.title')} />
        <div className="space-y-5 p-5">
          <MappingOptions value={opts} onChange={(p) => setOpts({ ...opts, ...p })} errors={errors} />
          <FormError message={formError} testId="mapping-form-error" />
          <div className="flex justify-end border-t border-line pt-4">
            <Button data-testid="mapping-start" loading={save.isPending || start.isPending} disabled={!preview.data} onClick={submit}>
              <Play aria-hidden />
              {opts.dryRun ? t('imports.startDry') : t('imports.start')}
            </Button>
          </div>
        </div>
      </Card>
    </div>
  );
}
