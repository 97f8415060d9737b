// What each node type is: its icon, colour, starting data, outgoing handles and one-line summary.

import { Clock, GitBranch, MessageCircleQuestion, MessageSquareText, Zap, Wrench, type LucideIcon } from 'lucide-react';
import { t, type MessageKey } from '../../lib/i18n';
import type { NodeType } from './types';

type Data = Record<string, any>;

export interface HandleDef {
  id: string;
  label: string;
  tone?: 'muted' | 'warn';
}

interface NodeDef {
  icon: LucideIcon;
  labelKey: MessageKey;
  /** Accent classes: icon chip and the top border. */
  accent: string;
  chip: string;
  data: () => Data;
}

export const NODE_DEFS: Record<NodeType, NodeDef> = {
  trigger: {
    icon: Zap, labelKey: 'flows.node.trigger', accent: 'border-t-amber-500',
    chip: 'bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200',
    data: () => ({ on: 'any_message' }),
  },
  message: {
    icon: MessageSquareText, labelKey: 'flows.node.message', accent: 'border-t-brand-500',
    chip: 'bg-brand-100 text-brand-800 dark:bg-brand-900/60 dark:text-brand-200',
    data: () => ({ kind: 'text', text: '' }),
  },
  question: {
    icon: MessageCircleQuestion, labelKey: 'flows.node.question', accent: 'border-t-sky-500',
    chip: 'bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200',
    data: () => ({ prompt: '', validate: 'text', save_to: 'vars.answer', retries: 2 }),
  },
  condition: {
    icon: GitBranch, labelKey: 'flows.node.condition', accent: 'border-t-violet-500',
    chip: 'bg-violet-100 text-violet-800 dark:bg-violet-900/60 dark:text-violet-200',
    data: () => ({ branches: [{ id: 'b1', label: 'Branch 1', match: 'all', rules: [{ field: 'message.text', op: 'contains', value: '' }] }] }),
  },
  delay: {
    icon: Clock, labelKey: 'flows.node.delay', accent: 'border-t-zinc-400',
    chip: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-200',
    data: () => ({ seconds: 3600 }),
  },
  action: {
    icon: Wrench, labelKey: 'flows.node.action', accent: 'border-t-rose-500',
    chip: 'bg-rose-100 text-rose-800 dark:bg-rose-900/60 dark:text-rose-200',
    data: () => ({ action: 'add_label', label: '' }),
  },
};

export function isNodeType(x: unknown): x is NodeType {
  return typeof x === 'string' && x in NODE_DEFS;
}

const h = (id: string, label: string, tone?: HandleDef['tone']): HandleDef => ({ id, label, tone });
const next = () => h('next', t('flows.handle.next'));
const other = () => h('other', t('flows.handle.other'), 'muted');
const timeout = () => h('timeout', t('flows.handle.timeout'), 'warn');

/** The outgoing handles of a node, in display order (the edge's sourceHandle names one). */
export function handlesOf(type: string, data: Data): HandleDef[] {
  switch (type) {
    case 'trigger':
    case 'delay':
      return [next()];
    case 'message':
      if (data.kind === 'buttons')
        return [...((data.buttons as Data[]) ?? []).map((b) => h(String(b.id), String(b.title || b.id))), other(), timeout()];
      if (data.kind === 'list')
        return [
          ...((data.sections as Data[]) ?? []).flatMap((s) => ((s.rows as Data[]) ?? []).map((r) => h(String(r.id), String(r.title || r.id)))),
          other(),
          timeout(),
        ];
      return [next()];
    case 'question':
      return [next(), h('invalid', t('flows.handle.invalid'), 'warn'), timeout()];
    case 'condition':
      return [...((data.branches as Data[]) ?? []).map((b) => h(String(b.id), String(b.label || b.id))), h('else', t('flows.handle.else'), 'muted')];
    case 'action':
      if (data.action === 'handoff' || data.action === 'close') return [];
      if (data.action === 'webhook') return [next(), h('error', t('flows.handle.error'), 'warn')];
      return [next()];
    default:
      return [next()];
  }
}

export const hasTarget = (type: string) => type !== 'trigger';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '0s';
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['min', 60]] as const)
    if (seconds % size === 0) return `${seconds / size} ${unit}`;
  return `${seconds} s`;
}

/** Names of the business's members and teams by id, for summaries. */
export type NameOf = (kind: 'member' | 'team', id: string) => string | undefined;

/** One short line about what the node does, for the canvas. */
export function summaryOf(type: string, d: Data, nameOf: NameOf = () => undefined): string {
  switch (type) {
    case 'trigger': {
      const on = t(`flows.trigger.${d.on}` as MessageKey);
      const kw = Array.isArray(d.keywords) && d.keywords.length ? `: ${d.keywords.join(', ')}` : '';
      return on + kw;
    }
    case 'message':
      if (d.kind === 'media') return `${d.media_type ?? ''} ${d.caption ?? d.url ?? ''}`.trim();
      if (d.kind === 'template') return `${t('flows.kind.template')}: ${d.name ?? ''}`;
      return String(d.text ?? '');
    case 'question':
      return String(d.prompt ?? '');
    case 'condition':
      return t('flows.summary.branches', { n: (d.branches as unknown[] | undefined)?.length ?? 0 });
    case 'delay':
      return t('flows.summary.wait', { d: formatDuration(Number(d.seconds)) });
    case 'action': {
      const name = t(`flows.action.${d.action}` as MessageKey);
      const arg = d.label ?? d.url ?? d.field ?? d.text ?? d.note ?? (d.action === 'assign' ? assignee(d, nameOf) : '');
      return arg ? `${name}: ${arg}` : name;
    }
    default:
      return '';
  }
}

/** Whom an assign action hands the conversation to, by name where known. */
function assignee(d: Data, nameOf: NameOf): string {
  if (d.to === 'member' && typeof d.member_id === 'string') return nameOf('member', d.member_id) ?? t('flows.assign.member');
  if (d.to === 'team' && typeof d.team_id === 'string') return nameOf('team', d.team_id) ?? t('flows.assign.team');
  return t('flows.assign.pool');
}
