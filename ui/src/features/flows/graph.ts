// Pure helpers on the node/edge JSON: saving without UI state, new ids, paste, auto-layout.

import dagre from '@dagrejs/dagre';
import type { Edge, Node } from '@xyflow/react';
import { handlesOf } from './nodeDefs';
import type { FlowEdgeJson, FlowNodeJson } from './types';

/** Fields React Flow adds while editing; they never reach the server, so a round trip is stable. */
const NODE_UI = ['selected', 'dragging', 'measured', 'width', 'height', 'resizing'];
const EDGE_UI = ['selected'];

function omit<T extends object>(o: T, keys: string[]): T {
  const out = { ...o } as Record<string, unknown>;
  for (const k of keys) delete out[k];
  return out as T;
}

export const cleanNodes = (nodes: Node[]): FlowNodeJson[] => nodes.map((n) => omit(n, NODE_UI) as unknown as FlowNodeJson);
export const cleanEdges = (edges: Edge[]): FlowEdgeJson[] => edges.map((e) => omit(e, EDGE_UI) as unknown as FlowEdgeJson);

export const toNodes = (nodes: FlowNodeJson[]): Node[] => nodes.map((n) => ({ ...n }) as Node);
export const toEdges = (edges: FlowEdgeJson[]): Edge[] => edges.map((e) => ({ ...e }) as Edge);

export function newId(prefix: string): string {
  const rnd = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  return `${prefix}_${rnd}`;
}

export const edgeId = (source: string, handle: string | null | undefined, target: string) => `e_${source}_${handle ?? 'out'}_${target}`;

/** Edges whose source handle no longer exists on their node (a button was removed). */
export function pruneEdges(nodes: Node[], edges: Edge[]): Edge[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return edges.filter((e) => {
    const src = byId.get(e.source);
    if (!src || !byId.has(e.target)) return false;
    const hs = handlesOf(src.type ?? '', src.data as Record<string, unknown>);
    return hs.some((h) => h.id === (e.sourceHandle ?? 'next'));
  });
}

/** Copies of nodes (and the edges among them) with new ids, shifted by `offset`. */
export function cloneSelection(nodes: Node[], edges: Edge[], offset: number, skipTrigger: boolean) {
  const ids = new Map<string, string>();
  const copies: Node[] = [];
  for (const n of nodes) {
    if (skipTrigger && n.type === 'trigger') continue;
    const id = newId(n.type ?? 'node');
    ids.set(n.id, id);
    copies.push({
      ...(cleanNodes([n])[0] as unknown as Node),
      id,
      position: { x: n.position.x + offset, y: n.position.y + offset },
      data: structuredClone(n.data),
      selected: true,
    });
  }
  const links: Edge[] = edges
    .filter((e) => ids.has(e.source) && ids.has(e.target))
    .map((e) => {
      const source = ids.get(e.source)!;
      const target = ids.get(e.target)!;
      return { ...(cleanEdges([e])[0] as unknown as Edge), id: edgeId(source, e.sourceHandle, target), source, target };
    });
  return { nodes: copies, edges: links };
}

/** Left-to-right layout with dagre; nodes keep their ids and data, only positions change. */
export function autoLayout(nodes: Node[], edges: Edge[]): Node[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.measured?.width ?? 260, height: n.measured?.height ?? 120 });
  for (const e of edges) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return nodes.map((n) => {
    const p = g.node(n.id);
    if (!p) return n;
    const w = n.measured?.width ?? 260;
    const h = n.measured?.height ?? 120;
    return { ...n, position: { x: Math.round(p.x - w / 2), y: Math.round(p.y - h / 2) } };
  });
}

/** The first spot at or below `at` where a new node does not cover another one. */
export function freeSpot(nodes: Node[], at: { x: number; y: number }, w = 240, h = 110): { x: number; y: number } {
  const hits = (x: number, y: number) =>
    nodes.some((n) => {
      const nw = n.measured?.width ?? 240;
      const nh = n.measured?.height ?? 110;
      return x < n.position.x + nw + 20 && x + w + 20 > n.position.x && y < n.position.y + nh + 20 && y + h + 20 > n.position.y;
    });
  for (let i = 0; i < 40; i++) {
    const x = at.x + (i % 2 === 0 ? 0 : w + 60) * Math.sign(i % 4 === 1 ? 1 : -1) * (i % 2);
    const y = at.y + Math.floor(i / 2) * (h + 30);
    if (!hits(x, y)) return { x: Math.round(x), y: Math.round(y) };
  }
  return { x: Math.round(at.x), y: Math.round(at.y) };
}
