import { NavLink } from 'react-router';
import clsx from 'clsx';
import { Logo } from '../components/Logo';
import { useSession } from '../lib/auth';
import { t } from '../lib/i18n';
import { useUnreadBadge } from '../features/inbox/badge';
import { visibleNav, type NavEntry } from './nav';

/** Unread messages waiting on the member: theirs and the unassigned (first pages; "+" when there may be more). */
function UnreadBadge() {
  const { count: n, more } = useUnreadBadge();
  if (!n) return null;
  const shown = n > 99 ? '99+' : more ? `${n}+` : String(n);
  return (
    <span
      data-testid="nav-unread"
      aria-label={t(more ? 'inbox.unreadMore' : 'inbox.unread', { count: n })}
      className="ml-auto inline-flex h-5 min-w-5 items-center justify-center rounded-full bg-brand-600 px-1.5 text-[11px] font-semibold text-white dark:bg-brand-500 dark:text-brand-950"
    >
      {shown}
    </span>
  );
}

function NavItem({ entry, onNavigate }: { entry: NavEntry; onNavigate?: () => void }) {
  const Icon = entry.icon;
  return (
    <NavLink
      to={entry.path}
      data-testid={`nav-${entry.key}`}
      onClick={onNavigate}
      className={({ isActive }) =>
        clsx(
          'focus-ring group flex h-9 items-center gap-3 rounded-lg px-3 text-sm font-medium transition-colors',
          isActive
            ? 'bg-brand-50 text-brand-800 dark:bg-brand-950/70 dark:text-brand-200'
            : 'text-muted hover:bg-subtle hover:text-fg',
        )
      }
    >
      {({ isActive }) => (
        <>
          <Icon
            aria-hidden
            className={clsx(
              'size-[18px] shrink-0',
              isActive ? 'text-brand-600 dark:text-brand-300' : 'text-faint group-hover:text-muted',
            )}
          />
          {t(entry.labelKey)}
          {entry.key === 'inbox' && <UnreadBadge />}
        </>
      )}
    </NavLink>
  );
}

/** Sidebar content; the layout puts it in a fixed column or in the phone drawer. */
export function Sidebar({ onNavigate }: { onNavigate?: () => void }) {
  const session = useSession();
  const entries = visibleNav(session);
  const main = entries.filter((e) => e.section !== 'footer');
  const footer = entries.filter((e) => e.section === 'footer');
  return (
    <div data-testid="sidebar" className="flex h-full flex-col bg-surface">
      <div className="flex h-16 shrink-0 items-center border-b border-line px-5">
        <Logo />
      </div>
      <nav aria-label={t('nav.label')} className="flex min-h-0 flex-1 flex-col justify-between gap-4 overflow-y-auto p-3">
        <ul className="space-y-1">
          {main.map((e) => (
            <li key={e.key}>
              <NavItem entry={e} onNavigate={onNavigate} />
            </li>
          ))}
        </ul>
        {footer.length > 0 && (
          <ul className="space-y-1 border-t border-line pt-3">
            {footer.map((e) => (
              <li key={e.key}>
                <NavItem entry={e} onNavigate={onNavigate} />
              </li>
            ))}
          </ul>
        )}
      </nav>
    </div>
  );
}
