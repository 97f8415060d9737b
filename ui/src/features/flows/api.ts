import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { Page } from '../../lib/types';
import { flowKey, flowListKey, flowsKey, flowStatsKey, flowTemplatesKey, flowVersionKey, flowVersionsKey } from './keys';
import type { Flow, FlowDraft, FlowStats, FlowSummary, FlowTemplate, FlowVersion, FlowEdgeJson, FlowNodeJson, SimStep, Validation } from './types';

const base = (id: string) => `/api/flows/${id}`;

export function useFlows(enabled = true) {
  return useQuery({
    queryKey: flowListKey,
    queryFn: ({ signal }) => api.get<Page<FlowSummary>>('/api/flows', signal),
    enabled,
  });
}

export function useFlow(id: string) {
  return useQuery({
    queryKey: flowKey(id),
    queryFn: ({ signal }) => api.get<Flow>(base(id), signal),
    // The editor owns the draft once loaded: no refetch over what the author is typing,
    // and no stale copy kept for the next visit (gcTime 0: every opening reads the server).
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
}

export function useFlowTemplates(enabled = true) {
  return useQuery({
    queryKey: flowTemplatesKey,
    queryFn: ({ signal }) => api.get<{ items: FlowTemplate[] }>('/api/flows/templates', signal),
    enabled,
    staleTime: Infinity,
  });
}

export function useFlowVersions(id: string, enabled: boolean) {
  return useQuery({
    queryKey: flowVersionsKey(id),
    queryFn: ({ signal }) => api.get<{ items: FlowVersion[] }>(`${base(id)}/versions`, signal),
    enabled,
  });
}

export function useFlowVersion(id: string, version: number | null) {
  return useQuery({
    queryKey: flowVersionKey(id, version ?? 0),
    queryFn: ({ signal }) => api.get<{ version: number; nodes: FlowNodeJson[]; edges: FlowEdgeJson[] }>(`${base(id)}/versions/${version}`, signal),
    enabled: version != null,
    staleTime: Infinity,
  });
}

export function useFlowStats(id: string, enabled: boolean) {
  return useQuery({
    queryKey: flowStatsKey(id),
    queryFn: ({ signal }) => api.get<FlowStats>(`${base(id)}/stats`, signal),
    enabled,
    refetchInterval: enabled ? 30_000 : false,
  });
}

export function useCreateFlow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: FlowDraft & { name: string }) => api.post<Flow>('/api/flows', body),
    onSuccess: (f) => {
      qc.setQueryData(flowKey(f.id), f);
      return qc.invalidateQueries({ queryKey: flowListKey });
    },
  });
}

export function useDeleteFlow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del(base(id)),
    onSuccess: () => qc.invalidateQueries({ queryKey: flowListKey }),
  });
}

export function useDuplicateFlow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<Flow>(`${base(id)}/duplicate`),
    onSuccess: (f) => {
      qc.setQueryData(flowKey(f.id), f);
      return qc.invalidateQueries({ queryKey: flowListKey });
    },
  });
}

/** Saves the draft; the editor keeps its own copy, so only the list is refreshed. */
export const saveDraft = (id: string, body: FlowDraft) => api.put<Flow>(base(id), body);
export const validateFlow = (id: string) => api.post<Validation>(`${base(id)}/validate`);

export function usePublishFlow(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ version: number }>(`${base(id)}/publish`),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: flowListKey }),
        qc.invalidateQueries({ queryKey: flowVersionsKey(id) }),
      ]),
  });
}

export function useDisableFlow(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<Flow>(`${base(id)}/disable`),
    onSuccess: () => qc.invalidateQueries({ queryKey: flowListKey }),
  });
}

/** The list's "Disable": any flow by id. */
export function useDisableAnyFlow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<Flow>(`${base(id)}/disable`),
    onSuccess: () => qc.invalidateQueries({ queryKey: flowListKey }),
  });
}

export function invalidateFlows(qc: ReturnType<typeof useQueryClient>) {
  return qc.invalidateQueries({ queryKey: flowsKey });
}

export const sim = {
  start: (id: string) => api.post<SimStep & { session_id: string }>(`${base(id)}/simulate`),
  input: (session: string, body: { text?: string; reply_id?: string }) => api.post<SimStep>(`/api/flows/simulations/${session}/input`, body),
  advance: (session: string, seconds: number) => api.post<SimStep>(`/api/flows/simulations/${session}/advance`, { seconds }),
  stop: (session: string) => api.del(`/api/flows/simulations/${session}`),
};
