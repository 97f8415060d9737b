import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, download } from '../../lib/api';

export interface ErasedCounts {
  conversations: number;
  messages: number;
  media_files: number;
  followups: number;
  flow_runs: number;
}

/** The word the owner types to confirm an erasure; the server checks it too. */
export const ERASE_WORD = 'ERASE';

const contactPath = (id: string) => `/api/contacts/${encodeURIComponent(id)}`;

/** Everything about a contact as a zip (contact.json, messages.json, media/…). */
export function useExportContact(contactId: string) {
  return useMutation({
    mutationFn: () => download(`${contactPath(contactId)}/export`, `contact-${contactId}.zip`),
  });
}

export function useEraseContact(contactId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ erased: ErasedCounts }>(`${contactPath(contactId)}/erase`, { confirm: ERASE_WORD }),
    onSuccess: () => {
      // its conversations are gone: forget them everywhere they were listed
      qc.removeQueries({ queryKey: ['conversations'] });
      qc.invalidateQueries({ queryKey: ['leads'] });
      qc.invalidateQueries({ queryKey: ['followups'] });
    },
  });
}

export interface ContactFields {
  name?: string;
  email?: string | null;
  phone?: string | null;
}

/** Corrects a contact's name, email or phone; its conversations show it everywhere. */
export function useEditContact(contactId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (fields: ContactFields) =>
      api.patch<{ id: string; name: string; email: string | null; phone: string | null }>(contactPath(contactId), fields),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['conversations'] }),
  });
}
