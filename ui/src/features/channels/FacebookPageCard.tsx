import { type ReactNode, useState } from 'react';
import { Send } from 'lucide-react';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { hasKey, t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { FacebookForms } from './FacebookForms';
import { FacebookIcon } from './FacebookIcon';
import { SimulateLeadDialog } from './SimulateLeadDialog';
import { SourceCard } from './SourceCard';
import type { FbPage } from './sourceTypes';
import { useDeletePage } from './sourcesApi';
import { facebookPool } from './types';

const fmt = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function Status({ page }: { page: FbPage }) {
  const key = `sources.fbStatus.${page.status}`;
  return (
    <Badge tone={page.status === 'active' ? 'brand' : 'red'} className="gap-1.5">
      <span aria-hidden className="size-1.5 rounded-full bg-current" />
      <span data-testid="fb-page-status" data-status={page.status}>{hasKey(key) ? t(key) : page.status}</span>
    </Badge>
  );
}

function Problem({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p
      data-testid={testId}
      className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm break-words text-red-800 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200"
    >
      {children}
    </p>
  );
}

/** A connected (or simulated) Facebook page: its lead forms, imports and pool. */
export function FacebookPageCard({ page, members }: { page: FbPage; members: Member[] }) {
  const del = useDeletePage();
  const [simulating, setSimulating] = useState(false);
  return (
    <SourceCard
      icon={FacebookIcon}
      title={page.name}
      meta={
        <>
          {page.sandbox && <Badge tone="blue" className="uppercase">{t('channels.sandbox')}</Badge>}
          <span className="break-all">{t('sources.fbPageId', { id: page.page_id })}</span>
          <span aria-hidden>·</span>
          <span>{page.last_lead_at ? t('sources.fbLastLead', { time: fmt(page.last_lead_at) }) : t('sources.fbNoLeads')}</span>
        </>
      }
      aside={<Status page={page} />}
      poolRef={facebookPool(page.id)}
      members={members}
      onDelete={() => del.mutateAsync(page.id)}
      deleteTitle={t('sources.deleteTitle', { name: page.name })}
      deleteBody={t('sources.deletePage')}
      attrs={{ 'data-testid': 'facebook-page-card', 'data-page-id': page.id }}
    >
      {page.status === 'token_invalid' && <Problem>{t('sources.fbTokenInvalid')}</Problem>}
      {page.status === 'disconnected' && page.disconnected_reason && (
        <Problem>{t('sources.fbDisconnected', { reason: page.disconnected_reason })}</Problem>
      )}
      {page.last_error && (
        <Problem testId="fb-page-error">{t('sources.fbLastError', { error: page.last_error })}</Problem>
      )}
      <FacebookForms page={page} />
      {page.sandbox && (
        <div className="flex flex-wrap items-center justify-between gap-2 rounded-lg border border-dashed border-line-strong px-3 py-2.5">
          <p className="text-sm text-muted">{t('sources.simHint')}</p>
          <Button size="sm" data-testid="fb-simulate-lead" onClick={() => setSimulating(true)}>
            <Send aria-hidden />
            {t('sources.simTitle')}
          </Button>
        </div>
      )}
      {page.sandbox && <SimulateLeadDialog page={page} open={simulating} onOpenChange={setSimulating} />}
    </SourceCard>
  );
}
