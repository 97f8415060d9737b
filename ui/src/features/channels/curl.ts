// The copy-paste curl example of a webhook channel: a JSON body shaped by the
// channel's mapping (lead field → JSON pointer), so it is exactly what the hook reads.

const SAMPLE: Record<string, string> = {
  name: 'Maria Silva',
  phone: '+5511987654321',
  email: 'maria@example.com',
  note: 'Wants a test drive on Saturday',
};
const ORDER = ['name', 'phone', 'email', 'note'];

type Json = { [k: string]: Json } | string;

/** Puts value at an RFC 6901 pointer ("/contact/phone"), creating objects on the way. */
function put(obj: { [k: string]: Json }, pointer: string, value: string) {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts.length === 0 || parts.some((p) => p === '')) return;
  let at = obj;
  parts.forEach((p, i) => {
    if (i === parts.length - 1) {
      at[p] = value;
      return;
    }
    const next = at[p];
    if (typeof next !== 'object') at[p] = {};
    at = at[p] as { [k: string]: Json };
  });
}

export function sampleBody(mapping: Record<string, string> | undefined): Record<string, Json> {
  const m = mapping && Object.keys(mapping).length ? mapping : { name: '/name', phone: '/phone', email: '/email', note: '/note' };
  const fields = Object.keys(m).sort((a, b) => {
    const ia = ORDER.indexOf(a);
    const ib = ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const body: { [k: string]: Json } = {};
  for (const f of fields) {
    if (!m[f]) continue;
    put(body, m[f], SAMPLE[f] ?? (f.startsWith('custom:') ? `<${f.slice(7)}>` : '…'));
  }
  return body;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function curlExample(url: string, token: string | null, mapping: Record<string, string> | undefined): string {
  const body = JSON.stringify(sampleBody(mapping), null, 2);
  return [
    `curl -X POST ${shellQuote(url)} \\`,
    `  -H 'Authorization: Bearer ${token ?? '<token>'}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(body)}`,
  ].join('\n');
}
