import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Plus, RadioTower } from 'lucide-react';
import { Button } from '../../components/Button';
import { Card, PageHeader } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useFrames } from '../../lib/realtime';
import { membersKey, useMembers } from '../team/api';
import { AddNumberDialog } from './AddNumberDialog';
import { useChannelNumbers } from './api';
import { poolsKey } from './keys';
import { NumberCard } from './NumberCard';

export default function ChannelsPage() {
  const qc = useQueryClient();
  const numbers = useChannelNumbers();
  const members = useMembers();
  const [adding, setAdding] = useState(false);

  // Assignments and availability change under us: keep pools and dots current.
  useFrames(
    (f) => {
      if (f.type.startsWith('conversation.')) qc.invalidateQueries({ queryKey: poolsKey });
      if (f.type.startsWith('member.')) qc.invalidateQueries({ queryKey: membersKey });
    },
    () => {
      qc.invalidateQueries({ queryKey: poolsKey });
      qc.invalidateQueries({ queryKey: membersKey });
    },
  );

  const list = numbers.data?.items ?? [];
  const addButton = (
    <Button onClick={() => setAdding(true)} data-testid="add-number">
      <Plus aria-hidden />
      {t('channels.add')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('channels.title')} description={t('channels.subtitle')} action={addButton} />
      {numbers.isPending ? (
        <div className="space-y-4">
          <Skeleton className="h-44 w-full rounded-xl" />
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
            <NumberCard key={n.id} number={n} members={members.data?.items ?? []} />
          ))}
        </div>
      )}
      <AddNumberDialog open={adding} onOpenChange={setAdding} />
    </>
  );
}
