import { useState } from 'react';
import { List } from 'lucide-react';
import clsx from 'clsx';
import { t } from '../../lib/i18n';
import { clockTime } from '../inbox/format';
import type { SimMsg, SimReply } from './types';

const replyClass =
  'focus-ring w-full rounded-lg bg-white py-1.5 text-center text-sm font-medium text-[#027eb5] shadow-[0_1px_0.5px_rgba(0,0,0,.13)] enabled:hover:bg-[#f5f6f6] disabled:opacity-60 dark:bg-[#202c33] dark:text-[#53bdeb] dark:enabled:hover:bg-[#2a3942]';

function Reply({ r, onTap, disabled }: { r: SimReply; onTap: (r: SimReply) => void; disabled: boolean }) {
  return (
    <button type="button" data-testid="sim-reply" data-reply-id={r.id} disabled={disabled} onClick={() => onTap(r)} className={replyClass}>
      {r.title}
      {r.description && <span className="block text-[11px] font-normal text-[#667781] dark:text-[#8696a0]">{r.description}</span>}
    </button>
  );
}

/** One message of the simulated chat, drawn like WhatsApp; its buttons and list rows answer. */
export function SimBubble({ m, onTap, canReply }: { m: SimMsg; onTap: (r: SimReply) => void; canReply: boolean }) {
  // Open at first so that the rows can be tapped at once; the list button folds them.
  const [listOpen, setListOpen] = useState(true);
  const mine = m.direction === 'in';
  if (m.direction !== 'in' && m.direction !== 'out')
    return (
      <div data-testid="sim-bubble" data-direction={m.direction} data-type={m.type} className="flex justify-center py-1">
        <p className="max-w-[90%] rounded-lg bg-[#ffeecd] px-2.5 py-1 text-center text-[12px] text-[#54656f] shadow-[0_1px_0.5px_rgba(0,0,0,.13)] dark:bg-[#182229] dark:text-[#8696a0]">{m.text}</p>
      </div>
    );
  return (
    <div data-testid="sim-bubble" data-direction={m.direction} data-type={m.type} className={clsx('flex py-0.5', mine ? 'justify-end' : 'justify-start')}>
      <div className="max-w-[85%] space-y-0.5">
        <div
          className={clsx(
            'rounded-lg px-2.5 py-1.5 text-[13.5px] leading-snug shadow-[0_1px_0.5px_rgba(0,0,0,.13)]',
            mine ? 'rounded-tr-none bg-[#d9fdd3] text-[#111b21] dark:bg-[#005c4b] dark:text-[#e9edef]' : 'rounded-tl-none bg-white text-[#111b21] dark:bg-[#202c33] dark:text-[#e9edef]',
          )}
        >
          {m.type !== 'text' && m.type !== 'interactive' && <p className="mb-0.5 text-[11px] font-medium uppercase opacity-60">{m.type}</p>}
          <p className="break-words whitespace-pre-wrap">{m.text}</p>
          <span className="float-right mt-0.5 ml-2 text-[10px] opacity-60">{clockTime(m.at)}</span>
          <span className="clear-both block" />
        </div>
        {m.buttons?.map((b) => <Reply key={b.id} r={b} onTap={onTap} disabled={!canReply} />)}
        {m.list && (
          <>
            <button type="button" data-testid="sim-list-open" aria-expanded={listOpen} onClick={() => setListOpen(!listOpen)} className={clsx(replyClass, 'inline-flex items-center justify-center gap-1.5')}>
              <List aria-hidden className="size-4" />
              {m.list.button || t('flows.sim.list')}
            </button>
            {listOpen && (
              <div className="space-y-1 rounded-lg bg-white/70 p-1.5 dark:bg-[#111b21]/70">
                {(m.list.sections ?? []).map((s, i) => (
                  <div key={i} className="space-y-0.5">
                    {s.title && <p className="px-1 text-[11px] font-semibold text-[#008069] uppercase dark:text-[#00a884]">{s.title}</p>}
                    {(s.rows ?? []).map((r) => <Reply key={r.id} r={r} onTap={onTap} disabled={!canReply} />)}
                  </div>
                ))}
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}
