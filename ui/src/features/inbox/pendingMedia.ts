// Files still coming from WhatsApp. The live channel says when one is stored,
// but a frame missed (a socket that dropped, a thread opened mid-download)
// must not leave a "Downloading…" placeholder for good: the thread asks the
// server again a few times, further apart each time, while any is pending.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { fetchMessagesUntil, patchMessage } from './api';
import type { Message } from './types';

const DELAYS_MS = [3_000, 6_000, 12_000, 24_000, 48_000];

export function usePendingMediaRetry(conversationId: string, messages: Message[]) {
  const qc = useQueryClient();
  const pending = messages.filter((m) => m.media?.status === 'pending').map((m) => m.id);
  // Ids sort by time: fetching back to the oldest pending one covers them all.
  const oldest = pending.length > 0 ? pending.reduce((a, b) => (a < b ? a : b)) : null;
  const key = pending.join(',');
  const [attempt, setAttempt] = useState(0);
  // Another file pending (or one fewer): a fresh round of tries.
  useEffect(() => setAttempt(0), [conversationId, key]);
  useEffect(() => {
    if (!oldest || attempt >= DELAYS_MS.length) return;
    let cancelled = false;
    const timer = window.setTimeout(async () => {
      try {
        const page = await fetchMessagesUntil(conversationId, oldest);
        for (const fresh of page.items) {
          if (fresh.media && fresh.media.status !== 'pending' && key.split(',').includes(fresh.id)) {
            patchMessage(qc, conversationId, fresh.id, { media: fresh.media });
          }
        }
      } catch {
        // the next try, or the live channel, will tell
      }
      if (!cancelled) setAttempt((a) => a + 1);
    }, DELAYS_MS[attempt]);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [conversationId, key, oldest, attempt, qc]);
}
