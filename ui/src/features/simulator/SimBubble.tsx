import clsx from 'clsx';
import { Check, CheckCheck, MapPin } from 'lucide-react';
import { t } from '../../lib/i18n';
import { clockTime, previewText } from '../inbox/format';
import type { SimMessage } from './api';

interface Btn {
  id?: string;
  title?: string;
  reply?: { id?: string; title?: string };
}

function businessOptions(m: SimMessage): { id: string; title: string }[] {
  const it = m.details?.interactive as
    | { buttons?: Btn[]; action?: { buttons?: Btn[]; sections?: { rows?: Btn[] }[] }; sections?: { rows?: Btn[] }[] }
    | undefined;
  if (!it) return [];
  const buttons = it.buttons ?? it.action?.buttons ?? [];
  const rows = (it.sections ?? it.action?.sections ?? []).flatMap((s) => s.rows ?? []);
  return [...buttons, ...rows]
    .map((b) => ({ id: b.id ?? b.reply?.id ?? '', title: b.title ?? b.reply?.title ?? '' }))
    .filter((b) => b.id && b.title);
}

function bodyText(m: SimMessage): string {
  if (m.type === 'interactive') {
    const it = m.details?.interactive as { body?: string | { text?: string }; title?: string } | undefined;
    const body = typeof it?.body === 'string' ? it.body : it?.body?.text;
    return body || it?.title || m.text;
  }
  return m.text || previewText(m);
}

export function SimBubble({ m, onTap, busy }: { m: SimMessage; onTap: (b: { id: string; title: string }) => void; busy: boolean }) {
  const mine = m.from === 'customer';
  const options = mine ? [] : businessOptions(m);
  const loc = m.type === 'location' ? (m.details as { latitude?: number; longitude?: number; name?: string }) : null;
  return (
    <div data-testid="sim-message" data-id={m.id} data-from={m.from} data-status={m.status} className={clsx('flex py-0.5', mine ? 'justify-end' : 'justify-start')}>
      <div className="max-w-[80%]">
        <div
          className={clsx(
            'rounded-lg px-2.5 py-1.5 text-[14px] leading-snug shadow-[0_1px_0.5px_rgba(0,0,0,.13)]',
            mine ? 'rounded-tr-none bg-[#d9fdd3] text-[#111b21] dark:bg-[#005c4b] dark:text-[#e9edef]' : 'rounded-tl-none bg-white text-[#111b21] dark:bg-[#202c33] dark:text-[#e9edef]',
          )}
        >
          {m.type === 'image' && m.media?.url && <img src={m.media.url} alt="" className="mb-1 max-h-48 rounded-md" />}
          {loc ? (
            <p className="flex items-start gap-1.5">
              <MapPin aria-hidden className="mt-0.5 size-4 shrink-0 text-red-500" />
              <span>
                {loc.name && <span className="block font-medium">{loc.name}</span>}
                <span className="font-mono text-xs opacity-75">
                  {loc.latitude?.toFixed(4)}, {loc.longitude?.toFixed(4)}
                </span>
              </span>
            </p>
          ) : (
            <p className="break-words whitespace-pre-wrap">{bodyText(m)}</p>
          )}
          {m.type === 'template' && <p className="mt-0.5 text-[11px] opacity-60">{t('thread.template', { name: String(m.details?.template?.name ?? '') })}</p>}
          <span className="float-right mt-0.5 ml-2 flex items-center gap-0.5 text-[11px] opacity-60">
            {clockTime(m.created_at)}
            {mine && (m.status === 'read' ? <CheckCheck className="size-3.5 text-sky-500" /> : m.status === 'received' ? <CheckCheck className="size-3.5" /> : <Check className="size-3.5" />)}
          </span>
          <span className="clear-both block" />
        </div>
        {options.length > 0 && (
          <div className="mt-0.5 flex flex-col gap-0.5">
            {options.map((b) => (
              <button
                key={b.id}
                type="button"
                data-testid="sim-reply-button"
                data-button-id={b.id}
                disabled={busy}
                onClick={() => onTap(b)}
                className="focus-ring rounded-lg bg-white py-2 text-center text-sm font-medium text-[#027eb5] shadow-[0_1px_0.5px_rgba(0,0,0,.13)] hover:bg-[#f5f6f6] disabled:opacity-60 dark:bg-[#202c33] dark:text-[#53bdeb] dark:hover:bg-[#2a3942]"
              >
                {b.title}
              </button>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
