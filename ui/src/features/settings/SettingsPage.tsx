import { PageHeader } from '../../components/Card';
import { t } from '../../lib/i18n';
import { SupportAccessSection } from '../support/SupportAccessSection';
import { BusinessSection } from './BusinessSection';

/** Business settings (owners). */
export default function SettingsPage() {
  return (
    <div data-testid="settings-page">
      <PageHeader title={t('settings.title')} description={t('settings.subtitle')} />
      <div className="space-y-6">
        <BusinessSection />
        <SupportAccessSection />
      </div>
    </div>
  );
}
