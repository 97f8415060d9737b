// Query keys of the channels page. The number list and templates share the
// inbox's keys, so both pages read and refresh the same cache entries.

export { numbersKey, templatesKey } from '../inbox/keys';

/** Every pool (numbers, custom channels, Facebook pages, manual leads) sits under one prefix. */
export const poolsKey = ['pool'] as const;
export const poolKey = (ref: { id: string }) => ['pool', ref.id] as const;
export const customChannelsKey = ['channels', 'custom'] as const;
export const fbPagesKey = ['facebook', 'pages'] as const;
/** Client-side record of the Facebook imports started from this tab, fed by import.progress frames. */
export const fbImportsKey = ['facebook', 'imports'] as const;
