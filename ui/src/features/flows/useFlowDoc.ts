import { useCallback, useMemo, useRef, useState } from 'react';
import { applyEdgeChanges, applyNodeChanges, type Connection, type Edge, type EdgeChange, type Node, type NodeChange } from '@xyflow/react';
import { autoLayout, cleanEdges, cleanNodes, cloneSelection, edgeId, newId, pruneEdges, toEdges, toNodes } from './graph';
import { NODE_DEFS } from './nodeDefs';
import { useHistory } from './useHistory';
import type { Flow, FlowDraft, FlowEdgeJson, FlowNodeJson, FlowOptions, NodeType } from './types';

export interface FlowMeta {
  name: string;
  whatsapp_number_id: string | null;
  options: FlowOptions;
}

const DEFAULT_OPTIONS: FlowOptions = { pause_on_human_reply: true, once_per_contact: false, only_if_unassigned: false };

/** The document being edited: nodes, edges, name/number/options, with undo/redo and the clipboard. */
export function useFlowDoc(flow: Flow) {
  const [nodes, setNodes] = useState<Node[]>(() => toNodes(flow.nodes ?? []));
  const [edges, setEdges] = useState<Edge[]>(() => toEdges(flow.edges ?? []));
  const [meta, setMeta] = useState<FlowMeta>(() => ({
    name: flow.name,
    whatsapp_number_id: flow.whatsapp_number_id,
    options: { ...DEFAULT_OPTIONS, ...flow.options },
  }));
  const cur = useRef({ nodes, edges });
  cur.current = { nodes, edges };
  const get = useCallback(() => cur.current, []);
  const setBoth = useCallback((n: Node[], e: Edge[]) => {
    setNodes(n);
    setEdges(e);
  }, []);
  const history = useHistory(get, setBoth);
  const { record } = history;
  const clipboard = useRef<{ nodes: Node[]; edges: Edge[] } | null>(null);

  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      if (changes.some((c) => c.type === 'remove')) record();
      setNodes((ns) => applyNodeChanges(changes, ns));
      if (changes.some((c) => c.type === 'remove')) {
        const gone = new Set(changes.flatMap((c) => (c.type === 'remove' ? [c.id] : [])));
        setEdges((es) => es.filter((e) => !gone.has(e.source) && !gone.has(e.target)));
      }
    },
    [record],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      if (changes.some((c) => c.type === 'remove')) record();
      setEdges((es) => applyEdgeChanges(changes, es));
    },
    [record],
  );

  /** One edge per source handle: a new connection replaces the old one. */
  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.source || !c.target) return;
      record();
      const handle = c.sourceHandle ?? null;
      const edge: Edge = { id: edgeId(c.source, handle, c.target), source: c.source, target: c.target, sourceHandle: handle };
      if (c.targetHandle) edge.targetHandle = c.targetHandle;
      setEdges((es) => [...es.filter((e) => !(e.source === c.source && (e.sourceHandle ?? null) === handle)), edge]);
    },
    [record],
  );

  const addNode = useCallback(
    (type: NodeType, position: { x: number; y: number }) => {
      if (type === 'trigger' && cur.current.nodes.some((n) => n.type === 'trigger')) return null;
      record();
      const node: Node = { id: newId(type), type, position: { x: Math.round(position.x), y: Math.round(position.y) }, data: NODE_DEFS[type].data() };
      setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }]);
      return node.id;
    },
    [record],
  );

  const updateData = useCallback(
    (id: string, data: Record<string, unknown>, key?: string) => {
      record(key ?? `data:${id}`);
      const next = cur.current.nodes.map((n) => (n.id === id ? { ...n, data } : n));
      setNodes(next);
      setEdges((es) => pruneEdges(next, es));
    },
    [record],
  );

  const removeNode = useCallback(
    (id: string) => onNodesChange([{ type: 'remove', id }]),
    [onNodesChange],
  );

  const copy = useCallback(() => {
    const sel = cur.current.nodes.filter((n) => n.selected);
    if (sel.length === 0) return false;
    clipboard.current = { nodes: sel, edges: cur.current.edges };
    return true;
  }, []);

  const paste = useCallback(() => {
    const clip = clipboard.current;
    if (!clip) return;
    record();
    const hasTrigger = cur.current.nodes.some((n) => n.type === 'trigger');
    const copies = cloneSelection(clip.nodes, clip.edges, 40, hasTrigger);
    // the next paste lands a step further
    clipboard.current = { nodes: copies.nodes, edges: copies.edges };
    setNodes((ns) => [...ns.map((n) => ({ ...n, selected: false })), ...copies.nodes]);
    setEdges((es) => [...es, ...copies.edges]);
  }, [record]);

  const layout = useCallback(() => {
    record();
    setNodes(autoLayout(cur.current.nodes, cur.current.edges));
  }, [record]);

  /** Replaces the whole graph (restore a version, import a file), as one undoable step. */
  const replace = useCallback(
    (n: FlowNodeJson[], e: FlowEdgeJson[]) => {
      record();
      setBoth(toNodes(n), toEdges(e));
    },
    [record, setBoth],
  );

  const draft: FlowDraft = useMemo(
    () => ({ name: meta.name, whatsapp_number_id: meta.whatsapp_number_id, nodes: cleanNodes(nodes), edges: cleanEdges(edges), options: meta.options }),
    [meta, nodes, edges],
  );

  return {
    nodes, edges, meta, setMeta, draft, history,
    onNodesChange, onEdgesChange, onConnect, onNodeDragStart: () => record(),
    addNode, updateData, removeNode, copy, paste, layout, replace,
  };
}

export type FlowDoc = ReturnType<typeof useFlowDoc>;
