import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';

export interface Providers {
  google: boolean;
  signup: boolean;
}

/** Which sign-in options this server offers; none beyond the password when it cannot say. */
export function useProviders() {
  return useQuery({
    queryKey: ['auth', 'providers'],
    queryFn: ({ signal }) => api.get<Providers>('/api/auth/providers', signal),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** A same-site path to come back to, or null for anything else (no open redirects). */
export function safeNext(path: string | null | undefined): string | null {
  if (!path || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return null;
  if (path.startsWith('/login') || path.startsWith('/signup')) return null;
  return path;
}
