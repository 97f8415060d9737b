// One WebSocket per tab (GET /api/ws, cookie auth). Frames are fanned out to
// subscribers; the socket reconnects with backoff and tells subscribers so they
// can refetch what is on screen. Presence frames are kept in a small store.

import { createContext, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { sessionEnded } from './api';
import { fetchSession } from './auth';

export type WsState = 'connecting' | 'open' | 'closed';
export interface Frame {
  type: string;
  data: Record<string, unknown>;
}
export interface Presence {
  member_id: string;
  /** Their display name, for colleagues the member list does not show. */
  name?: string | null;
  online: boolean;
  viewing: string[];
}

type Listener = (f: Frame) => void;

class Realtime {
  state: WsState = 'connecting';
  private ws: WebSocket | null = null;
  private listeners = new Set<Listener>();
  private reconnectListeners = new Set<() => void>();
  private stateListeners = new Set<() => void>();
  private presenceListeners = new Set<() => void>();
  presence = new Map<string, Presence>();
  private joined: string | null = null;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = false;
  private everOpened = false;

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
  }

  private setState(s: WsState) {
    this.state = s;
    this.stateListeners.forEach((l) => l());
  }

  private connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${proto}//${location.host}/api/ws`);
    } catch {
      this.schedule();
      return;
    }
    this.ws = ws;
    this.setState('connecting');
    ws.onopen = () => {
      this.attempt = 0;
      this.presence = new Map();
      this.presenceListeners.forEach((l) => l());
      this.setState('open');
      if (this.joined) this.raw({ type: 'join', conversation_id: this.joined });
      if (this.everOpened) this.reconnectListeners.forEach((l) => l());
      this.everOpened = true;
    };
    ws.onmessage = (e) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(e.data)) as Frame;
      } catch {
        return;
      }
      if (!frame || typeof frame.type !== 'string') return;
      if (frame.type === 'presence') {
        const p = frame.data as unknown as Presence;
        const next = new Map(this.presence);
        next.set(p.member_id, { member_id: p.member_id, name: p.name ?? null, online: Boolean(p.online), viewing: p.viewing ?? [] });
        this.presence = next;
        this.presenceListeners.forEach((l) => l());
      }
      this.listeners.forEach((l) => l(frame));
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setState('closed');
      this.schedule();
    };
  }

  private schedule() {
    if (this.stopped) return;
    const delay = Math.min(30_000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.timer = window.setTimeout(() => this.connect(), delay);
  }

  private raw(obj: unknown) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }

  join(conversationId: string | null) {
    if (conversationId === this.joined) return;
    this.joined = conversationId;
    this.raw(conversationId ? { type: 'join', conversation_id: conversationId } : { type: 'leave' });
  }

  subscribe(l: Listener) {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }
  onReconnect(l: () => void) {
    this.reconnectListeners.add(l);
    return () => void this.reconnectListeners.delete(l);
  }
  onState(l: () => void) {
    this.stateListeners.add(l);
    return () => void this.stateListeners.delete(l);
  }
  onPresence(l: () => void) {
    this.presenceListeners.add(l);
    return () => void this.presenceListeners.delete(l);
  }
}

const Ctx = createContext<Realtime | null>(null);

/**
 * A socket that closes may mean the session ended (signed out elsewhere, the
 * member removed from the business): the server closes it then and refuses
 * the reconnects. Asking for the session tells which; a server that is merely
 * away answers nothing, and the socket keeps retrying.
 */
async function recheckSession() {
  try {
    if ((await fetchSession()) === null) sessionEnded();
  } catch {
    // Unreachable or failing: not a verdict on the session.
  }
}

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const [rt] = useState(() => new Realtime());
  useEffect(() => {
    rt.start();
    const off = rt.onState(() => {
      if (rt.state === 'closed') void recheckSession();
    });
    return () => {
      off();
      rt.stop();
    };
  }, [rt]);
  return <Ctx.Provider value={rt}>{children}</Ctx.Provider>;
}

function useRt(): Realtime {
  const rt = useContext(Ctx);
  if (!rt) throw new Error('useRealtime outside <RealtimeProvider>');
  return rt;
}

export function useWsState(): WsState {
  const rt = useRt();
  return useSyncExternalStore(
    (l) => rt.onState(l),
    () => rt.state,
  );
}

export function usePresence(): Map<string, Presence> {
  const rt = useRt();
  return useSyncExternalStore(
    (l) => rt.onPresence(l),
    () => rt.presence,
  );
}

/** Subscribe to frames (and, optionally, to reconnects). The handler may change every render. */
export function useFrames(handler: Listener, onReconnect?: () => void) {
  const rt = useRt();
  const ref = useRef({ handler, onReconnect });
  ref.current = { handler, onReconnect };
  useEffect(() => {
    const a = rt.subscribe((f) => ref.current.handler(f));
    const b = rt.onReconnect(() => ref.current.onReconnect?.());
    return () => {
      a();
      b();
    };
  }, [rt]);
}

/** Tell the server which conversation this tab has open (null = none). */
export function useJoin(conversationId: string | null) {
  const rt = useRt();
  useEffect(() => {
    rt.join(conversationId);
    return () => rt.join(null);
  }, [rt, conversationId]);
}

export function useRealtime() {
  const rt = useRt();
  return useMemo(() => ({ join: (id: string | null) => rt.join(id) }), [rt]);
}
