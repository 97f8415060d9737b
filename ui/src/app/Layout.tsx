import { Suspense, useState } from 'react';
import * as RD from '@radix-ui/react-dialog';
import { Menu, X } from 'lucide-react';
import { Outlet, useLocation } from 'react-router';
import { Button } from '../components/Button';
import { FullPageSpinner } from '../components/Spinner';
import { ThemeToggle } from '../components/ThemeToggle';
import { useSession } from '../lib/auth';
import { t } from '../lib/i18n';
import { DESKTOP, useMediaQuery } from '../lib/useMediaQuery';
import { RealtimeProvider } from '../lib/realtime';
import { useLiveInbox } from '../features/inbox/live';
import { WsStatus } from '../features/inbox/InboxChrome';
import { NotificationBell } from '../features/notifications/NotificationBell';
import { SearchLauncher } from '../features/search/SearchLauncher';
import { useFollowupAlerts } from '../features/followups/useFollowupAlerts';
import { SUPPORT_BANNER_HEIGHT, SupportBanner } from '../features/support/SupportBanner';
import { Availability } from './Availability';
import { NAV } from './nav';
import { Sidebar } from './Sidebar';
import { UserMenu } from './UserMenu';

function MobileNav() {
  const [open, setOpen] = useState(false);
  return (
    <RD.Root open={open} onOpenChange={setOpen}>
      <RD.Trigger asChild>
        <Button variant="ghost" size="icon" aria-label={t('nav.openMenu')} className="-ml-2">
          <Menu />
        </Button>
      </RD.Trigger>
      <RD.Portal>
        <RD.Overlay className="animate-fade-in fixed inset-0 z-40 bg-zinc-950/50 dark:bg-black/70" />
        <RD.Content className="animate-slide-in fixed inset-y-0 left-0 z-50 w-72 max-w-[85vw] border-r border-line shadow-2xl focus:outline-none">
          <RD.Title className="sr-only">{t('nav.label')}</RD.Title>
          <RD.Description className="sr-only">{t('nav.label')}</RD.Description>
          <Sidebar onNavigate={() => setOpen(false)} />
          <RD.Close asChild>
            <Button variant="ghost" size="icon" aria-label={t('nav.closeMenu')} className="absolute top-3.5 right-3">
              <X />
            </Button>
          </RD.Close>
        </RD.Content>
      </RD.Portal>
    </RD.Root>
  );
}

/** WebSocket frames → inbox caches, on every page (badges, notifications). */
function LiveSync() {
  useLiveInbox();
  useFollowupAlerts();
  return null;
}

export function AppLayout() {
  return (
    <RealtimeProvider>
      <LiveSync />
      <Shell />
    </RealtimeProvider>
  );
}

function Shell() {
  const session = useSession();
  const desktop = useMediaQuery(DESKTOP);
  const { pathname } = useLocation();
  const support = session.support ?? null;
  const inBusiness = session.business !== null;
  const fullBleed = NAV.some((e) => e.fullBleed && (pathname === e.path || pathname.startsWith(`${e.path}/`)));
  return (
    <div className="flex min-h-full">
      <a
        href="#main"
        className="focus-ring sr-only focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-[70] focus:rounded-lg focus:bg-surface focus:px-4 focus:py-2 focus:text-sm focus:font-medium focus:shadow-lg"
      >
        {t('app.skipToContent')}
      </a>
      {desktop && (
        <aside className="fixed inset-y-0 left-0 z-30 w-60 border-r border-line">
          <Sidebar />
        </aside>
      )}
      <div className="flex min-w-0 flex-1 flex-col md:pl-60">
        <div className="sticky top-0 z-20">
          {support && <SupportBanner support={support} />}
          <header className="flex h-16 shrink-0 items-center gap-2 border-b border-line bg-surface/85 px-4 backdrop-blur sm:gap-3 sm:px-6">
            {!desktop && <MobileNav />}
            <p className="min-w-0 flex-1 truncate text-sm font-semibold text-fg" data-testid="business-name">
              {session.business?.name ?? t('app.name')}
            </p>
            {inBusiness && <SearchLauncher />}
            {inBusiness && <WsStatus />}
            {inBusiness && !support && <Availability />}
            <NotificationBell />
            <ThemeToggle />
            <UserMenu />
          </header>
        </div>
        {fullBleed ? (
          <main
            id="main"
            tabIndex={-1}
            style={{ height: `calc(100dvh - 4rem - ${support ? SUPPORT_BANNER_HEIGHT : '0px'})` }}
            className="min-h-0 focus:outline-none"
          >
            <Suspense fallback={<FullPageSpinner />}>
              <Outlet />
            </Suspense>
          </main>
        ) : (
          <main id="main" tabIndex={-1} className="flex-1 focus:outline-none">
            <div className="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8">
              <Suspense fallback={<FullPageSpinner />}>
                <Outlet />
              </Suspense>
            </div>
          </main>
        )}
      </div>
    </div>
  );
}
