import { useEffect, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ServerCrash } from 'lucide-react';
import { Button } from '../components/Button';
import { EmptyState } from '../components/EmptyState';
import { FullPageSpinner } from '../components/Spinner';
import { errorMessage, onUnauthorized } from '../lib/api';
import { homePath, meKey, SessionProvider, useSession, useSessionQuery, useSetup } from '../lib/auth';
import { t } from '../lib/i18n';

function LoadError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <div className="flex min-h-full items-center justify-center">
      <EmptyState
        icon={ServerCrash}
        title={t('error.loadFailed')}
        body={errorMessage(error)}
        action={<Button onClick={retry}>{t('common.retry')}</Button>}
      />
    </div>
  );
}

/** First gate: until the server has an owner, everything goes to /setup. */
export function SetupGate({ children }: { children: ReactNode }) {
  const setup = useSetup();
  const { pathname } = useLocation();
  if (setup.isPending) return <FullPageSpinner />;
  if (setup.isError) return <LoadError error={setup.error} retry={() => setup.refetch()} />;
  const required = setup.data.setup_required;
  if (required && pathname !== '/setup') return <Navigate to="/setup" replace />;
  // Set up already (or just now): /login moves signed-in users on to the app.
  if (!required && pathname === '/setup') return <Navigate to="/login" replace state={{ notice: t('login.alreadySetup') }} />;
  return <>{children}</>;
}

/**
 * Why the session ended, for RequireAuth's own redirect: clearing the session
 * re-renders the guard, whose redirect may land after (and replace) the
 * listener's, and the login page should still say why.
 */
let endedNotice: string | undefined;

/** A 401 from any API call drops the session; RequireAuth then sends the user to /login. */
export function UnauthorizedListener() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  useEffect(() => {
    onUnauthorized(() => {
      endedNotice = t('session.expired');
      qc.setQueryData(meKey, null);
      navigate('/login', { replace: true, state: { notice: endedNotice } });
    });
    return () => onUnauthorized(null);
  }, [qc, navigate]);
  return null;
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useSessionQuery();
  const location = useLocation();
  if (me.isPending) return <FullPageSpinner />;
  if (me.isError) return <LoadError error={me.error} retry={() => me.refetch()} />;
  if (!me.data) return <Navigate to="/login" replace state={{ from: location.pathname + location.search, notice: endedNotice }} />;
  endedNotice = undefined;
  return <SessionProvider session={me.data}>{children}</SessionProvider>;
}

/** Signed-in users who open /login go to the app (back where they came from, if known). */
export function RedirectIfSignedIn({ children }: { children: ReactNode }) {
  const me = useSessionQuery();
  const location = useLocation();
  if (me.isPending) return <FullPageSpinner />;
  if (me.data) {
    const from = (location.state as { from?: string } | null)?.from ?? new URLSearchParams(location.search).get('next');
    const to = from && from.startsWith('/') && !from.startsWith('//') && !from.startsWith('/login') ? from : homePath(me.data);
    return <Navigate to={to} replace />;
  }
  return <>{children}</>;
}

/** "/": the inbox, or the admin area for a platform admin outside any business. */
export function HomeRedirect() {
  return <Navigate to={homePath(useSession())} replace />;
}
