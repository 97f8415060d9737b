import { MessageCircleDashed, MessagesSquare, Smartphone } from 'lucide-react';
import { EmptyState } from '../../components/EmptyState';
import { t } from '../../lib/i18n';
import { SimulatorLink } from './InboxChrome';
import type { View } from './types';

/** The list has nothing: say why and what to do next. */
export function InboxEmpty({ owner, view, filtered }: { owner: boolean; view: View; filtered: boolean }) {
  if (filtered) return <EmptyState icon={MessageCircleDashed} title={t('inbox.emptyFiltered')} body={t('inbox.emptyFilteredBody')} />;
  if (owner && view !== 'mine')
    return (
      <EmptyState
        icon={Smartphone}
        title={t('inbox.emptyTitle')}
        body={
          <>
            {t('inbox.emptyOwnerBody')}
            <span className="mt-2 block">{t('inbox.emptyOwnerSimulator')}</span>
          </>
        }
        action={<SimulatorLink className="rounded-lg border border-line px-3 py-2 text-sm" />}
      />
    );
  return (
    <EmptyState
      icon={MessagesSquare}
      title={t(view === 'mine' ? 'inbox.emptyMineTitle' : 'inbox.emptyTitle')}
      body={t(view === 'mine' ? 'inbox.emptyMine' : 'inbox.emptyBody')}
      action={owner ? <SimulatorLink /> : undefined}
    />
  );
}

export function NoConversationOpen({ owner }: { owner: boolean }) {
  return (
    <div className="flex flex-1 items-center justify-center bg-canvas">
      <EmptyState
        icon={MessagesSquare}
        title={t('inbox.pickTitle')}
        body={t('inbox.pickBody')}
        action={owner ? <SimulatorLink /> : undefined}
      />
    </div>
  );
}
