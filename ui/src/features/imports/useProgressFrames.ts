import { useQueryClient } from '@tanstack/react-query';
import { useFrames } from '../../lib/realtime';
import { importsKey, useApplyProgress } from './api';
import type { ImportLive } from './types';

/** Keeps the cached imports in step with `import.progress` frames; refetches after a reconnect. */
export function useProgressFrames() {
  const qc = useQueryClient();
  const apply = useApplyProgress();
  useFrames(
    (f) => {
      if (f.type === 'import.progress' && typeof f.data?.id === 'string') apply(f.data as unknown as ImportLive);
    },
    () => qc.invalidateQueries({ queryKey: importsKey }),
  );
}
