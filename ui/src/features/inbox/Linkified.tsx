// Web addresses in a message become links that open in a new tab; the rest
// stays text (React escapes it, so nothing a customer sends becomes markup).

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
/** Punctuation that ends a sentence rather than the address. */
const TRAILING = /[.,;:!?)\]}'"]+$/;

export function Linkified({ text }: { text: string }) {
  const parts: (string | { href: string; label: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const start = m.index ?? 0;
    const raw = m[0];
    const label = raw.replace(TRAILING, '');
    if (start > last) parts.push(text.slice(last, start));
    parts.push({ href: label.toLowerCase().startsWith('www.') ? `https://${label}` : label, label });
    last = start + label.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return (
    <>
      {parts.map((p, i) =>
        typeof p === 'string' ? (
          p
        ) : (
          <a
            key={i}
            href={p.href}
            target="_blank"
            rel="noopener noreferrer nofollow"
            className="break-all underline underline-offset-2 hover:opacity-80"
          >
            {p.label}
          </a>
        ),
      )}
    </>
  );
}
