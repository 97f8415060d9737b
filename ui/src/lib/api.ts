// Thin fetch wrapper for the wafunnel JSON API.
// - cookies travel with every call (same origin)
// - every state-changing call sends the CSRF double-submit header
// - error bodies {"error":{code,message,details?}} become ApiError
// - a 401 (except from /api/auth/me and calls that opt out) ends the session

import { t } from './i18n';

export interface FieldIssue {
  field?: string;
  message: string;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: FieldIssue[];
  /** Seconds from the Retry-After header (429), when present. */
  readonly retryAfter?: number;

  constructor(status: number, code: string, message: string, details?: FieldIssue[], retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

export const CSRF_COOKIE = 'wf_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

let unauthorizedHandler: (() => void) | null = null;

/** The app registers what "the session is gone" means (go to /login). */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

/** The session is known to be gone (found other than by a failed call). */
export function sessionEnded(): void {
  unauthorizedHandler?.();
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Set false when a 401 is an answer for the form (e.g. wrong current password). */
  redirectOn401?: boolean;
}

const NO_REDIRECT_PATHS = ['/api/auth/me', '/api/auth/login', '/api/setup'];

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers[CSRF_HEADER] = csrf;
  }

  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', t('error.network'));
  }

  if (res.ok) {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const err = await toApiError(res);
  const bare = path.split('?')[0];
  if (err.status === 401 && opts.redirectOn401 !== false && !NO_REDIRECT_PATHS.includes(bare)) {
    unauthorizedHandler?.();
  }
  throw err;
}

async function toApiError(res: Response): Promise<ApiError> {
  const retryHeader = res.headers.get('Retry-After');
  const retryAfter = retryHeader && /^\d+$/.test(retryHeader.trim()) ? Number(retryHeader) : undefined;
  let code = `http_${res.status}`;
  let message = t('error.unexpected', { status: res.status });
  let details: FieldIssue[] | undefined;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body?.error) {
      if (typeof body.error.code === 'string') code = body.error.code;
      if (typeof body.error.message === 'string' && body.error.message) message = body.error.message;
      if (Array.isArray(body.error.details)) details = body.error.details as FieldIssue[];
    }
  } catch {
    // not JSON: keep the generic message
  }
  return new ApiError(res.status, code, message, details, retryAfter);
}

/** The file name a Content-Disposition header proposes, if any. */
function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1].trim() : null;
}

/** GETs a file and hands it to the browser as a download; errors arrive as ApiError like any call. */
export async function download(path: string, fallbackName: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', t('error.network'));
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (err.status === 401) unauthorizedHandler?.();
    throw err;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = dispositionName(res.headers.get('Content-Disposition')) ?? fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>(path, { signal }),
  post: <T>(path: string, body?: unknown, opts?: Omit<RequestOptions, 'method' | 'body'>) =>
    request<T>(path, { ...opts, method: 'POST', body }),
  put: <T>(path: string, body?: unknown) => request<T>(path, { method: 'PUT', body }),
  patch: <T>(path: string, body?: unknown) => request<T>(path, { method: 'PATCH', body }),
  del: <T = void>(path: string) => request<T>(path, { method: 'DELETE' }),
};

/** Codes whose message the UI words itself, whatever the server said. */
const OWN_MESSAGES: Record<string, () => string> = {
  support_read_only: () => t('support.readOnlyError'),
};

/** A short, human message for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return OWN_MESSAGES[e.code]?.() ?? e.message;
  if (e instanceof Error && e.message) return e.message;
  return t('error.unexpected', { status: '?' });
}
