// Automation runs of a conversation: wire shapes, queries, stop/resume and node labels.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { can } from '../../lib/auth';
import { t } from '../../lib/i18n';
import type { Session } from '../../lib/types';
import { handlesOf, isNodeType, NODE_DEFS, summaryOf } from '../flows/nodeDefs';
import type { FlowNodeJson } from '../flows/types';
import { runsKey } from './keys';

export type RunState = 'running' | 'waiting_input' | 'waiting_timer' | 'completed' | 'failed' | 'cancelled' | 'expired';

export interface RunEvent {
  at: string;
  node: string;
  handle: string | null;
  note: string | null;
}

export interface Run {
  id: string;
  flow_id: string;
  version: number;
  state: RunState;
  current_node: string | null;
  variables: Record<string, unknown>;
  error: string | null;
  timer_at: string | null;
  started_at: string;
  updated_at: string;
  events: RunEvent[];
  /** The flow's name, and the nodes the run names (for those who cannot open the flow). */
  flow_name?: string | null;
  nodes?: FlowNodeJson[];
}

export const isActive = (s: RunState) => s === 'running' || s === 'waiting_input' || s === 'waiting_timer';
export const isResumable = (s: RunState) => s === 'failed' || s === 'cancelled' || s === 'expired';

export const mayManageFlows = (s: Session) => s.member?.role === 'owner' || can(s, 'manage_flows');

export function useRuns(conversationId: string) {
  return useQuery({
    queryKey: runsKey(conversationId),
    queryFn: ({ signal }) => api.get<{ items: Run[] }>(`/api/conversations/${conversationId}/runs`, signal),
  });
}

export function useStopRun(conversationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (runId: string) => api.post<Run>(`/api/flow-runs/${runId}/cancel`),
    onSuccess: () => qc.invalidateQueries({ queryKey: runsKey(conversationId) }),
  });
}

export function useResumeRun(conversationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ runId, nodeId }: { runId: string; nodeId: string }) =>
      api.post<Run>(`/api/flow-runs/${runId}/resume`, { node_id: nodeId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: runsKey(conversationId) }),
  });
}

function firstWords(text: string, n: number): string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  return words.length > n ? `${words.slice(0, n).join(' ')}…` : words.join(' ');
}

/** "Message · Hi {{contact.name}}! Welcome…": node type and the first words of its text. */
export function nodeLabel(node: FlowNodeJson | undefined, id: string): string {
  if (!node || !isNodeType(node.type)) return id;
  const text = firstWords(summaryOf(node.type, node.data ?? {}), 5);
  const type = t(NODE_DEFS[node.type].labelKey);
  return text ? `${type} · ${text}` : type;
}

/** A handle's label ("Buy a car") when the node is known, else its id. */
export function handleLabel(node: FlowNodeJson | undefined, handle: string): string {
  if (!node) return handle;
  return handlesOf(node.type, node.data ?? {}).find((h) => h.id === handle)?.label ?? handle;
}
