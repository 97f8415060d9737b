// Browser side of web push: service worker, permission and subscription.

import { api } from '../../lib/api';

export type PushSupport = 'ok' | 'unsupported' | 'insecure';

export function pushSupport(): PushSupport {
  if (typeof window === 'undefined') return 'unsupported';
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    return window.isSecureContext === false ? 'insecure' : 'unsupported';
  }
  return 'ok';
}

export function pushPermission(): NotificationPermission | 'unsupported' {
  return 'Notification' in window ? Notification.permission : 'unsupported';
}

/** base64url (no padding) → bytes, as applicationServerKey wants them. */
export function decodeKey(b64url: string): Uint8Array<ArrayBuffer> {
  const pad = '='.repeat((4 - (b64url.length % 4)) % 4);
  const bin = atob((b64url + pad).replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export class PushDenied extends Error {
  constructor() {
    super('denied');
    this.name = 'PushDenied';
  }
}

/**
 * Registers /sw.js, asks for permission, subscribes this browser and sends the
 * subscription to the server. Throws PushDenied when the user says no.
 */
export async function subscribeThisBrowser(): Promise<void> {
  const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new PushDenied();
  const { public_key } = await api.get<{ public_key: string }>('/api/push/key');
  await navigator.serviceWorker.ready;
  const key = decodeKey(public_key);
  let sub = await reg.pushManager.getSubscription();
  // a subscription made with another server key cannot be reused
  if (sub && !sameKey(sub.options.applicationServerKey, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await withTimeout(reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }), 20_000);
  const json = sub.toJSON();
  await api.post<{ id: string }>('/api/push/subscriptions', {
    endpoint: json.endpoint ?? sub.endpoint,
    keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
    user_agent: navigator.userAgent,
  });
}

export class PushTimeout extends Error {
  constructor() {
    super('timeout');
    this.name = 'PushTimeout';
  }
}

/** Some browsers never answer subscribe() when their push service is unreachable. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const id = window.setTimeout(() => reject(new PushTimeout()), ms);
    p.then(
      (v) => {
        window.clearTimeout(id);
        resolve(v);
      },
      (e: unknown) => {
        window.clearTimeout(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function sameKey(a: ArrayBuffer | null, b: Uint8Array): boolean {
  if (!a) return false;
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}
