import { useState } from 'react';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import type { FlowNodeJson } from '../flows/types';
import { handleLabel, nodeLabel, type RunEvent } from './runs';

const SHOWN = 5;
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** An entry without handle or note followed by the same node's exit says nothing more: fold it. */
function compact(events: RunEvent[]): RunEvent[] {
  return events.filter((e, i) => e.handle !== null || e.note !== null || events[i + 1]?.node !== e.node);
}

export function RunEvents({ events, nodes, open }: { events: RunEvent[]; nodes: Map<string, FlowNodeJson>; open: boolean }) {
  const [all, setAll] = useState(false);
  const list = compact(events);
  const shown = all ? list : list.slice(-SHOWN);
  const body = (
    <>
      <ol data-testid="run-events" className="space-y-1 border-l border-line pl-3">
        {shown.map((e, i) => {
          const node = nodes.get(e.node);
          return (
            <li key={`${e.at}-${i}`} className="relative grid grid-cols-[auto_1fr] gap-x-2 text-xs">
              <span aria-hidden className="absolute top-1.5 -left-[15px] size-1.5 rounded-full bg-faint" />
              <time dateTime={e.at} title={formatDateTime(e.at) ?? undefined} className="text-faint tabular-nums">
                {time.format(new Date(e.at))}
              </time>
              <span className="min-w-0 break-words text-fg">
                {nodeLabel(node, e.node)}
                {e.handle && (
                  <>
                    <span className="text-faint"> → </span>
                    <span className="font-medium">{handleLabel(node, e.handle)}</span>
                  </>
                )}
                {e.note && <span className="block text-muted">{e.note}</span>}
              </span>
            </li>
          );
        })}
      </ol>
      {list.length > SHOWN && (
        <button type="button" onClick={() => setAll(!all)} className="focus-ring mt-1 rounded text-xs font-medium text-accent hover:underline">
          {all ? t('runs.showFewer') : t('runs.showAll', { n: list.length })}
        </button>
      )}
    </>
  );
  if (open) return <div>{body}</div>;
  return (
    <details className="text-xs">
      <summary className="cursor-pointer font-medium text-muted hover:text-fg">{t('runs.events')}</summary>
      <div className="mt-1.5">{body}</div>
    </details>
  );
}
