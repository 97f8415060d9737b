import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { customChannelsKey, fbImportsKey, fbPagesKey } from './keys';
import type { CustomChannel, FbPage, FbPages, ImportProgress, NewChannel, SimulatedLead } from './sourceTypes';

/** A webhook token is shown once: the create / rotate answer is kept here until the tab closes. */
const freshTokensKey = ['channels', 'fresh-tokens'] as const;
type Tokens = Record<string, string>;

let justCreated: string | null = null;
/** The card of a channel created in this tab scrolls itself into view on first render. */
export function takeJustCreated(id: string): boolean {
  if (justCreated !== id) return false;
  justCreated = null;
  return true;
}

export function useCustomChannels(enabled = true) {
  return useQuery({
    queryKey: customChannelsKey,
    queryFn: ({ signal }) => api.get<{ items: CustomChannel[] }>('/api/channels', signal),
    enabled,
  });
}

export function useFreshToken(channelId: string): string | null {
  const q = useQuery<Tokens>({ queryKey: freshTokensKey, queryFn: () => ({}), staleTime: Infinity, gcTime: Infinity });
  return q.data?.[channelId] ?? null;
}

function useKeepToken() {
  const qc = useQueryClient();
  return (c: CustomChannel) => {
    if (c.kind === 'webhook' && c.token)
      qc.setQueryData<Tokens>(freshTokensKey, (old) => ({ ...(old ?? {}), [c.id]: c.token as string }));
  };
}

export function useCreateChannel() {
  const qc = useQueryClient();
  const keep = useKeepToken();
  return useMutation({
    mutationFn: (body: NewChannel) => api.post<CustomChannel>('/api/channels', body),
    onSuccess: (c) => {
      justCreated = c.id;
      keep(c);
      qc.setQueryData<{ items: CustomChannel[] }>(customChannelsKey, (old) =>
        old && !old.items.some((x) => x.id === c.id) ? { ...old, items: [...old.items, { ...c, ...(c.kind === 'webhook' ? { token: null } : {}) }] } : old,
      );
      return qc.invalidateQueries({ queryKey: customChannelsKey });
    },
  });
}

export function useRotateToken(id: string) {
  const keep = useKeepToken();
  return useMutation({
    mutationFn: () => api.post<CustomChannel>(`/api/channels/${id}/token`),
    onSuccess: keep,
  });
}

export function useDeleteChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del(`/api/channels/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: customChannelsKey }),
  });
}

export function useFacebookPages(enabled = true) {
  return useQuery({
    queryKey: fbPagesKey,
    queryFn: ({ signal }) => api.get<FbPages>('/api/facebook/pages', signal),
    enabled,
  });
}

export function useCreateSandboxPage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name?: string) => api.post<FbPage>('/api/facebook/pages', { sandbox: true, ...(name ? { name } : {}) }),
    onSuccess: (p) => {
      justCreated = p.id;
      return qc.invalidateQueries({ queryKey: fbPagesKey });
    },
  });
}

export function useDeletePage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del(`/api/facebook/pages/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: fbPagesKey }),
  });
}

type Imports = Record<string, ImportProgress>;

/** Imports started from this tab, by import id. */
export function useImports(): Imports {
  const q = useQuery<Imports>({ queryKey: fbImportsKey, queryFn: () => ({}), staleTime: Infinity, gcTime: Infinity });
  return q.data ?? {};
}

export function useStartImport(pageId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (formId: string) => api.post<{ import_id: string }>(`/api/facebook/pages/${pageId}/import`, { form_id: formId }),
    onSuccess: ({ import_id }, formId) =>
      qc.setQueryData<Imports>(fbImportsKey, (old) => ({
        ...(old ?? {}),
        [import_id]: { id: import_id, page_id: pageId, form_id: formId, status: 'running', rows_done: 0, rows_failed: 0, rows_total: null },
      })),
  });
}

/** Applies an import.progress frame; returns the updated record when it belongs to an import of ours. */
export function applyImportFrame(
  qc: ReturnType<typeof useQueryClient>,
  d: Record<string, unknown>,
): ImportProgress | null {
  if (d.kind !== 'facebook' || typeof d.id !== 'string') return null;
  const old = qc.getQueryData<Imports>(fbImportsKey) ?? {};
  const prev = old[d.id];
  if (!prev) return null;
  const next: ImportProgress = {
    ...prev,
    status: d.status === 'completed' || d.status === 'failed' ? d.status : 'running',
    rows_done: typeof d.rows_done === 'number' ? d.rows_done : prev.rows_done,
    rows_failed: typeof d.rows_failed === 'number' ? d.rows_failed : prev.rows_failed,
    rows_total: typeof d.rows_total === 'number' ? d.rows_total : prev.rows_total,
  };
  qc.setQueryData<Imports>(fbImportsKey, { ...old, [d.id]: next });
  return next;
}

export function useSimulateLead(pageId: string) {
  return useMutation({
    mutationFn: (lead: SimulatedLead) => api.post<{ leadgen_id: string }>(`/api/simulator/facebook/${pageId}/leads`, lead),
  });
}
