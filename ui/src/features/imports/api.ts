import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, CSRF_COOKIE, CSRF_HEADER, readCookie, type FieldIssue } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { ChatPreview, CsvMapping, CsvPreview, ImportJob, ImportKind, ImportLive } from './types';

export const importsKey = ['imports'] as const;
const listKey = ['imports', 'list'] as const;
const oneKey = (id: string) => ['imports', 'one', id] as const;
const liveKey = (id: string) => ['imports', 'live', id] as const;

const anyRunning = (items?: ImportJob[]) => items?.some((i) => i.status === 'running') ?? false;

export function useImportList() {
  return useQuery({
    queryKey: listKey,
    queryFn: ({ signal }) => api.get<{ items: ImportJob[] }>('/api/imports', signal),
    // The WS frame is the fast path; a slow poll covers a missed frame.
    refetchInterval: (q) => (anyRunning(q.state.data?.items) ? 10_000 : false),
  });
}

export function useImport(id: string) {
  return useQuery({
    queryKey: oneKey(id),
    queryFn: ({ signal }) => api.get<ImportJob>(`/api/imports/${id}`, signal),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 10_000 : false),
  });
}

export function usePreview<T extends CsvPreview | ChatPreview>(id: string, enabled: boolean) {
  return useQuery({
    queryKey: ['imports', 'preview', id],
    enabled,
    staleTime: Infinity,
    queryFn: ({ signal }) => api.get<T>(`/api/imports/${id}/preview`, signal),
  });
}

/** Rate and ETA from the last progress frame (kept only in this tab). */
export function useLive(id: string): ImportLive | undefined {
  const q = useQuery<ImportLive | null>({ queryKey: liveKey(id), queryFn: () => null, staleTime: Infinity, gcTime: Infinity });
  return q.data ?? undefined;
}

/** Folds one `import.progress` frame into the cached list and detail. */
export function useApplyProgress() {
  const qc = useQueryClient();
  return (live: ImportLive) => {
    const merge = (job: ImportJob): ImportJob => ({
      ...job,
      status: live.status ?? job.status,
      rows_done: live.rows_done ?? job.rows_done,
      rows_failed: live.rows_failed ?? job.rows_failed,
      rows_skipped: live.rows_skipped ?? job.rows_skipped,
      rows_total: live.rows_total ?? job.rows_total,
    });
    qc.setQueryData(liveKey(live.id), live);
    qc.setQueryData<{ items: ImportJob[] }>(listKey, (old) => old && { ...old, items: old.items.map((j) => (j.id === live.id ? merge(j) : j)) });
    qc.setQueryData<ImportJob>(oneKey(live.id), (old) => old && merge(old));
    const known = qc.getQueryData<{ items: ImportJob[] }>(listKey)?.items.some((j) => j.id === live.id);
    if (live.status !== 'running' || !known) qc.invalidateQueries({ queryKey: importsKey, predicate: (q) => q.queryKey[1] !== 'live' });
  };
}

function useRefresh() {
  const qc = useQueryClient();
  return (job?: ImportJob) => {
    if (job?.id) qc.setQueryData(oneKey(job.id), job);
    return qc.invalidateQueries({ queryKey: listKey });
  };
}

export function useSaveMapping(id: string) {
  const done = useRefresh();
  return useMutation({
    mutationFn: (body: CsvMapping | { business_participant: string; tz_offset_minutes?: number }) => api.put<ImportJob>(`/api/imports/${id}/mapping`, body),
    onSuccess: done,
  });
}

export function useStartImport(id: string) {
  const done = useRefresh();
  return useMutation({ mutationFn: () => api.post<ImportJob>(`/api/imports/${id}/start`), onSuccess: done });
}

export function useCancelImport() {
  const done = useRefresh();
  return useMutation({ mutationFn: (id: string) => api.post<ImportJob>(`/api/imports/${id}/cancel`), onSuccess: done });
}

export const errorsUrl = (id: string) => `/api/imports/${id}/errors.csv`;

/** Multipart upload through XHR so the bar can show the bytes sent. */
export function uploadImport(file: File, kind: ImportKind, onProgress: (fraction: number) => void): Promise<{ id: string; status: string }> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', file);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/imports');
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) xhr.setRequestHeader(CSRF_HEADER, csrf);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 'network_error', t('error.network')));
    xhr.onload = () => {
      let body: { id?: string; status?: string; error?: { code?: string; message?: string; details?: FieldIssue[] } } = {};
      try {
        body = JSON.parse(xhr.responseText || '{}');
      } catch {
        // not JSON
      }
      if (xhr.status >= 200 && xhr.status < 300 && body.id) return resolve({ id: body.id, status: body.status ?? 'uploaded' });
      let message = body.error?.message || t('error.unexpected', { status: xhr.status });
      if (xhr.status === 413) message = t('imports.tooLarge');
      else if (body.error?.details?.length) message = body.error.details.map((d) => d.message).join(' ');
      reject(new ApiError(xhr.status, body.error?.code ?? `http_${xhr.status}`, message, body.error?.details));
    };
    xhr.send(form);
  });
}
