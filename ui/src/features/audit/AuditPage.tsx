import { PageHeader } from '../../components/Card';
import { t } from '../../lib/i18n';
import { AuditLog } from './AuditLog';

export default function AuditPage() {
  return (
    <div data-testid="audit-page">
      <PageHeader title={t('audit.title')} description={t('audit.subtitle')} />
      <AuditLog />
    </div>
  );
}
