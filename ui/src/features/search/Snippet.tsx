// Renders a search snippet without innerHTML: the server escapes the text and
// only <mark>…</mark> appear as tags, so split on them and decode the entities.
import { memo } from 'react';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);
}

/** [text, marked] pairs, in order. */
export function parseSnippet(snippet: string): [string, boolean][] {
  const out: [string, boolean][] = [];
  let marked = false;
  for (const part of snippet.split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') marked = true;
    else if (part === '</mark>') marked = false;
    else if (part) out.push([decodeEntities(part), marked]);
  }
  return out;
}

export const markClass = 'rounded-[3px] bg-amber-200/80 px-0.5 text-inherit dark:bg-amber-400/30 dark:text-amber-100';

export const Snippet = memo(function Snippet({ text, className }: { text: string; className?: string }) {
  return (
    <span className={className}>
      {parseSnippet(text).map(([s, marked], i) =>
        marked ? (
          <mark key={i} className={markClass}>
            {s}
          </mark>
        ) : (
          <span key={i}>{s}</span>
        ),
      )}
    </span>
  );
});
