import { MessagesSquare } from 'lucide-react';
import { Card, PageHeader } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { t } from '../../lib/i18n';

// Placeholder until the conversation list exists: an honest empty state.
export default function InboxPage() {
  return (
    <>
      <PageHeader title={t('inbox.title')} />
      <Card>
        <EmptyState
          icon={MessagesSquare}
          title={t('inbox.emptyTitle')}
          body={t('inbox.emptyBody')}
          className="py-20"
        />
      </Card>
    </>
  );
}
