import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { Inbox } from 'lucide-react';
import { Button, buttonClass } from '../../components/Button';
import { Card } from '../../components/Card';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { OAUTH_START } from './AddChannelDialog';
import { FacebookIcon } from './FacebookIcon';
import { FacebookPageCard } from './FacebookPageCard';
import { PoolSection } from './PoolSection';
import type { CustomChannel, FbPages } from './sourceTypes';
import { LEADS_POOL } from './types';
import { WalkinCard } from './WalkinCard';
import { WebhookCard } from './WebhookCard';

export function Section({ id, title, description, action, children }: { id: string; title: string; description: string; action?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0">
          <h2 id={id} className="text-base font-semibold text-fg">{title}</h2>
          <p className="mt-0.5 text-sm text-muted">{description}</p>
        </div>
        {action}
      </div>
      {children}
    </section>
  );
}

/** Loading, failure (a 404 means the server does not offer this yet) and empty states of a section. */
function Body<T>({ q, empty, render }: { q: UseQueryResult<T>; empty: (d: T) => boolean; render: (d: T) => ReactNode }): ReactNode {
  if (q.isPending) return <Skeleton className="h-32 w-full rounded-xl" />;
  if (q.isError)
    return q.error instanceof ApiError && q.error.status === 404 ? (
      <p data-testid="section-unavailable" className="rounded-xl border border-dashed border-line-strong px-4 py-5 text-center text-sm text-muted">
        {t('sources.unavailable')}
      </p>
    ) : (
      <FormError message={`${t('sources.loadFailed')}: ${errorMessage(q.error)}`} />
    );
  if (empty(q.data))
    return <p className="rounded-xl border border-dashed border-line-strong px-4 py-5 text-center text-sm text-muted">{t('sources.empty')}</p>;
  return <div className="space-y-4">{render(q.data)}</div>;
}

export function CustomChannels({ q, members }: { q: UseQueryResult<{ items: CustomChannel[] }>; members: Member[] }) {
  return (
    <Section id="sources-custom" title={t('sources.customTitle')} description={t('sources.customSubtitle')}>
      <Body
        q={q}
        empty={(d) => d.items.length === 0}
        render={(d) =>
          d.items.map((c) =>
            c.kind === 'walkin' ? <WalkinCard key={c.id} channel={c} members={members} /> : <WebhookCard key={c.id} channel={c} members={members} />,
          )
        }
      />
    </Section>
  );
}

export function FacebookPages({ q, members }: { q: UseQueryResult<FbPages>; members: Member[] }) {
  return (
    <Section
      id="sources-facebook"
      title={t('sources.fbTitle')}
      description={t('sources.fbSubtitle')}
      action={
        q.data?.oauth_configured ? (
          <a href={OAUTH_START} data-testid="fb-connect-section" className={buttonClass('secondary', 'sm')}>
            <FacebookIcon className="size-4" />
            {t('addChannel.connect')}
          </a>
        ) : q.data ? (
          <span title={t('addChannel.connectDisabled')}>
            <Button variant="secondary" size="sm" disabled data-testid="fb-connect-section">
              <FacebookIcon className="size-4" />
              {t('addChannel.connect')}
            </Button>
          </span>
        ) : undefined
      }
    >
      <Body q={q} empty={(d) => d.items.length === 0} render={(d) => d.items.map((p) => <FacebookPageCard key={p.id} page={p} members={members} />)} />
    </Section>
  );
}

export function ManualLeadsPool({ members }: { members: Member[] }) {
  return (
    <Section id="sources-manual" title={t('sources.manualTitle')} description={t('sources.manualSubtitle')}>
      <Card>
        <div data-testid="leads-pool-card" className="flex items-start gap-3 px-4 pt-4 sm:px-5">
          <span aria-hidden className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-brand-50 text-brand-700 ring-1 ring-brand-100 dark:bg-brand-950 dark:text-brand-300 dark:ring-brand-900">
            <Inbox className="size-5" />
          </span>
          <p className="min-w-0 pt-0.5 text-sm text-muted">{t('sources.manualBody')}</p>
        </div>
        <PoolSection poolRef={LEADS_POOL} members={members} />
      </Card>
    </Section>
  );
}
