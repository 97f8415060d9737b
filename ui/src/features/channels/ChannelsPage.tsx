import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { Plus, RadioTower } from 'lucide-react';
import { Button } from '../../components/Button';
import { Card, PageHeader } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useFrames } from '../../lib/realtime';
import { membersKey, useMembers } from '../team/api';
import { AddChannelDialog } from './AddChannelDialog';
import { AddNumberDialog } from './AddNumberDialog';
import { useChannelNumbers } from './api';
import { customChannelsKey, fbPagesKey, poolsKey } from './keys';
import { NumberCard } from './NumberCard';
import { CustomChannels, FacebookPages, ManualLeadsPool, Section } from './SourceSections';
import { applyImportFrame, useCustomChannels, useFacebookPages } from './sourcesApi';

/** After Facebook's OAuth round trip the server sends us back with ?facebook=connected|partial|error (partial: Meta refused some pages). */
function useOAuthResult() {
  const toast = useToast();
  const [params, setParams] = useSearchParams();
  const result = params.get('facebook');
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (!result) return;
    // once per arrival, also when effects run twice (strict mode)
    const key = params.toString();
    if (shown.current === key) return;
    shown.current = key;
    const message = params.get('message');
    if (result === 'connected') toast.success(message || t('sources.fbConnected'));
    else toast.error(message || t('sources.fbConnectFailed'));
    const next = new URLSearchParams(params);
    next.delete('facebook');
    next.delete('message');
    setParams(next, { replace: true });
  }, [result]); // once per arrival
}

export default function ChannelsPage() {
  const qc = useQueryClient();
  const toast = useToast();
  const numbers = useChannelNumbers();
  const members = useMembers();
  const custom = useCustomChannels();
  const pages = useFacebookPages();
  const [adding, setAdding] = useState(false);
  const [addingNumber, setAddingNumber] = useState(false);
  useOAuthResult();

  // Assignments, availability and imports change under us: keep pools, dots and progress current.
  useFrames(
    (f) => {
      if (f.type.startsWith('conversation.')) qc.invalidateQueries({ queryKey: poolsKey });
      if (f.type === 'conversation.new') qc.invalidateQueries({ queryKey: fbPagesKey });
      if (f.type.startsWith('member.')) qc.invalidateQueries({ queryKey: membersKey });
      if (f.type === 'import.progress') {
        const p = applyImportFrame(qc, f.data);
        if (p?.status === 'completed') toast.success(t('sources.importDone', { done: p.rows_done, failed: p.rows_failed }));
        if (p?.status === 'failed') toast.error(t('sources.importFailed', { done: p.rows_done }));
      }
    },
    () => {
      qc.invalidateQueries({ queryKey: poolsKey });
      qc.invalidateQueries({ queryKey: membersKey });
      qc.invalidateQueries({ queryKey: customChannelsKey });
      qc.invalidateQueries({ queryKey: fbPagesKey });
    },
  );

  const list = numbers.data?.items ?? [];
  const people = members.data?.items ?? [];

  return (
    <>
      <PageHeader
        title={t('channels.title')}
        description={t('channels.subtitle')}
        action={
          <Button onClick={() => setAdding(true)} data-testid="add-channel">
            <Plus aria-hidden />
            {t('addChannel.open')}
          </Button>
        }
      />
      <div className="space-y-10">
        <Section
          id="sources-whatsapp"
          title={t('sources.waTitle')}
          description={t('sources.waSubtitle')}
          action={
            <Button variant="secondary" size="sm" onClick={() => setAddingNumber(true)} data-testid="add-number">
              <Plus aria-hidden />
              {t('channels.add')}
            </Button>
          }
        >
          {numbers.isPending ? (
            <div className="space-y-4">
              <Skeleton className="h-44 w-full rounded-xl" />
            </div>
          ) : numbers.isError ? (
            <FormError message={`${t('channels.loadFailed')}: ${errorMessage(numbers.error)}`} />
          ) : list.length === 0 ? (
            <Card>
              <EmptyState icon={RadioTower} title={t('channels.emptyTitle')} body={t('channels.emptyBody')} />
            </Card>
          ) : (
            <div className="space-y-4">
              {list.map((n) => (
                <NumberCard key={n.id} number={n} members={people} />
              ))}
            </div>
          )}
        </Section>
        <CustomChannels q={custom} members={people} />
        <FacebookPages q={pages} members={people} />
        <ManualLeadsPool members={people} />
      </div>
      <AddChannelDialog
        open={adding}
        onOpenChange={setAdding}
        oauthConfigured={pages.data?.oauth_configured ?? null}
        onAddNumber={() => setAddingNumber(true)}
      />
      <AddNumberDialog open={addingNumber} onOpenChange={setAddingNumber} />
    </>
  );
}
