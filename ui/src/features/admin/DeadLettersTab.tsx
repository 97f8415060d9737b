import { useMemo } from 'react';
import { Inbox } from 'lucide-react';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { absoluteTime, relativeTime } from '../leads/format';
import { useDeadLetters } from './api';

/** The raw body, indented when it is JSON. */
function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** Webhook deliveries that could not be processed, each with its raw body behind a disclosure. */
export function DeadLettersTab() {
  const list = useDeadLetters();
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  let body;
  if (list.isPending) body = <div className="space-y-2 p-4">{[0, 1, 2].map((i) => <Skeleton key={i} className="h-10 w-full" />)}</div>;
  else if (list.isError) body = <div className="p-4"><FormError message={errorMessage(list.error)} /></div>;
  else if (rows.length === 0) body = <EmptyState icon={Inbox} title={t('admin.dead.empty')} body={t('admin.dead.emptyBody')} />;
  else
    body = (
      <ul className="divide-y divide-line">
        {rows.map((d) => (
          <li key={d.id} data-testid="admin-dead-letter">
            <details className="group">
              <summary className="focus-ring flex cursor-pointer list-none flex-wrap items-center gap-x-3 gap-y-1 px-5 py-3 hover:bg-subtle/50 [&::-webkit-details-marker]:hidden">
                <span aria-hidden className="text-faint transition-transform group-open:rotate-90">›</span>
                <Badge tone="amber">{d.source}</Badge>
                <span className="min-w-0 flex-1 text-sm break-words text-fg">{d.reason}</span>
                <time dateTime={d.received_at} title={absoluteTime(d.received_at)} className="text-xs whitespace-nowrap text-muted">
                  {relativeTime(d.received_at)}
                </time>
              </summary>
              <div className="px-5 pb-4">
                <p className="mb-1 text-xs font-medium text-muted">{t('admin.dead.body')}</p>
                <pre data-testid="admin-dead-letter-body" className="max-h-96 overflow-auto rounded-lg border border-line bg-canvas p-3 font-mono text-xs break-all whitespace-pre-wrap text-fg">
                  {pretty(d.body)}
                </pre>
              </div>
            </details>
          </li>
        ))}
      </ul>
    );

  return (
    <div data-testid="admin-dead-letters" className="space-y-4">
      <p className="text-sm text-muted">{t('admin.dead.subtitle')}</p>
      <Card className="overflow-hidden">{body}</Card>
      {list.hasNextPage && (
        <div className="flex justify-center">
          <Button variant="secondary" loading={list.isFetchingNextPage} onClick={() => list.fetchNextPage()}>{t('audit.more')}</Button>
        </div>
      )}
    </div>
  );
}
