import { Square } from 'lucide-react';
import { Badge, type Tone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { t, type MessageKey } from '../../lib/i18n';
import { useFlowVersion } from '../flows/api';
import { RunEvents } from './RunEvents';
import { RunResume } from './RunResume';
import { isActive, isResumable, nodeLabel, useStopRun, type Run, type RunState } from './runs';

const TONES: Record<RunState, Tone> = {
  running: 'blue',
  waiting_input: 'blue',
  waiting_timer: 'blue',
  completed: 'brand',
  failed: 'red',
  cancelled: 'neutral',
  expired: 'neutral',
};

interface Props {
  run: Run;
  conversationId: string;
  flowName: string;
  /** May read the flow's nodes and resume runs (owner or manage_flows). */
  manage: boolean;
  /** Another run of this conversation is active (resume would be refused). */
  blocked: boolean;
  latest: boolean;
}

export function RunCard({ run, conversationId, flowName, manage, blocked, latest }: Props) {
  const toast = useToast();
  const stop = useStopRun(conversationId);
  const version = useFlowVersion(run.flow_id, manage ? run.version : null);
  // Editors read the whole version; others get the nodes the run names with it.
  const nodes = new Map((version.data?.nodes ?? run.nodes ?? []).map((n) => [n.id, n]));
  const vars = Object.entries(run.variables ?? {});
  const active = isActive(run.state);

  return (
    <div
      data-testid="run"
      data-run-id={run.id}
      data-state={run.state}
      className="space-y-2 rounded-lg border border-line bg-canvas/40 p-3 text-sm dark:bg-subtle/40"
    >
      <div className="flex items-start justify-between gap-2">
        <p className="min-w-0 font-medium break-words text-fg">
          {run.flow_name ?? flowName} <span className="font-normal text-muted">· {t('runs.version', { n: run.version })}</span>
        </p>
        <Badge tone={TONES[run.state] ?? 'neutral'}>{t(`flows.sim.state.${run.state}` as MessageKey)}</Badge>
      </div>
      {run.current_node && (
        <p className="text-xs text-muted">
          {t(active ? 'runs.at' : 'runs.endedAt')}: <span data-testid="run-node" className="break-words text-fg">{nodeLabel(nodes.get(run.current_node), run.current_node)}</span>
        </p>
      )}
      {active && run.timer_at && (
        <p data-testid="run-timer" className="text-xs text-muted">
          {t('runs.waitingUntil', { time: formatDateTime(run.timer_at) ?? '' })}
        </p>
      )}
      {run.error && (
        <p
          data-testid="run-error"
          className={
            run.state === 'failed'
              ? 'rounded-md bg-red-50 px-2 py-1.5 text-xs break-words text-red-700 dark:bg-red-950/40 dark:text-red-300'
              : 'text-xs break-words text-muted'
          }
        >
          {run.error}
        </p>
      )}
      {vars.length > 0 && (
        <details className="text-xs">
          <summary className="cursor-pointer font-medium text-muted hover:text-fg">{t('runs.variables', { n: vars.length })}</summary>
          <dl data-testid="run-variables" className="mt-1.5 max-h-40 space-y-0.5 overflow-y-auto font-mono">
            {vars.map(([k, v]) => (
              <div key={k} className="flex gap-2">
                <dt className="shrink-0 text-faint">{k}</dt>
                <dd className="min-w-0 break-all text-fg">{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
      {run.events.length > 0 && <RunEvents events={run.events} nodes={nodes} open={latest} />}
      <p className="text-[11px] text-faint">{t('runs.started', { time: formatDateTime(run.started_at) ?? '' })}</p>
      {active && (
        <Button
          data-testid="run-stop"
          size="sm"
          variant="secondary"
          loading={stop.isPending}
          onClick={() =>
            stop.mutate(run.id, { onSuccess: () => toast.success(t('runs.stopped')), onError: (e) => toast.error(errorMessage(e)) })
          }
        >
          <Square className="text-red-600 dark:text-red-400" />
          {t('runs.stop')}
        </Button>
      )}
      {manage && isResumable(run.state) && (
        <RunResume run={run} conversationId={conversationId} nodes={version.data?.nodes ?? []} blocked={blocked} />
      )}
    </div>
  );
}
