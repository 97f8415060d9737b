import { useCallback, useRef, useState } from 'react';
import type { Edge, Node } from '@xyflow/react';
import { cleanEdges, cleanNodes, toEdges, toNodes } from './graph';
import type { FlowEdgeJson, FlowNodeJson } from './types';

interface Snapshot {
  nodes: FlowNodeJson[];
  edges: FlowEdgeJson[];
}

const LIMIT = 100;

/**
 * Undo/redo as a stack of node/edge snapshots. `record` is called before a change;
 * with a `key`, repeated changes of the same thing within a second (typing) make one step.
 */
export function useHistory(get: () => { nodes: Node[]; edges: Edge[] }, set: (nodes: Node[], edges: Edge[]) => void) {
  const past = useRef<Snapshot[]>([]);
  const future = useRef<Snapshot[]>([]);
  const last = useRef<{ key: string; at: number } | null>(null);
  // Bumped when a snapshot is put back, so that forms with local state start over.
  const [epoch, setEpoch] = useState(0);
  const [, bump] = useState(0);

  const snap = useCallback((): Snapshot => {
    const { nodes, edges } = get();
    return { nodes: cleanNodes(nodes), edges: cleanEdges(edges) };
  }, [get]);

  const record = useCallback(
    (key?: string) => {
      const now = Date.now();
      if (key && last.current?.key === key && now - last.current.at < 1000) {
        last.current.at = now;
        return;
      }
      last.current = key ? { key, at: now } : null;
      past.current = [...past.current.slice(-(LIMIT - 1)), snap()];
      future.current = [];
      bump((x) => x + 1);
    },
    [snap],
  );

  const undo = useCallback(() => {
    const prev = past.current.pop();
    if (!prev) return;
    future.current.push(snap());
    last.current = null;
    set(toNodes(prev.nodes), toEdges(prev.edges));
    setEpoch((x) => x + 1);
  }, [snap, set]);

  const redo = useCallback(() => {
    const next = future.current.pop();
    if (!next) return;
    past.current.push(snap());
    last.current = null;
    set(toNodes(next.nodes), toEdges(next.edges));
    setEpoch((x) => x + 1);
  }, [snap, set]);

  return { record, undo, redo, epoch, canUndo: past.current.length > 0, canRedo: future.current.length > 0 };
}
