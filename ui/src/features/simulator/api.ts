import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { Media } from '../inbox/types';

export interface SimChat {
  wa_id: string;
  name: string;
  conversation_id: string | null;
  last_message: { text: string; type: string; from: 'customer' | 'business'; created_at: string } | null;
  updated_at: string;
}

export interface SimMessage {
  id: string;
  from: 'customer' | 'business';
  type: string;
  text: string;
  details: Record<string, any>;
  media: Media | null;
  status: string;
  created_at: string;
}

export interface SimThread {
  wa_id: string;
  name: string;
  conversation_id: string | null;
  messages: SimMessage[];
}

export type SayBody =
  | { type: 'text'; text: string; name?: string }
  | { type: 'button_reply'; id: string; title: string; name?: string }
  | { type: 'location'; latitude: number; longitude: number; text?: string; name?: string };

export const chatsKey = (numberId: string) => ['simulator', 'chats', numberId] as const;
export const chatKey = (numberId: string, waId: string) => ['simulator', 'chat', numberId, waId] as const;

export function useSimChats(numberId: string | undefined) {
  return useQuery({
    queryKey: chatsKey(numberId ?? ''),
    queryFn: ({ signal }) => api.get<{ items: SimChat[] }>(`/api/simulator/${numberId}/chats`, signal),
    enabled: Boolean(numberId),
    retry: false,
  });
}

export function useSimChat(numberId: string | undefined, waId: string | null) {
  return useQuery({
    queryKey: chatKey(numberId ?? '', waId ?? ''),
    queryFn: ({ signal }) => api.get<SimThread>(`/api/simulator/${numberId}/chats/${waId}`, signal),
    enabled: Boolean(numberId && waId),
    retry: false,
  });
}

export const say = (numberId: string, waId: string, body: SayBody) =>
  api.post<{ wamid: string }>(`/api/simulator/${numberId}/chats/${waId}/messages`, body);
