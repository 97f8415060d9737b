import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';

export type MailState = 'queued' | 'sent' | 'kept' | 'failed';

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  state: MailState;
  error: string | null;
  created_at: string;
  sent_at: string | null;
}

export function useOutbox() {
  return useQuery({
    queryKey: ['mail', 'outbox'],
    queryFn: ({ signal }) => api.get<{ items: OutboxMail[]; smtp_configured: boolean }>('/api/mail/outbox', signal),
    refetchInterval: 15_000,
  });
}
