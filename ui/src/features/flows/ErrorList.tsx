import { useState } from 'react';
import { ChevronDown, CircleAlert, CircleCheck } from 'lucide-react';
import clsx from 'clsx';
import { t } from '../../lib/i18n';
import type { FlowStats, Issue } from './types';

/** Validation problems of the draft; a click on one selects its node. */
export function ErrorList({ issues, onPick }: { issues: Issue[]; onPick: (nodeId: string) => void }) {
  const [open, setOpen] = useState(true);
  if (issues.length === 0)
    return (
      <div data-testid="flow-valid" className="inline-flex items-center gap-1.5 rounded-lg border border-line bg-surface/95 px-2.5 py-1.5 text-xs text-muted shadow-sm">
        <CircleCheck aria-hidden className="size-3.5 text-brand-600 dark:text-brand-400" />
        {t('flows.valid')}
        <ul data-testid="flow-errors" hidden />
      </div>
    );
  return (
    <div className="w-80 max-w-[calc(100vw-2rem)] rounded-lg border border-red-200 bg-surface/95 shadow-lg dark:border-red-900/60">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} className="focus-ring flex w-full items-center gap-2 px-3 py-2 text-left text-sm font-medium text-red-700 dark:text-red-300">
        <CircleAlert aria-hidden className="size-4" />
        <span className="flex-1">{t('flows.problems', { n: issues.length })}</span>
        <ChevronDown aria-hidden className={clsx('size-4 transition-transform', open && 'rotate-180')} />
      </button>
      <ul data-testid="flow-errors" hidden={!open} className="max-h-48 overflow-y-auto border-t border-line py-1">
        {issues.map((issue, i) => (
          <li key={i} data-testid="flow-error" data-node-id={issue.node_id ?? ''}>
            <button
              type="button"
              disabled={!issue.node_id}
              onClick={() => issue.node_id && onPick(issue.node_id)}
              className="focus-ring block w-full px-3 py-1.5 text-left text-xs text-fg enabled:hover:bg-subtle"
            >
              {issue.node_id && <span className="mr-1.5 font-mono text-[10px] text-faint">{issue.node_id}</span>}
              {issue.message}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Totals of the published flow's runs, shown with the analytics badges. */
export function RunStats({ runs }: { runs: FlowStats['runs'] }) {
  return (
    <p data-testid="flow-run-stats" className="rounded-lg border border-line bg-surface/95 px-2.5 py-1.5 text-xs text-muted tabular-nums shadow-sm">
      {t('flows.runStats', { started: runs.started, completed: runs.completed, failed: runs.failed, active: runs.active })}
    </p>
  );
}
