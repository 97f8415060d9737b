import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { meKey } from '../../lib/auth';
import type { Member, Page, Session } from '../../lib/types';
import { membersKey } from '../team/api';
import { numbersKey, poolKey, poolsKey, templatesKey } from './keys';
import type { NewNumber, NumberPatch, Pool, PoolInput, PoolRef, WaNumber } from './types';

const base = (id: string) => `/api/whatsapp/numbers/${id}`;

export function useChannelNumbers() {
  return useQuery({
    queryKey: numbersKey,
    queryFn: ({ signal }) => api.get<Page<WaNumber>>('/api/whatsapp/numbers', signal),
  });
}

export function usePool(ref: PoolRef) {
  return useQuery({
    queryKey: poolKey(ref),
    queryFn: ({ signal }) => api.get<Pool>(ref.url, signal),
  });
}

export function useCreateNumber() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewNumber) => api.post<WaNumber>('/api/whatsapp/numbers', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: numbersKey }),
  });
}

export function useUpdateNumber(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: NumberPatch) => api.patch<WaNumber>(base(id), patch),
    onSuccess: (n) => {
      qc.setQueryData<Page<WaNumber>>(numbersKey, (old) =>
        old ? { ...old, items: old.items.map((x) => (x.id === n.id ? n : x)) } : old,
      );
      return qc.invalidateQueries({ queryKey: numbersKey });
    },
  });
}

export function useSyncTemplates(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ synced: number }>(`${base(id)}/templates/sync`),
    // A refusal can also mark the number's token invalid.
    onSettled: () =>
      Promise.all([qc.invalidateQueries({ queryKey: templatesKey(id) }), qc.invalidateQueries({ queryKey: numbersKey })]),
  });
}

export function useSavePool(ref: PoolRef) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PoolInput) => api.put<Pool>(ref.url, body),
    onSuccess: (pool) => {
      qc.setQueryData(poolKey(ref), pool);
      // Saving hands waiting conversations to the pool: the inbox changes too.
      return qc.invalidateQueries({ queryKey: ['conversations'] });
    },
  });
}

/** Sets a member's availability (own, or of a member one manages), optimistically. */
export function useSetAvailability() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, available }: { id: string; available: boolean }) =>
      api.put(`/api/members/${id}/availability`, { available }),
    onMutate: async ({ id, available }) => {
      await qc.cancelQueries({ queryKey: membersKey });
      const before = qc.getQueryData<Page<Member>>(membersKey);
      if (before)
        qc.setQueryData<Page<Member>>(membersKey, {
          ...before,
          items: before.items.map((m) => (m.id === id ? { ...m, available } : m)),
        });
      return { before };
    },
    onError: (_e, _v, ctx) => {
      if (ctx?.before) qc.setQueryData(membersKey, ctx.before);
    },
    onSettled: (_d, _e, { id }) => {
      qc.invalidateQueries({ queryKey: membersKey });
      const me = qc.getQueryData<Session | null>(meKey);
      if (me?.member?.id === id) qc.invalidateQueries({ queryKey: meKey });
      // A member coming back picks up waiting conversations at once.
      qc.invalidateQueries({ queryKey: poolsKey });
    },
  });
}
