import { t } from '../../lib/i18n';
import type { FlowDraft, FlowFile } from './types';

/** Downloads {name, nodes, edges, options} as a .json file. */
export function exportFlow(draft: FlowDraft) {
  const file: FlowFile = { name: draft.name ?? '', nodes: draft.nodes, edges: draft.edges, options: draft.options };
  const blob = new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${(file.name || 'flow').replace(/[^\w.-]+/g, '-').toLowerCase()}.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Reads an exported flow; throws with a readable message when it is not one. */
export async function readFlowFile(file: File): Promise<FlowFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await file.text());
  } catch {
    throw new Error(t('flows.import.notJson'));
  }
  const f = parsed as Partial<FlowFile>;
  if (!f || !Array.isArray(f.nodes) || !Array.isArray(f.edges)) throw new Error(t('flows.import.invalid'));
  return { name: typeof f.name === 'string' ? f.name : '', nodes: f.nodes, edges: f.edges, options: f.options };
}
