import { useEffect, useMemo, useRef, type DragEvent, type ReactNode } from 'react';
import { Background, BackgroundVariant, Controls, MiniMap, Panel, ReactFlow, useNodesInitialized, useReactFlow, type Edge, type Node, type OnBeforeDelete } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './flows.css';
import { useTheme } from '../../lib/theme';
import { DND_TYPE } from './Palette';
import { nodeTypes } from './FlowNode';
import { isNodeType } from './nodeDefs';
import type { FlowDoc } from './useFlowDoc';
import type { NodeType } from './types';

interface Props {
  doc: FlowDoc;
  /** Shown instead of the draft (a published version), read-only. */
  preview: { nodes: Node[]; edges: Edge[] } | null;
  readOnly: boolean;
  path: string[];
  onAdd: (type: NodeType, at: { x: number; y: number }) => void;
  children?: ReactNode;
}

/** The trigger stays: a flow has exactly one. */
const keepTrigger: OnBeforeDelete = async ({ nodes, edges }) => {
  const kept = new Set(nodes.filter((n) => n.type === 'trigger').map((n) => n.id));
  return { nodes: nodes.filter((n) => !kept.has(n.id)), edges: edges.filter((e) => e.selected || (!kept.has(e.source) && !kept.has(e.target))) };
};

export function Canvas({ doc, preview, readOnly, path, onAdd, children }: Props) {
  const rf = useReactFlow();
  const { resolved } = useTheme();
  const walked = useMemo(() => {
    const s = new Set<string>();
    for (let i = 1; i < path.length; i++) s.add(`${path[i - 1]}>${path[i]}`);
    return s;
  }, [path]);
  const edges = useMemo(
    () => (preview ? preview.edges : doc.edges).map((e) => (walked.has(`${e.source}>${e.target}`) ? { ...e, animated: true, className: 'wf-walked' } : e)),
    [preview, doc.edges, walked],
  );
  const locked = readOnly || preview != null;
  // Fit once every node has its size (the fitView prop alone can fire before that).
  const ready = useNodesInitialized();
  const fitted = useRef(false);
  useEffect(() => {
    if (!ready || fitted.current) return;
    fitted.current = true;
    void rf.fitView({ padding: 0.2, maxZoom: 1.1 });
  }, [ready, rf]);

  const onDragOver = (e: DragEvent) => {
    if (locked) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
  };
  const onDrop = (e: DragEvent) => {
    if (locked) return;
    const type = e.dataTransfer.getData(DND_TYPE) || e.dataTransfer.getData('text/plain');
    if (!isNodeType(type)) return;
    e.preventDefault();
    const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    onAdd(type, { x: p.x - 120, y: p.y - 30 });
  };

  return (
    <div data-testid="flow-canvas" data-read-only={locked ? 'true' : undefined} className="relative h-full w-full" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow
        nodes={preview ? preview.nodes : doc.nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={preview ? undefined : doc.onNodesChange}
        onEdgesChange={preview ? undefined : doc.onEdgesChange}
        onConnect={doc.onConnect}
        onNodeDragStart={doc.onNodeDragStart}
        onBeforeDelete={keepTrigger}
        nodesDraggable={!locked}
        nodesConnectable={!locked}
        elementsSelectable={!readOnly}
        deleteKeyCode={locked ? null : ['Backspace', 'Delete']}
        colorMode={resolved}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
        minZoom={0.2}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable style={{ width: 160, height: 110 }} className="hidden! overflow-hidden rounded-lg border border-line shadow-sm xl:block!" />
        {children && <Panel position="top-left">{children}</Panel>}
      </ReactFlow>
    </div>
  );
}
