import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ToastProvider } from '../components/Toast';
import AcceptInvitePage from '../features/auth/AcceptInvitePage';
import ForgotPage from '../features/auth/ForgotPage';
import LoginPage from '../features/auth/LoginPage';
import ResetPage from '../features/auth/ResetPage';
import SignupPage from '../features/auth/SignupPage';
import SetupPage from '../features/setup/SetupPage';
import { ApiError } from '../lib/api';
import { useSession } from '../lib/auth';
import { HomeRedirect, RedirectIfSignedIn, RequireAuth, SetupGate, UnauthorizedListener } from './guards';
import { AppLayout } from './Layout';
import { canOpen, NAV, type NavEntry } from './nav';
import { Forbidden, NotFound } from './StatusPages';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // client errors (4xx) will not get better by asking again
      retry: (count, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && count < 2,
    },
    mutations: { retry: false },
  },
});

function Guarded({ entry }: { entry: NavEntry }) {
  const session = useSession();
  if (!canOpen(entry, session)) return <Forbidden />;
  const Page = entry.page;
  return <Page />;
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <BrowserRouter>
          <UnauthorizedListener />
          <SetupGate>
            <Routes>
              <Route path="/setup" element={<SetupPage />} />
              <Route
                path="/login"
                element={
                  <RedirectIfSignedIn>
                    <LoginPage />
                  </RedirectIfSignedIn>
                }
              />
              <Route
                path="/forgot"
                element={
                  <RedirectIfSignedIn>
                    <ForgotPage />
                  </RedirectIfSignedIn>
                }
              />
              <Route
                path="/signup"
                element={
                  <RedirectIfSignedIn>
                    <SignupPage />
                  </RedirectIfSignedIn>
                }
              />
              <Route path="/reset/:token" element={<ResetPage />} />
              <Route path="/invite/:token" element={<AcceptInvitePage />} />
              <Route
                element={
                  <RequireAuth>
                    <AppLayout />
                  </RequireAuth>
                }
              >
                <Route index element={<HomeRedirect />} />
                {NAV.map((entry) => (
                  <Route key={entry.key} path={`${entry.path}/*`} element={<Guarded entry={entry} />} />
                ))}
                <Route path="*" element={<NotFound />} />
              </Route>
            </Routes>
          </SetupGate>
        </BrowserRouter>
      </ToastProvider>
    </QueryClientProvider>
  );
}
