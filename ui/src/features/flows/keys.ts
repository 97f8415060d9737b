// Query keys of the flows feature; everything sits under ['flows'].

export const flowsKey = ['flows'] as const;
export const flowListKey = ['flows', 'list'] as const;
export const flowKey = (id: string) => ['flows', 'one', id] as const;
export const flowVersionsKey = (id: string) => ['flows', 'versions', id] as const;
export const flowVersionKey = (id: string, v: number) => ['flows', 'version', id, v] as const;
export const flowStatsKey = (id: string) => ['flows', 'stats', id] as const;
export const flowTemplatesKey = ['flows', 'templates'] as const;
