import type { KeyboardEvent } from 'react';
import * as DM from '@radix-ui/react-dropdown-menu';
import { Copy, Ellipsis, Power, Trash2 } from 'lucide-react';
import { t } from '../../lib/i18n';
import { absoluteTime, relativeTime } from '../leads/format';
import { FlowStatusBadge } from './StatusBadge';
import type { FlowSummary } from './types';

export interface RowApi {
  open: (f: FlowSummary) => void;
  number: (f: FlowSummary) => string;
  duplicate: (f: FlowSummary) => void;
  /** Stops an active flow where it stands (its runs end), without opening it. */
  disable: (f: FlowSummary) => void;
  remove: (f: FlowSummary) => void;
}

const th = 'px-3 py-2.5 text-left text-xs font-medium tracking-wide whitespace-nowrap text-faint uppercase';
const td = 'px-3 py-2.5 align-middle text-sm';
const itemClass = 'flex h-9 cursor-pointer items-center gap-2.5 rounded-md px-2.5 text-sm text-fg outline-none select-none data-[highlighted]:bg-subtle [&_svg]:size-4 [&_svg]:text-faint';

function RowMenu({ f, api }: { f: FlowSummary; api: RowApi }) {
  return (
    <DM.Root>
      <DM.Trigger
        aria-label={t('common.moreActions', { name: f.name })}
        data-testid="flow-row-menu"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.stopPropagation()}
        className="focus-ring inline-flex size-8 items-center justify-center rounded-lg text-muted hover:bg-subtle hover:text-fg"
      >
        <Ellipsis aria-hidden className="size-4" />
      </DM.Trigger>
      <DM.Portal>
        <DM.Content align="end" sideOffset={4} onClick={(e) => e.stopPropagation()} className="animate-fade-in z-50 w-48 rounded-xl border border-line bg-surface p-1.5 shadow-lg">
          <DM.Item className={itemClass} onSelect={() => api.duplicate(f)}><Copy aria-hidden />{t('flows.duplicate')}</DM.Item>
          {f.status === 'active' && (
            <DM.Item className={itemClass} onSelect={() => api.disable(f)} data-testid="flow-row-disable"><Power aria-hidden />{t('flows.disable')}</DM.Item>
          )}
          <DM.Item className={`${itemClass} text-red-700 dark:text-red-300`} onSelect={() => api.remove(f)}><Trash2 aria-hidden />{t('flows.delete')}</DM.Item>
        </DM.Content>
      </DM.Portal>
    </DM.Root>
  );
}

function Version({ f }: { f: FlowSummary }) {
  if (f.published_version == null) return <span className="text-faint">{t('flows.unpublished')}</span>;
  return (
    <span className="whitespace-nowrap">
      v{f.published_version}
      {f.draft_changed && <span className="ml-1 text-xs text-amber-700 dark:text-amber-300">· {t('flows.draftChanged')}</span>}
    </span>
  );
}

function Runs({ f }: { f: FlowSummary }) {
  const s = f.stats ?? { runs_started: 0, runs_completed: 0, runs_failed: 0 };
  return (
    <span className="whitespace-nowrap tabular-nums" title={t('flows.runsTitle', { started: s.runs_started, completed: s.runs_completed, failed: s.runs_failed })}>
      {s.runs_started}
      <span className="ml-1.5 text-xs text-faint">✓ {s.runs_completed}{s.runs_failed > 0 && <span className="ml-1 text-red-600 dark:text-red-400">✕ {s.runs_failed}</span>}</span>
    </span>
  );
}

const Updated = ({ iso }: { iso: string }) => <time dateTime={iso} title={absoluteTime(iso)} className="whitespace-nowrap">{relativeTime(iso)}</time>;

const onKey = (api: RowApi, f: FlowSummary) => (e: KeyboardEvent) => {
  if (e.key === 'Enter' && e.target === e.currentTarget) api.open(f);
};

export function FlowTable({ rows, api }: { rows: FlowSummary[]; api: RowApi }) {
  return (
    <div className="overflow-x-auto">
      <table data-testid="flow-list" className="w-full">
        <thead className="border-b border-line bg-subtle/60">
          <tr>
            <th scope="col" className={th}>{t('flows.col.name')}</th>
            <th scope="col" className={th}>{t('flows.col.status')}</th>
            <th scope="col" className={`${th} hidden xl:table-cell`}>{t('flows.col.number')}</th>
            <th scope="col" className={th}>{t('flows.col.version')}</th>
            <th scope="col" className={th}>{t('flows.col.runs')}</th>
            <th scope="col" className={th}>{t('flows.col.updated')}</th>
            <th scope="col" className={th}><span className="sr-only">{t('common.actions')}</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {rows.map((f) => (
            <tr key={f.id} data-testid="flow-row" data-flow-id={f.id} data-status={f.status} tabIndex={0} onClick={() => api.open(f)} onKeyDown={onKey(api, f)} className="focus-ring cursor-pointer transition-colors hover:bg-subtle">
              <td className={`${td} max-w-72`}>
                <span className="block truncate font-medium text-fg">{f.name}</span>
                <span className="block truncate text-xs text-muted tabular-nums xl:hidden">{api.number(f)}</span>
              </td>
              <td className={td}><FlowStatusBadge status={f.status} /></td>
              <td className={`${td} hidden whitespace-nowrap text-muted tabular-nums xl:table-cell`}>{api.number(f)}</td>
              <td className={`${td} text-muted`}><Version f={f} /></td>
              <td className={`${td} text-fg`}><Runs f={f} /></td>
              <td className={`${td} text-muted`}><Updated iso={f.updated_at} /></td>
              <td className={`${td} w-10 text-right`}><RowMenu f={f} api={api} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Phone widths: one card per flow. */
export function FlowCards({ rows, api }: { rows: FlowSummary[]; api: RowApi }) {
  return (
    <ul data-testid="flow-list" className="divide-y divide-line">
      {rows.map((f) => (
        <li key={f.id} data-testid="flow-row" data-flow-id={f.id} data-status={f.status} tabIndex={0} onClick={() => api.open(f)} onKeyDown={onKey(api, f)} className="focus-ring cursor-pointer space-y-1.5 px-4 py-3 active:bg-subtle">
          <div className="flex items-start justify-between gap-3">
            <p className="min-w-0 truncate pt-1 text-sm font-medium text-fg">{f.name}</p>
            <RowMenu f={f} api={api} />
          </div>
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted">
            <FlowStatusBadge status={f.status} />
            <span className="tabular-nums">{api.number(f)}</span>
            <span aria-hidden>·</span>
            <Version f={f} />
          </div>
          <div className="flex items-center justify-between text-xs text-muted">
            <span>{t('flows.runs')}: <Runs f={f} /></span>
            <Updated iso={f.updated_at} />
          </div>
        </li>
      ))}
    </ul>
  );
}
