// A small reader for the server's OpenAPI 3.1 document: just what the reference page shows.

import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';

interface Ref {
  $ref: string;
}
interface RawParameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: { type?: string | string[] } & Partial<Ref>;
}
interface RawOperation {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  deprecated?: boolean;
  security?: Record<string, string[]>[];
  parameters?: (RawParameter | Ref)[];
  requestBody?: { description?: string; content?: Record<string, { schema?: Partial<Ref> & { title?: string } }> };
  'x-access'?: string;
}
export interface OpenApiDoc {
  openapi: string;
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, unknown>>;
  components?: { parameters?: Record<string, RawParameter> };
}

export type Access = 'public' | 'signed_in' | 'member' | 'owner' | 'admin';
export interface Parameter {
  name: string;
  in: string;
  required: boolean;
  type: string | null;
}
export interface Operation {
  key: string;
  method: string;
  path: string;
  tag: string;
  summary: string;
  operationId: string | null;
  access: Access;
  parameters: Parameter[];
  /** The request body's schema or type name, else its media type. */
  body: { name: string | null; mediaType: string | null } | null;
  deprecated: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
const ACCESS: readonly Access[] = ['public', 'signed_in', 'member', 'owner', 'admin'];

const refName = (ref: string | undefined) => (ref ? (ref.split('/').pop() ?? null) : null);

function accessOf(op: RawOperation, globalSecured: boolean): Access {
  const x = op['x-access'];
  if (x && (ACCESS as readonly string[]).includes(x)) return x as Access;
  const security = op.security;
  if (security) return security.length === 0 || security.every((s) => Object.keys(s).length === 0) ? 'public' : 'signed_in';
  return globalSecured ? 'signed_in' : 'public';
}

function parameterOf(p: RawParameter | Ref, doc: OpenApiDoc): Parameter | null {
  const raw = '$ref' in p ? doc.components?.parameters?.[refName(p.$ref) ?? ''] : p;
  if (!raw) return null;
  const type = raw.schema?.type ?? refName(raw.schema?.$ref) ?? null;
  return { name: raw.name, in: raw.in, required: raw.required === true, type: Array.isArray(type) ? type.join(' | ') : type };
}

function bodyOf(op: RawOperation): Operation['body'] {
  const rb = op.requestBody;
  if (!rb) return null;
  const [mediaType, content] = Object.entries(rb.content ?? {})[0] ?? [null, undefined];
  // the server names the Rust type in the description, as `Name`
  const described = rb.description?.match(/`([^`]+)`/)?.[1] ?? null;
  const name = refName(content?.schema?.$ref) ?? content?.schema?.title ?? described;
  return { name, mediaType };
}

/** Every operation of the document, in document order. */
export function operations(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  const globalSecured = Array.isArray((doc as { security?: unknown[] }).security) && ((doc as { security?: unknown[] }).security?.length ?? 0) > 0;
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const shared = (item.parameters as (RawParameter | Ref)[] | undefined) ?? [];
    for (const method of METHODS) {
      const op = item[method] as RawOperation | undefined;
      if (!op) continue;
      const params = [...shared, ...(op.parameters ?? [])].map((p) => parameterOf(p, doc)).filter((p): p is Parameter => p !== null);
      out.push({
        key: `${method} ${path}`,
        method,
        path,
        tag: op.tags?.[0] ?? 'other',
        summary: op.summary ?? '',
        operationId: op.operationId ?? null,
        access: accessOf(op, globalSecured),
        parameters: params,
        body: bodyOf(op),
        deprecated: op.deprecated === true,
      });
    }
  }
  return out;
}

/** Operations whose method, path, tag, summary or id contain every word of the filter. */
export function matches(op: Operation, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = `${op.method} ${op.path} ${op.tag} ${op.summary} ${op.operationId ?? ''} ${op.access}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** Operations grouped by tag, tags sorted by name. */
export function byTag(ops: Operation[]): [string, Operation[]][] {
  const groups = new Map<string, Operation[]>();
  for (const op of ops) groups.set(op.tag, [...(groups.get(op.tag) ?? []), op]);
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

export function useOpenApi() {
  return useQuery({
    queryKey: ['openapi'],
    queryFn: ({ signal }) => api.get<OpenApiDoc>('/api/openapi.json', signal),
    staleTime: Infinity,
  });
}
