// Session state: GET /api/auth/me through TanStack Query (401 = signed out).

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, type ReactNode } from 'react';
import { api, ApiError } from './api';
import { clearDrafts } from './drafts';
import type { Permission, Session } from './types';

export const meKey = ['auth', 'me'] as const;
export const setupKey = ['setup'] as const;

export async function fetchSession(): Promise<Session | null> {
  try {
    return await api.get<Session>('/api/auth/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export function useSessionQuery() {
  return useQuery({ queryKey: meKey, queryFn: fetchSession, staleTime: 30_000 });
}

const SessionContext = createContext<Session | null>(null);

/** Provided by the auth guard once the session is known to exist. */
export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The signed-in session. Only valid below the auth guard. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession used outside an authenticated route');
  return session;
}

export function can(session: Session, permission: Permission): boolean {
  return session.permissions.includes(permission);
}

/** A platform administrator (account type `admin`). */
export function isAdmin(session: Session): boolean {
  return session.user.account_type === 'admin';
}

/** Where "/" leads: the inbox of one's business, or the admin area for an admin outside any business. */
export function homePath(session: Session): string {
  return !session.business && isAdmin(session) ? '/admin' : '/inbox';
}

export function useSetup() {
  return useQuery({
    queryKey: setupKey,
    queryFn: () => api.get<{ setup_required: boolean }>('/api/setup'),
    staleTime: Infinity,
  });
}

/** After login or setup: load the session, then the caller navigates. */
export function useSignedIn() {
  const qc = useQueryClient();
  return useCallback(async () => {
    await qc.fetchQuery({ queryKey: meKey, queryFn: fetchSession, staleTime: 0 });
    qc.setQueryData(setupKey, { setup_required: false });
  }, [qc]);
}

export function useLogout() {
  const qc = useQueryClient();
  return useCallback(async () => {
    try {
      await api.post('/api/auth/logout');
    } finally {
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'setup' });
      qc.setQueryData(meKey, null);
      clearDrafts();
    }
  }, [qc]);
}
