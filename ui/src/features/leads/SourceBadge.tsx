import { Badge, type Tone } from '../../components/Badge';
import { hasKey, t } from '../../lib/i18n';

const TONE: Record<string, Tone> = { whatsapp: 'brand', facebook: 'blue', walkin: 'amber', webhook: 'neutral', manual: 'neutral', import: 'neutral' };

export const sourceLabel = (s: string) => {
  const key = `leads.source.${s}`;
  return hasKey(key) ? t(key) : s;
};

export function SourceBadge({ source }: { source: string }) {
  return (
    <Badge tone={TONE[source] ?? 'neutral'}>
      <span data-testid="lead-source" data-source={source}>{sourceLabel(source)}</span>
    </Badge>
  );
}

export function LeadStatus({ status }: { status: string }) {
  const key = `inbox.status.${status}`;
  return (
    <span data-testid="lead-status" className="inline-flex items-center gap-1.5 text-sm text-muted">
      <span aria-hidden className={status === 'open' ? 'size-1.5 rounded-full bg-brand-500' : 'size-1.5 rounded-full bg-zinc-400 dark:bg-zinc-500'} />
      {hasKey(key) ? t(key) : status}
    </span>
  );
}
