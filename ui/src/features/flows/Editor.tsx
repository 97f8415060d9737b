import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useReactFlow, type Node } from '@xyflow/react';
import { Eye, MonitorSmartphone, X } from 'lucide-react';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { useToast } from '../../components/Toast';
import { api, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useDeleteFlow, useDisableFlow, useDuplicateFlow, useFlowStats } from './api';
import { Canvas } from './Canvas';
import { EditorBar } from './EditorBar';
import { ErrorList, RunStats } from './ErrorList';
import { FlowSettings } from './FlowSettings';
import { FlowUiContext } from './FlowUi';
import { freeSpot, toEdges, toNodes } from './graph';
import { exportFlow, readFlowFile } from './io';
import { flowListKey } from './keys';
import { NodePanel } from './NodePanel';
import { Palette } from './Palette';
import { SimPanel } from './SimPanel';
import { useAutosave } from './useAutosave';
import { useEditorKeys } from './useEditorKeys';
import { useFlowDoc } from './useFlowDoc';
import { usePublish } from './usePublish';
import { VersionsDialog } from './VersionsDialog';
import type { Flow, FlowEdgeJson, FlowNodeJson, Issue, NodeType, SimStep } from './types';

export function Editor({ flow, desktop }: { flow: Flow; desktop: boolean }) {
  const doc = useFlowDoc(flow);
  const rf = useReactFlow();
  const toast = useToast();
  const navigate = useNavigate();
  const readOnly = !desktop;
  const [info, setInfo] = useState(() => ({ status: flow.status, published: flow.published_version, changed: flow.draft_changed }));
  const [issues, setIssues] = useState<Issue[]>([]);
  const [showStats, setShowStats] = useState(false);
  const [simOpen, setSimOpen] = useState(false);
  const [simStep, setSimStep] = useState<SimStep | null>(null);
  const [preview, setPreview] = useState<{ version: number; nodes: FlowNodeJson[]; edges: FlowEdgeJson[] } | null>(null);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const stats = useFlowStats(flow.id, showStats);
  const del = useDeleteFlow();
  const dup = useDuplicateFlow();
  const disable = useDisableFlow(flow.id);

  const qc = useQueryClient();
  const onSaved = useCallback(
    (f: Flow) => {
      setInfo({ status: f.status, published: f.published_version, changed: f.draft_changed });
      void qc.invalidateQueries({ queryKey: flowListKey });
    },
    [qc],
  );
  const save = useAutosave(flow.id, doc.draft, !readOnly, onSaved, setIssues);
  const publish = usePublish(flow.id, save.flush, setIssues, (version) => {
    setInfo({ status: 'active', published: version, changed: false });
    toast.success(t('flows.publishedToast', { n: version }));
  });

  // Leaving with unsaved changes: save now, and warn on a tab close.
  const flushRef = useRef(save.flush);
  flushRef.current = save.flush;
  useEffect(
    () => () => {
      void flushRef.current().catch(() => undefined);
    },
    [],
  );
  useEffect(() => {
    if (save.state === 'saved') return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [save.state]);

  useEditorKeys(!readOnly && !preview, { undo: doc.history.undo, redo: doc.history.redo, copy: doc.copy, paste: doc.paste });

  const byNode = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const i of issues) if (i.node_id) m.set(i.node_id, [...(m.get(i.node_id) ?? []), i.message]);
    return m;
  }, [issues]);
  const ui = useMemo(
    () => ({
      issues: byNode,
      stats: showStats ? (stats.data?.nodes ?? {}) : null,
      visited: new Set(simStep?.path ?? []),
      current: simStep?.current_node ?? null,
      readOnly: readOnly || preview != null,
    }),
    [byNode, showStats, stats.data, simStep, readOnly, preview],
  );

  const previewGraph = useMemo(() => (preview ? { nodes: toNodes(preview.nodes), edges: toEdges(preview.edges) } : null), [preview]);
  const selected: Node | undefined = useMemo(() => {
    const sel = doc.nodes.filter((n) => n.selected);
    return sel.length === 1 ? sel[0] : undefined;
  }, [doc.nodes]);

  const addAtCentre = (type: NodeType) => {
    const el = document.querySelector('[data-testid="flow-canvas"]')?.getBoundingClientRect();
    const c = el ? rf.screenToFlowPosition({ x: el.left + el.width / 2, y: el.top + el.height / 2 }) : { x: 0, y: 0 };
    const at = freeSpot(doc.nodes, { x: c.x - 120, y: c.y - 40 });
    if (!doc.addNode(type, at) || !el) return;
    // The free spot may lie below the view when the centre is taken: bring it in.
    const topLeft = rf.screenToFlowPosition({ x: el.left, y: el.top });
    const bottomRight = rf.screenToFlowPosition({ x: el.right, y: el.bottom });
    const inView = at.x >= topLeft.x && at.y >= topLeft.y && at.x + 240 <= bottomRight.x && at.y + 110 <= bottomRight.y;
    if (!inView) void rf.setCenter(at.x + 120, at.y + 55, { zoom: rf.getZoom(), duration: 300 });
  };
  const pick = (id: string) => {
    doc.onNodesChange(doc.nodes.map((n) => ({ type: 'select' as const, id: n.id, selected: n.id === id })));
    void rf.fitView({ nodes: [{ id }], maxZoom: 1.1, duration: 300 });
  };
  const deselect = () => doc.onNodesChange(doc.nodes.filter((n) => n.selected).map((n) => ({ type: 'select' as const, id: n.id, selected: false })));

  const loadVersion = (v: number) => api.get<{ version: number; nodes: FlowNodeJson[]; edges: FlowEdgeJson[] }>(`/api/flows/${flow.id}/versions/${v}`);
  const actions = {
    undo: doc.history.undo,
    redo: doc.history.redo,
    layout: () => {
      doc.layout();
      window.setTimeout(() => void rf.fitView({ padding: 0.2, duration: 300 }), 50);
    },
    fit: () => void rf.fitView({ padding: 0.2, maxZoom: 1.1, duration: 300 }),
    toggleStats: () => setShowStats((s) => !s),
    exportJson: () => exportFlow(doc.draft),
    importFile: async (f: File) => {
      try {
        const file = await readFlowFile(f);
        doc.replace(file.nodes, file.edges);
        if (file.options) doc.setMeta({ ...doc.meta, options: { ...doc.meta.options, ...file.options } });
        toast.success(t('flows.imported'));
        window.setTimeout(() => void rf.fitView({ padding: 0.2, duration: 300 }), 50);
      } catch (e) {
        toast.error(errorMessage(e));
      }
    },
    versions: () => setVersionsOpen(true),
    duplicate: () =>
      void save.flush().then(() => dup.mutateAsync(flow.id)).then((f) => {
        toast.success(t('flows.duplicated'));
        navigate(`/flows/${f.id}`);
      }, (e) => toast.error(errorMessage(e))),
    remove: () => setDeleting(true),
    simulate: () => setSimOpen((o) => !o),
    disable: () => disable.mutateAsync().then(onSaved, (e) => toast.error(errorMessage(e))),
    publish: () => void publish.run(),
  };

  let side;
  if (simOpen && !readOnly) side = <SimPanel flowId={flow.id} flush={save.flush} onStep={setSimStep} onClose={() => setSimOpen(false)} />;
  else if (selected && !preview && !readOnly)
    side = <NodePanel key={`${selected.id}:${doc.history.epoch}`} node={selected} issues={byNode.get(selected.id) ?? []} readOnly={false} onChange={(d, key) => doc.updateData(selected.id, d, key && `${selected.id}:${key}`)} onDelete={() => doc.removeNode(selected.id)} onClose={deselect} />;
  else if (!readOnly) side = <FlowSettings meta={doc.meta} onChange={doc.setMeta} readOnly={preview != null} />;

  return (
    <FlowUiContext.Provider value={ui}>
      <div className="flex h-full flex-col">
        <EditorBar
          name={doc.meta.name}
          status={info.status}
          published={info.published}
          draftChanged={info.changed}
          save={save.state}
          canUndo={doc.history.canUndo}
          canRedo={doc.history.canRedo}
          showStats={showStats}
          simOpen={simOpen}
          publishing={publish.pending}
          readOnly={readOnly}
          actions={actions}
        />
        {readOnly && (
          <p data-testid="flow-mobile-notice" className="flex items-center gap-2 border-b border-amber-200 bg-amber-50 px-4 py-2 text-xs text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-100">
            <MonitorSmartphone aria-hidden className="size-4 shrink-0" />
            {t('flows.mobileNotice')}
          </p>
        )}
        {publish.error && (
          <div className="flex items-start gap-2 border-b border-line px-3 py-2" data-testid="flow-publish-error">
            <div className="min-w-0 flex-1"><FormError message={publish.error} /></div>
            <Button variant="ghost" size="icon" aria-label={t('common.close')} onClick={publish.clear}><X /></Button>
          </div>
        )}
        {save.state === 'error' && save.error && <div className="border-b border-line px-3 py-2"><FormError message={`${t('flows.saveFailed')}: ${save.error}`} /></div>}
        {preview && (
          <div data-testid="flow-preview-banner" className="flex flex-wrap items-center gap-2 border-b border-sky-200 bg-sky-50 px-4 py-2 text-sm text-sky-900 dark:border-sky-900/60 dark:bg-sky-950/40 dark:text-sky-100">
            <Eye aria-hidden className="size-4" />
            <span className="flex-1">{t('flows.previewing', { n: preview.version })}</span>
            <Button size="sm" variant="secondary" onClick={() => setPreview(null)}>{t('flows.backToDraft')}</Button>
            {!readOnly && <Button size="sm" data-testid="flow-preview-restore" onClick={() => { doc.replace(preview.nodes, preview.edges); setPreview(null); toast.success(t('flows.restored', { n: preview.version })); }}>
              {t('flows.restore')}
            </Button>}
          </div>
        )}
        <div className="flex min-h-0 flex-1">
          {!readOnly && !preview && (
            <aside className="w-[3.25rem] shrink-0 overflow-y-auto border-r border-line bg-surface xl:w-40">
              <Palette onAdd={addAtCentre} hasTrigger={doc.nodes.some((n) => n.type === 'trigger')} />
            </aside>
          )}
          <div className="min-w-0 flex-1">
            <Canvas doc={doc} readOnly={readOnly} path={simStep?.path ?? []} onAdd={(type, at) => doc.addNode(type, at)} preview={previewGraph}>
              <div className="flex flex-col items-start gap-2">
                {!preview && !readOnly && <ErrorList issues={issues} onPick={pick} />}
                {showStats && stats.data && <RunStats runs={stats.data.runs} />}
              </div>
            </Canvas>
          </div>
          {side && <aside className="w-72 shrink-0 border-l border-line bg-surface xl:w-80">{side}</aside>}
        </div>
      </div>
      <VersionsDialog
        flowId={flow.id}
        open={versionsOpen}
        onOpenChange={setVersionsOpen}
        published={info.published}
        readOnly={readOnly}
        onView={(v) => void loadVersion(v).then((r) => { setPreview(r); setVersionsOpen(false); window.setTimeout(() => void rf.fitView({ padding: 0.2 }), 50); }, (e) => toast.error(errorMessage(e)))}
        onRestore={(v) => void loadVersion(v).then((r) => { doc.replace(r.nodes, r.edges); setVersionsOpen(false); toast.success(t('flows.restored', { n: v })); }, (e) => toast.error(errorMessage(e)))}
      />
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={t('flows.deleteTitle')}
        body={t('flows.deleteBody', { name: doc.meta.name })}
        confirmLabel={t('flows.delete')}
        busy={del.isPending}
        error={del.error ? errorMessage(del.error) : null}
        onConfirm={() => del.mutateAsync(flow.id).then(() => navigate('/flows'), () => undefined)}
      />
    </FlowUiContext.Provider>
  );
}
