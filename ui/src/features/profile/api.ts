import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { ApiToken, CreatedToken } from '../../lib/types';

export const tokensKey = ['tokens'] as const;

export function useTokens() {
  return useQuery({
    queryKey: tokensKey,
    queryFn: ({ signal }) => api.get<{ items: ApiToken[] }>('/api/tokens', signal),
  });
}

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.post<CreatedToken>('/api/tokens', { name }),
    onSuccess: () => qc.invalidateQueries({ queryKey: tokensKey }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del(`/api/tokens/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: tokensKey }),
  });
}

export function useChangePassword() {
  return useMutation({
    // A 401 here means "wrong current password": show it, do not end the session.
    mutationFn: (body: { current_password: string; new_password: string }) =>
      api.post('/api/auth/password', body, { redirectOn401: false }),
  });
}
