import { useState } from 'react';
import { AlarmClock, CircleCheck } from 'lucide-react';
import clsx from 'clsx';
import { Button } from '../../components/Button';
import { Card, PageHeader } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Select } from '../../components/Input';
import { Skeleton } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import { useMembers } from '../team/api';
import { useFollowups, VIEWS, type FollowupView } from './api';
import { FollowupRow } from './FollowupRow';

export default function FollowupsPage() {
  const session = useSession();
  const role = session.member?.role;
  const manager = role === 'owner' || role === 'lead';
  const [view, setView] = useState<FollowupView>('today');
  const [assignee, setAssignee] = useState('');
  const q = useFollowups(view, assignee);
  const members = useMembers();
  const memberList = members.data?.items ?? [];
  const name = (id: string | null) => (id ? (memberList.find((m) => m.id === id)?.name ?? null) : null);
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader title={t('followups.pageTitle')} description={t('followups.pageSubtitle')} />
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <div role="tablist" aria-label={t('followups.pageTitle')} className="inline-flex max-w-full overflow-x-auto rounded-lg border border-line bg-subtle p-0.5">
          {VIEWS.map((v) => (
            <button
              key={v}
              type="button"
              role="tab"
              aria-selected={view === v}
              data-testid={`followups-tab-${v}`}
              onClick={() => setView(v)}
              className={clsx(
                'focus-ring h-8 rounded-md px-3 text-sm font-medium whitespace-nowrap transition-colors',
                view === v ? 'bg-surface text-fg shadow-xs' : 'text-muted hover:text-fg',
              )}
            >
              {t(`followups.tab.${v}`)}
            </button>
          ))}
        </div>
        {manager && memberList.length > 0 && (
          <Select
            data-testid="followups-assignee"
            aria-label={t('followups.assignee')}
            value={assignee}
            onChange={(e) => setAssignee(e.target.value)}
            className="w-full sm:w-56"
          >
            <option value="">{t('followups.everyone')}</option>
            {memberList.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </Select>
        )}
      </div>
      <Card>
        {q.isPending ? (
          <div className="space-y-3 p-5">
            <Skeleton className="h-4 w-2/3" />
            <Skeleton className="h-4 w-1/2" />
          </div>
        ) : q.isError ? (
          <div className="p-5">
            <FormError message={errorMessage(q.error)} />
          </div>
        ) : items.length === 0 ? (
          <EmptyState
            icon={view === 'done' ? CircleCheck : AlarmClock}
            title={t(`followups.empty.${view}`)}
            body={t('followups.emptyBody')}
          />
        ) : (
          <ul className="divide-y divide-line" data-testid="followups-list">
            {items.map((f) => (
              <FollowupRow key={f.id} f={f} linked members={memberList} assigneeName={manager ? name(f.assignee_id) : undefined} />
            ))}
          </ul>
        )}
      </Card>
      {q.isFetchNextPageError && <FormError message={errorMessage(q.error)} />}
      {q.hasNextPage && (
        <div className="mt-4 flex justify-center">
          <Button variant="secondary" data-testid="followups-load-more" loading={q.isFetchingNextPage} onClick={() => q.fetchNextPage()}>
            {t('followups.more')}
          </Button>
        </div>
      )}
    </>
  );
}
