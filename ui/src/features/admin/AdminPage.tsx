import { Navigate, NavLink, Route, Routes } from 'react-router';
import clsx from 'clsx';
import { PageHeader } from '../../components/Card';
import { t, type MessageKey } from '../../lib/i18n';
import { AdminAuditTab } from './AdminAuditTab';
import { BusinessesTab } from './BusinessesTab';
import { DeadLettersTab } from './DeadLettersTab';
import { HealthTab } from './HealthTab';
import { JobsTab } from './JobsTab';

const TABS: readonly { path: string; label: MessageKey }[] = [
  { path: 'businesses', label: 'admin.tab.businesses' },
  { path: 'jobs', label: 'admin.tab.jobs' },
  { path: 'dead-letters', label: 'admin.tab.deadLetters' },
  { path: 'health', label: 'admin.tab.health' },
  { path: 'audit', label: 'admin.tab.audit' },
];

/** The platform admin area: one tab per concern, each its own URL. */
export default function AdminPage() {
  return (
    <div data-testid="admin-page">
      <PageHeader title={t('admin.title')} description={t('admin.subtitle')} />
      <nav aria-label={t('admin.tabs')} className="-mx-4 mb-6 overflow-x-auto overflow-y-hidden border-b [scrollbar-width:none] border-line px-4 sm:mx-0 sm:px-0">
        <ul className="flex min-w-max gap-1">
          {TABS.map((tab) => (
            <li key={tab.path}>
              <NavLink
                to={`/admin/${tab.path}`}
                data-testid={`admin-tab-${tab.path}`}
                className={({ isActive }) =>
                  clsx(
                    'focus-ring inline-flex h-10 items-center rounded-t-md border-b-2 px-3 text-sm font-medium whitespace-nowrap transition-colors',
                    isActive ? 'border-brand-600 text-fg dark:border-brand-400' : 'border-transparent text-muted hover:border-line-strong hover:text-fg',
                  )
                }
              >
                {t(tab.label)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Routes>
        <Route index element={<Navigate to="/admin/businesses" replace />} />
        <Route path="businesses" element={<BusinessesTab />} />
        <Route path="jobs" element={<JobsTab />} />
        <Route path="dead-letters" element={<DeadLettersTab />} />
        <Route path="health" element={<HealthTab />} />
        <Route path="audit" element={<AdminAuditTab />} />
        <Route path="*" element={<Navigate to="/admin/businesses" replace />} />
      </Routes>
    </div>
  );
}
