import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { meKey } from '../../lib/auth';

export interface BusinessSettings {
  id: string;
  name: string;
  /** ISO 3166 alpha-2 ("BR"), or "" for none. */
  default_country: string;
  created_at: string;
}

export type BusinessPatch = { name?: string; default_country?: string };

export const businessKey = ['business', 'settings'] as const;

export function useBusinessSettings() {
  return useQuery({
    queryKey: businessKey,
    queryFn: ({ signal }) => api.get<BusinessSettings>('/api/business', signal),
  });
}

export function useUpdateBusiness() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: BusinessPatch) => api.patch<BusinessSettings>('/api/business', patch),
    onSuccess: (b) => {
      qc.setQueryData(businessKey, b);
      // the header and the profile show the name from the session
      void qc.invalidateQueries({ queryKey: meKey });
    },
  });
}
