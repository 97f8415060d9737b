// Wire shapes of the inbox API (snake_case, as the server sends them).

export type ConversationStatus = 'open' | 'closed';
export type Direction = 'in' | 'out';
export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
export type View = 'mine' | 'unassigned' | 'all';

export interface Contact {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
}

export interface LastMessage {
  text: string;
  type: string;
  direction: Direction;
  created_at: string;
  /** For a reply: how far it got (`failed` when it never reached the customer). */
  status?: string | null;
}

export interface Conversation {
  id: string;
  contact: Contact;
  source: string;
  status: ConversationStatus;
  assignee_id: string | null;
  number_id: string | null;
  labels: string[];
  last_message: LastMessage | null;
  unread_count: number;
  window: { open: boolean; expires_at: string | null };
  /** Why the latest automatic assignment went where it did (absent on older servers). */
  assignment?: Assignment | null;
  created_at: string;
  updated_at: string;
}

export interface Assignment {
  /** "whatsapp:<number id>" */
  channel: string;
  mode: 'round_robin' | 'weighted';
  member_id: string | null;
  credit: number;
  position: number;
  outcome: string;
  skipped: { member_id: string; reason: string }[];
  at: string;
}

/** Where an inbound file is: still coming from WhatsApp, stored, or lost. */
export type MediaStatus = 'pending' | 'ready' | 'failed';

export interface Media {
  url: string;
  /** Absent on messages of servers before it was reported: treat as ready. */
  status?: MediaStatus;
  mime_type?: string | null;
  filename?: string | null;
  caption?: string | null;
  file_size?: number | null;
}

export interface Reaction {
  emoji: string;
  from_customer: boolean;
  created_at: string;
}

export interface Message {
  id: string;
  direction: Direction;
  type: string;
  text: string;
  // The details differ per type; bubbles read what they know.
  details: Record<string, any>;
  media: Media | null;
  status: MessageStatus;
  error: string | null;
  wa_message_id: string | null;
  reply_to: string | null;
  reactions: Reaction[];
  author_id: string | null;
  created_at: string;
}

export interface Note {
  id: string;
  author_id: string | null;
  /** The author as the server names them (also someone outside the reader's directory). */
  author_name?: string | null;
  text: string;
  created_at: string;
}

export interface WaNumber {
  id: string;
  phone_number_id: string;
  display_phone_number: string;
  waba_id: string;
  sandbox: boolean;
  status: 'active' | 'token_invalid' | 'paused' | string;
  paused_until?: string | null;
  last_error?: string | null;
  created_at?: string;
}

export interface Template {
  name: string;
  language: string;
  status: string;
  category: string;
  components: { type: string; text?: string }[];
  parameters: number;
}

export interface QuickReply {
  id: string;
  shortcut: string;
  text: string;
}

export interface Upload {
  id: string;
  mime_type: string;
  filename: string;
  size: number;
}

export interface InteractiveButtons {
  type: 'button';
  body: string;
  buttons: { id: string; title: string }[];
}
export interface InteractiveList {
  type: 'list';
  body: string;
  button: string;
  sections: { title: string; rows: { id: string; title: string; description?: string }[] }[];
}

export type SendBody =
  | { type: 'text'; text: string; reply_to?: string }
  | { type: 'template'; template: { name: string; language: string; parameters: string[] } }
  | { type: 'image' | 'video' | 'audio' | 'document' | 'sticker'; media_id: string; caption?: string }
  | { type: 'interactive'; interactive: InteractiveButtons | InteractiveList };

export interface ListFilters {
  view: View;
  status: ConversationStatus | '';
  number_id: string;
  label: string;
}
