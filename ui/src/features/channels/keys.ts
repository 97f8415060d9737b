// Query keys of the channels page. The number list and templates share the
// inbox's keys, so both pages read and refresh the same cache entries.

export { numbersKey, templatesKey } from '../inbox/keys';

export const poolKey = (numberId: string) => ['whatsapp', 'pool', numberId] as const;
export const poolsKey = ['whatsapp', 'pool'] as const;
