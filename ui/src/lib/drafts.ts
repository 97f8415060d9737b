// Unsent replies per conversation, kept in this browser (localStorage) so a
// reload, a crash or losing the conversation does not lose what was typed.
// Cleared on sign-out: the next person at this computer must not read them.

const PREFIX = 'wf_draft:';
/** The oldest drafts beyond this many are dropped. */
const KEEP = 50;

interface Stored {
  text: string;
  at: number;
}

function read(key: string): Stored | null {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? 'null') as Stored | null;
    return v && typeof v.text === 'string' ? v : null;
  } catch {
    return null;
  }
}

function keys(): string[] {
  const out: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k?.startsWith(PREFIX)) out.push(k);
  }
  return out;
}

export function getDraft(conversationId: string): string {
  return read(PREFIX + conversationId)?.text ?? '';
}

export function setDraft(conversationId: string, text: string): void {
  try {
    if (!text.trim()) return localStorage.removeItem(PREFIX + conversationId);
    localStorage.setItem(PREFIX + conversationId, JSON.stringify({ text, at: Date.now() } satisfies Stored));
    const all = keys();
    if (all.length > KEEP) {
      const byAge = all.map((k) => [k, read(k)?.at ?? 0] as const).sort((a, b) => a[1] - b[1]);
      for (const [k] of byAge.slice(0, all.length - KEEP)) localStorage.removeItem(k);
    }
  } catch {
    // storage full or blocked: the draft lives as long as the page
  }
}

export function clearDrafts(): void {
  try {
    for (const k of keys()) localStorage.removeItem(k);
  } catch {
    // nothing kept
  }
}

/** Copies text from a click (works on plain-http deployments too). */
export function copyText(text: string): void {
  if (navigator.clipboard && window.isSecureContext) {
    void navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}
