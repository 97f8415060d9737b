export type ImportKind = 'csv' | 'chat';
export type ImportStatus = 'uploaded' | 'mapped' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface ImportJob {
  id: string;
  kind: ImportKind;
  status: ImportStatus;
  file_name: string;
  size: number;
  rows_total: number | null;
  rows_done: number;
  rows_failed: number;
  rows_skipped: number;
  error: string | null;
  dry_run: boolean;
  /** A spreadsheet's saved mapping (null before one is saved, and for chats). */
  mapping?: SavedMapping | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
}

export interface CsvPreview {
  delimiter: string;
  encoding: string;
  has_header: boolean;
  headers: string[];
  rows: string[][];
  suggested: Record<string, string>;
}

export interface ChatPreview {
  format: string;
  date_order: string;
  date_order_guessed: boolean;
  participants: string[];
  messages: number;
  sample: { line: number; at: string; author: string; text: string; kind: string }[];
  errors: { line: number; reason: string; text: string }[];
  errors_total: number;
}

export type Duplicates = 'skip' | 'update' | 'attach';
export type Assign = { pool_channel_id: string } | { member_id: string };

export interface CsvMapping {
  columns: Record<string, string>;
  default_country?: string;
  duplicates: Duplicates;
  assign?: Assign;
  dry_run?: boolean;
}

/** Live numbers from the `import.progress` frame. */
export interface ImportLive {
  id: string;
  status: ImportStatus;
  rows_done: number;
  rows_failed: number;
  rows_skipped: number;
  rows_total: number | null;
  rows_per_second?: number | null;
  eta_seconds?: number | null;
}

export const TARGETS = ['name', 'phone', 'email', 'note', 'labels', 'assignee_email', 'source'] as const;

export const isOpen = (s: ImportStatus) => s === 'uploaded' || s === 'mapped';
export const isCancellable = (s: ImportStatus) => s === 'uploaded' || s === 'mapped' || s === 'running';

/** A mapping as the server keeps it: the form starts from it after a dry run. */
export interface SavedMapping {
  columns: Record<string, string>;
  default_country: string | null;
  duplicates: Duplicates;
  assign: { pool_channel_id: string | null; member_id: string | null };
  dry_run: boolean;
}
