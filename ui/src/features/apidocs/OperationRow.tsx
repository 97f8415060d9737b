import clsx from 'clsx';
import { Badge, type Tone } from '../../components/Badge';
import { t, type MessageKey } from '../../lib/i18n';
import type { Access, Operation } from './openapi';

const METHOD_CLASS: Record<string, string> = {
  get: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200',
  post: 'bg-brand-100 text-brand-800 dark:bg-brand-950 dark:text-brand-200',
  put: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200',
  patch: 'bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-200',
  delete: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
};

export const ACCESS_LABEL: Record<Access, MessageKey> = {
  public: 'apiDocs.access.public',
  signed_in: 'apiDocs.access.signedIn',
  member: 'apiDocs.access.member',
  owner: 'apiDocs.access.owner',
  admin: 'apiDocs.access.admin',
};
const ACCESS_TONE: Record<Access, Tone> = { public: 'brand', signed_in: 'neutral', member: 'neutral', owner: 'blue', admin: 'amber' };

export function MethodBadge({ method }: { method: string }) {
  return (
    <span
      className={clsx(
        'inline-flex w-16 shrink-0 justify-center rounded-md py-0.5 font-mono text-[11px] font-bold tracking-wide uppercase',
        METHOD_CLASS[method] ?? 'bg-subtle text-muted',
      )}
    >
      {method}
    </span>
  );
}

/** The path with its {parameters} picked out; lines may break after a slash. */
function PathText({ path }: { path: string }) {
  const parts = path.split(/(\{[^}]+\}|\/)/g).filter(Boolean);
  return (
    <code className="font-mono text-sm [overflow-wrap:anywhere] text-fg">
      {parts.map((p, i) =>
        p === '/' ? (
          <span key={i}>
            /<wbr />
          </span>
        ) : p.startsWith('{') ? (
          <span key={i} className="text-brand-700 dark:text-brand-300">{p}</span>
        ) : (
          p
        ),
      )}
    </code>
  );
}

export function OperationRow({ op }: { op: Operation }) {
  return (
    <li data-testid="api-docs-operation" data-method={op.method} data-path={op.path} data-access={op.access} className="space-y-1.5 px-5 py-3">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1.5">
        <MethodBadge method={op.method} />
        <span className={clsx('min-w-0 flex-1', op.deprecated && 'line-through opacity-70')}>
          <PathText path={op.path} />
        </span>
        <Badge tone={ACCESS_TONE[op.access]}>{t(ACCESS_LABEL[op.access])}</Badge>
      </div>
      {op.summary && <p className="text-sm text-muted sm:pl-19">{op.summary}</p>}
      {(op.parameters.length > 0 || op.body) && (
        <dl className="space-y-0.5 text-xs text-muted sm:pl-19">
          {op.parameters.length > 0 && (
            <div className="flex flex-wrap gap-x-2">
              <dt className="font-medium text-faint">{t('apiDocs.parameters')}</dt>
              <dd className="flex flex-wrap gap-x-3 gap-y-0.5">
                {op.parameters.map((p) => (
                  <span key={`${p.in}-${p.name}`}>
                    <code className="font-mono text-fg">{p.name}</code>
                    <span className="text-faint">
                      {' '}
                      ({[p.in, p.type, p.required ? t('apiDocs.required') : null].filter(Boolean).join(', ')})
                    </span>
                  </span>
                ))}
              </dd>
            </div>
          )}
          {op.body && (
            <div className="flex flex-wrap gap-x-2">
              <dt className="font-medium text-faint">{t('apiDocs.body')}</dt>
              <dd>
                {op.body.name && <code className="font-mono text-fg">{op.body.name}</code>}
                {op.body.mediaType && <span className="text-faint"> ({op.body.mediaType})</span>}
              </dd>
            </div>
          )}
        </dl>
      )}
    </li>
  );
}
