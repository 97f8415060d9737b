import { createContext, useContext } from 'react';
import type { NodeStats } from './types';

/** What the canvas shows about nodes without touching their data (which is saved as is). */
export interface FlowUiState {
  issues: Map<string, string[]>;
  stats: Record<string, NodeStats> | null;
  visited: Set<string>;
  current: string | null;
  readOnly: boolean;
}

export const FlowUiContext = createContext<FlowUiState>({
  issues: new Map(),
  stats: null,
  visited: new Set(),
  current: null,
  readOnly: false,
});

export const useFlowUi = () => useContext(FlowUiContext);
