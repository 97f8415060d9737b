import { useState } from 'react';
import { ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { usePublishFlow } from './api';
import type { Issue } from './types';

/** Saves, publishes, and turns a refusal into a message (409) or node markers (422). */
export function usePublish(id: string, flush: () => Promise<void>, onIssues: (i: Issue[]) => void, onDone: (version: number) => void) {
  const publish = usePublishFlow(id);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setError(null);
    try {
      await flush();
      const r = await publish.mutateAsync();
      onIssues([]);
      onDone(r.version);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'flow_invalid') {
        const details = (e.details ?? []).map((d) => ({ node_id: (d.node_id as string | null) ?? null, message: d.message }));
        onIssues(details);
        setError(`${e.message || t('flows.publishInvalid')}`);
      } else if (e instanceof ApiError && e.code === 'flow_conflict') {
        setError(e.message);
      } else {
        setError(errorMessage(e));
      }
    }
  };
  return { run, pending: publish.isPending, error, clear: () => setError(null) };
}
