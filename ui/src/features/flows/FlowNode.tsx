import { memo, useEffect } from 'react';
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from '@xyflow/react';
import { CircleAlert } from 'lucide-react';
import clsx from 'clsx';
import { t } from '../../lib/i18n';
import { useMembers, useTeams } from '../team/api';
import { useFlowUi } from './FlowUi';
import { handlesOf, hasTarget, isNodeType, NODE_DEFS, summaryOf } from './nodeDefs';

const handleClass = '!size-3 !border-2 !border-surface !bg-brand-500 hover:!bg-brand-600';

function StatsBadges({ id }: { id: string }) {
  const { stats } = useFlowUi();
  if (!stats) return null;
  const s = stats[id] ?? { entered: 0, completed: 0, dropped: 0 };
  return (
    <div data-testid="node-stats" className="flex gap-1 border-t border-line px-3 py-1.5 text-[11px] tabular-nums">
      <span title={t('flows.stats.entered')} className="rounded bg-sky-50 px-1.5 text-sky-800 dark:bg-sky-950/60 dark:text-sky-200">→ {s.entered}</span>
      <span title={t('flows.stats.completed')} className="rounded bg-brand-50 px-1.5 text-brand-800 dark:bg-brand-950 dark:text-brand-200">✓ {s.completed}</span>
      <span title={t('flows.stats.dropped')} className="rounded bg-red-50 px-1.5 text-red-700 dark:bg-red-950/50 dark:text-red-200">✕ {s.dropped}</span>
    </div>
  );
}

function FlowNodeView({ id, type, data, selected }: NodeProps) {
  const ui = useFlowUi();
  const update = useUpdateNodeInternals();
  const d = data as Record<string, unknown>;
  const handles = handlesOf(type, d);
  const handleKey = handles.map((h) => h.id).join('|');
  useEffect(() => {
    update(id);
  }, [id, handleKey, update]);
  const def = isNodeType(type) ? NODE_DEFS[type] : NODE_DEFS.message;
  const Icon = def.icon;
  const issues = ui.issues.get(id);
  const current = ui.current === id;
  const visited = ui.visited.has(id);
  const members = useMembers();
  const teams = useTeams();
  const summary = summaryOf(type, d, (kind, key) =>
    (kind === 'member' ? members.data?.items : teams.data?.items)?.find((x) => x.id === key)?.name,
  );
  return (
    <div
      data-testid="flow-node"
      data-node-id={id}
      data-node-type={type}
      data-invalid={issues ? 'true' : undefined}
      data-visited={visited ? 'true' : undefined}
      data-current={current ? 'true' : undefined}
      className={clsx(
        'w-[240px] rounded-xl border border-t-4 bg-surface text-left shadow-sm transition-shadow',
        def.accent,
        issues ? 'border-x-red-500 border-b-red-500 ring-2 ring-red-500/30' : 'border-x-line-strong border-b-line-strong',
        selected && 'ring-2 ring-brand-500/60',
        visited && !current && 'shadow-[0_0_0_3px] shadow-sky-400/50',
        current && 'shadow-[0_0_0_4px] shadow-amber-400/80',
      )}
    >
      {hasTarget(type) && <Handle type="target" position={Position.Left} className={clsx(handleClass, '!top-6 !bg-zinc-400')} isConnectable={!ui.readOnly} />}
      <div className="flex items-center gap-2 px-3 pt-2 pb-1">
        <span className={clsx('flex size-6 items-center justify-center rounded-md', def.chip)}>
          <Icon aria-hidden className="size-3.5" />
        </span>
        <span className="flex-1 truncate text-xs font-semibold tracking-wide text-muted uppercase">{t(def.labelKey)}</span>
        {issues && (
          <span title={issues.join('\n')} className="text-red-600 dark:text-red-400">
            <CircleAlert aria-label={t('flows.invalidNode')} className="size-4" />
          </span>
        )}
      </div>
      <p className={clsx('mx-3 mb-2 line-clamp-3 text-sm break-words', summary ? 'text-fg' : 'text-faint italic')}>{summary || t('flows.node.empty')}</p>
      {handles.length > 0 && (
        <ul className="border-t border-line py-1">
          {handles.map((h) => (
            <li key={h.id} className="relative flex h-6 items-center justify-end pr-3 pl-3 text-xs">
              <span className={clsx('truncate', h.tone === 'warn' ? 'text-amber-700 dark:text-amber-300' : h.tone === 'muted' ? 'text-faint' : 'text-muted')}>{h.label}</span>
              <Handle type="source" position={Position.Right} id={h.id} className={handleClass} isConnectable={!ui.readOnly} />
            </li>
          ))}
        </ul>
      )}
      <StatsBadges id={id} />
    </div>
  );
}

export const FlowNode = memo(FlowNodeView);
export const nodeTypes = { trigger: FlowNode, message: FlowNode, question: FlowNode, condition: FlowNode, delay: FlowNode, action: FlowNode };
