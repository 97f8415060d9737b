// Wire shapes of the flows API (snake_case, as the server sends them).
// Nodes and edges are React Flow's own JSON and are stored byte for byte.

export type FlowStatus = 'draft' | 'active' | 'disabled';
export type NodeType = 'trigger' | 'message' | 'question' | 'condition' | 'delay' | 'action';
export const NODE_TYPES: readonly NodeType[] = ['trigger', 'message', 'question', 'condition', 'delay', 'action'];

export interface FlowRunStats {
  runs_started: number;
  runs_completed: number;
  runs_failed: number;
}

export interface FlowSummary {
  id: string;
  name: string;
  whatsapp_number_id: string | null;
  status: FlowStatus;
  published_version: number | null;
  draft_changed: boolean;
  updated_at: string;
  stats?: FlowRunStats;
}

export interface FlowNodeJson {
  id: string;
  type: string;
  position: { x: number; y: number };
  data: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface FlowEdgeJson {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
  [extra: string]: unknown;
}

export interface FlowOptions {
  pause_on_human_reply: boolean;
  once_per_contact: boolean;
  only_if_unassigned: boolean;
}

export interface Flow extends FlowSummary {
  nodes: FlowNodeJson[];
  edges: FlowEdgeJson[];
  options: FlowOptions;
}

export interface FlowDraft {
  name?: string;
  whatsapp_number_id?: string | null;
  nodes: FlowNodeJson[];
  edges: FlowEdgeJson[];
  options?: FlowOptions;
}

export interface Issue {
  node_id: string | null;
  message: string;
}

export interface Validation {
  valid: boolean;
  details: Issue[];
}

export interface FlowVersion {
  version: number;
  published_at: string;
  published_by: string | null;
}

export interface FlowTemplate {
  key: string;
  name: string;
  description: string;
  nodes: FlowNodeJson[];
  edges: FlowEdgeJson[];
}

export interface NodeStats {
  entered: number;
  completed: number;
  dropped: number;
}

export interface FlowStats {
  runs: { started: number; completed: number; failed: number; active: number };
  nodes: Record<string, NodeStats>;
}

export type SimState = 'running' | 'waiting_input' | 'waiting_timer' | 'completed' | 'failed' | 'cancelled' | 'expired';

export interface SimReply {
  id: string;
  title: string;
  description?: string;
}

export interface SimMsg {
  /** 'note' (and anything else) is a line from the engine, not a chat message. */
  direction: 'out' | 'in' | 'note' | (string & {});
  type: string;
  text: string;
  buttons?: SimReply[];
  list?: { button: string; sections: { title: string; rows: SimReply[] }[] };
  at: string;
}

export interface SimStep {
  session_id?: string;
  state: SimState;
  current_node: string | null;
  path: string[];
  variables: Record<string, unknown>;
  clock: string;
  next_timer_at: string | null;
  messages: SimMsg[];
  /** Why the run failed, when it did. */
  error?: string | null;
}

/** The export file: what a flow is, without its identity. */
export interface FlowFile {
  name: string;
  nodes: FlowNodeJson[];
  edges: FlowEdgeJson[];
  options?: FlowOptions;
}
