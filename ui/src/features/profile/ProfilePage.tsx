import { Avatar } from '../../components/Avatar';
import { Badge } from '../../components/Badge';
import { Card, PageHeader } from '../../components/Card';
import { useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import { RoleBadge } from '../team/roles';
import { AppearanceCard } from './AppearanceCard';
import { PasswordForm } from './PasswordForm';
import { RemindersCard } from './RemindersCard';
import { SessionsSection } from './SessionsSection';
import { TokensSection } from './TokensSection';

export default function ProfilePage() {
  const { user, business, member } = useSession();
  return (
    <>
      <PageHeader title={t('profile.title')} description={t('profile.subtitle')} />
      <div className="space-y-6">
        <Card>
          <div className="flex flex-col gap-5 p-5 sm:flex-row sm:items-center">
            <Avatar name={user.name} className="size-14 text-lg" />
            <dl className="flex min-w-0 flex-1 flex-wrap gap-x-10 gap-y-3">
              <div className="min-w-0">
                <dt className="text-xs text-faint">{t('profile.name')}</dt>
                <dd className="font-medium text-fg [overflow-wrap:anywhere]" data-testid="profile-name">{user.name}</dd>
              </div>
              <div className="min-w-0">
                <dt className="text-xs text-faint">{t('profile.email')}</dt>
                <dd className="text-fg [overflow-wrap:anywhere]" data-testid="profile-email">{user.email}</dd>
              </div>
              {business && (
                <div className="min-w-0">
                  <dt className="text-xs text-faint">{t('profile.business')}</dt>
                  <dd className="text-fg [overflow-wrap:anywhere]">{business.name}</dd>
                </div>
              )}
              {(member || user.account_type === 'admin') && (
                <div>
                  <dt className="text-xs text-faint">{t('profile.role')}</dt>
                  <dd className="mt-0.5 flex flex-wrap gap-1.5">
                    {member && <RoleBadge role={member.role} />}
                    {user.account_type === 'admin' && <Badge tone="amber">{t('profile.platformAdmin')}</Badge>}
                  </dd>
                </div>
              )}
            </dl>
          </div>
        </Card>
        <RemindersCard />
        <PasswordForm />
        <SessionsSection />
        <TokensSection />
        <AppearanceCard />
      </div>
    </>
  );
}
