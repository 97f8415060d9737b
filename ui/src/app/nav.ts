// The one navigation table. A feature adds one line here: the sidebar entry,
// its route and who may see it all come from this entry.

import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { AlarmClock, BookOpen, Building2, ContactRound, FileUp, Inbox, LayoutDashboard, Mail, RadioTower, ScrollText, ShieldCheck, Smartphone, UserRound, UsersRound, Workflow, type LucideIcon } from 'lucide-react';
import { can, isAdmin } from '../lib/auth';
import type { MessageKey } from '../lib/i18n';
import type { Session } from '../lib/types';

export interface NavEntry {
  /** Stable id; the link gets data-testid="nav-<key>". */
  key: string;
  /** Route path; nested routes below it belong to the same feature ("/team/*"). */
  path: string;
  labelKey: MessageKey;
  icon: LucideIcon;
  visible: (session: Session) => boolean;
  page: LazyExoticComponent<ComponentType>;
  /** 'footer' entries sit at the bottom of the sidebar. */
  section?: 'main' | 'footer';
  /** Full-bleed pages fill the area under the header (no page padding, no page scroll). */
  fullBleed?: boolean;
  /** Also open to a platform admin who is in no business (every other entry needs one). */
  platform?: boolean;
}

const everyone = () => true;

export const NAV: readonly NavEntry[] = [
  { key: 'inbox', path: '/inbox', labelKey: 'nav.inbox', icon: Inbox, visible: everyone, page: lazy(() => import('../features/inbox/InboxPage')), fullBleed: true },
  { key: 'dashboard', path: '/dashboard', labelKey: 'nav.dashboard', icon: LayoutDashboard, visible: everyone, page: lazy(() => import('../features/dashboard/DashboardPage')) },
  { key: 'followups', path: '/followups', labelKey: 'nav.followups', icon: AlarmClock, visible: everyone, page: lazy(() => import('../features/followups/FollowupsPage')) },
  { key: 'leads', path: '/leads', labelKey: 'nav.leads', icon: ContactRound, visible: everyone, page: lazy(() => import('../features/leads/LeadsPage')) },
  { key: 'simulator', path: '/simulator', labelKey: 'nav.simulator', icon: Smartphone, visible: (s) => s.member?.role === 'owner', page: lazy(() => import('../features/simulator/SimulatorPage')), fullBleed: true },
  { key: 'flows', path: '/flows', labelKey: 'nav.flows', icon: Workflow, visible: (s) => s.member?.role === 'owner' || can(s, 'manage_flows'), page: lazy(() => import('../features/flows/FlowsPage')), fullBleed: true },
  { key: 'channels', path: '/channels', labelKey: 'nav.channels', icon: RadioTower, visible: (s) => s.member?.role === 'owner' || can(s, 'manage_channels'), page: lazy(() => import('../features/channels/ChannelsPage')) },
  { key: 'team', path: '/team', labelKey: 'nav.team', icon: UsersRound, visible: (s) => can(s, 'manage_team') || s.member?.role === 'lead', page: lazy(() => import('../features/team/TeamPage')) },
  { key: 'audit', path: '/audit', labelKey: 'nav.audit', icon: ScrollText, visible: (s) => s.member?.role === 'owner', page: lazy(() => import('../features/audit/AuditPage')) },
  { key: 'imports', path: '/imports', labelKey: 'nav.imports', icon: FileUp, visible: (s) => s.member?.role === 'owner' || can(s, 'import'), page: lazy(() => import('../features/imports/ImportsPage')) },
  { key: 'mail', path: '/mail', labelKey: 'nav.mail', icon: Mail, visible: (s) => s.member?.role === 'owner', page: lazy(() => import('../features/mail/MailPage')) },
  { key: 'settings', path: '/settings', labelKey: 'nav.settings', icon: Building2, visible: (s) => s.member?.role === 'owner', page: lazy(() => import('../features/settings/SettingsPage')) },
  { key: 'admin', path: '/admin', labelKey: 'nav.admin', icon: ShieldCheck, visible: isAdmin, page: lazy(() => import('../features/admin/AdminPage')), platform: true },
  { key: 'api-docs', path: '/api-docs', labelKey: 'nav.apiDocs', icon: BookOpen, visible: everyone, page: lazy(() => import('../features/apidocs/ApiDocsPage')), section: 'footer', platform: true },
  { key: 'profile', path: '/profile', labelKey: 'nav.profile', icon: UserRound, visible: everyone, page: lazy(() => import('../features/profile/ProfilePage')), section: 'footer', platform: true },
];

/** Whether the session may open an entry (and so see it in the sidebar). */
export function canOpen(entry: NavEntry, session: Session): boolean {
  return (entry.platform === true || session.business !== null) && entry.visible(session);
}

export function visibleNav(session: Session): NavEntry[] {
  return NAV.filter((e) => canOpen(e, session));
}
