// wafunnel service worker: shows web push notifications and opens the app on click.
// Payloads are JSON: {title, body, url, tag}.

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = data.title || 'wafunnel';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      tag: data.tag || undefined,
      data: { url: data.url || '/' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const raw = (event.notification.data && event.notification.data.url) || '/';
  const url = new URL(raw, self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const client = windows.find((c) => new URL(c.url).origin === self.location.origin) || windows[0];
      if (client) {
        await client.focus();
        if ('navigate' in client) {
          try {
            await client.navigate(url);
            return;
          } catch {
            // not controlled by this worker: fall through and open a window
          }
        } else {
          return;
        }
      }
      await self.clients.openWindow(url);
    })(),
  );
});
