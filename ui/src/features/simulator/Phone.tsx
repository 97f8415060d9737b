import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ArrowLeft, ExternalLink, MapPin, SendHorizontal } from 'lucide-react';
import { Link } from 'react-router';
import { Spinner } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { fieldError } from '../inbox/Composer';
import { useSimChat, type SayBody } from './api';
import { SimBubble } from './SimBubble';

interface Props {
  numberId: string;
  display: string;
  waId: string;
  name: string;
  onSay: (body: SayBody) => Promise<unknown>;
  onBack?: () => void;
}

/** The customer's phone: WhatsApp-like chat with the business. */
export function Phone({ numberId, display, waId, name, onSay, onBack }: Props) {
  const chat = useSimChat(numberId, waId);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [locOpen, setLocOpen] = useState(false);
  const [loc, setLoc] = useState({ lat: '38.7223', lon: '-9.1393', name: '' });
  const scrollRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const messages = chat.data?.messages ?? [];
  const last = messages[messages.length - 1]?.id;

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [last, waId]);
  useEffect(() => {
    inputRef.current?.focus();
    setError(null);
  }, [waId]);

  const run = async (body: SayBody) => {
    setBusy(true);
    setError(null);
    try {
      await onSay(body);
      return true;
    } catch (e) {
      setError(fieldError(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const sendText = async () => {
    const value = text.trim();
    if (!value || busy) return;
    if (await run({ type: 'text', text: value, ...(name ? { name } : {}) })) setText('');
    inputRef.current?.focus();
  };
  const sendLocation = async () => {
    const latitude = Number(loc.lat);
    const longitude = Number(loc.lon);
    if (await run({ type: 'location', latitude, longitude, ...(loc.name.trim() ? { text: loc.name.trim() } : {}), ...(name ? { name } : {}) }))
      setLocOpen(false);
  };

  const convId = chat.data?.conversation_id;
  return (
    <div className="flex h-full min-h-0 flex-col overflow-hidden bg-[#efeae2] dark:bg-[#0b141a]">
      <div className="flex h-14 shrink-0 items-center gap-2 bg-[#008069] px-2 text-white dark:bg-[#202c33] dark:text-[#e9edef]">
        {onBack && (
          <button type="button" onClick={onBack} aria-label={t('simulator.back')} className="focus-ring rounded-full p-1.5 hover:bg-white/10">
            <ArrowLeft className="size-5" />
          </button>
        )}
        <span className="flex size-9 shrink-0 items-center justify-center rounded-full bg-white/20 text-xs font-semibold">SM</span>
        <div className="min-w-0 flex-1">
          <p data-testid="sim-business-number" className="truncate text-[15px] leading-tight font-medium">
            {display}
          </p>
          <p className="text-xs leading-tight opacity-80">{t('simulator.online')}</p>
        </div>
        {convId && (
          <Link to={`/inbox/${convId}`} target="_blank" title={t('simulator.inInbox')} aria-label={t('simulator.inInbox')} className="focus-ring rounded-full p-2 hover:bg-white/10">
            <ExternalLink className="size-4" />
          </Link>
        )}
      </div>
      <div ref={scrollRef} data-testid="sim-thread" data-wa-id={waId} className="min-h-0 flex-1 overflow-y-auto px-3 py-3">
        {chat.isPending ? (
          <div className="flex h-full items-center justify-center">
            <Spinner />
          </div>
        ) : chat.isError ? (
          <p className="p-4 text-center text-sm text-red-700 dark:text-red-300">{errorMessage(chat.error)}</p>
        ) : messages.length === 0 ? (
          <p className="mx-auto mt-6 max-w-60 rounded-lg bg-[#fff5c4] px-3 py-2 text-center text-xs text-[#54656f] dark:bg-[#182229] dark:text-[#ffd279]">
            {t('simulator.noMessages')}
          </p>
        ) : (
          messages.map((m) => <SimBubble key={m.id} m={m} busy={busy} onTap={(b) => void run({ type: 'button_reply', id: b.id, title: b.title })} />)
        )}
      </div>
      {locOpen && (
        <div className="grid shrink-0 grid-cols-[1fr_1fr] gap-1.5 bg-[#f0f2f5] px-2 pt-2 dark:bg-[#202c33]">
          {(['lat', 'lon'] as const).map((k) => (
            <input
              key={k}
              value={loc[k]}
              inputMode="decimal"
              aria-label={t(k === 'lat' ? 'simulator.latitude' : 'simulator.longitude')}
              placeholder={t(k === 'lat' ? 'simulator.latitude' : 'simulator.longitude')}
              onChange={(e) => setLoc({ ...loc, [k]: e.target.value })}
              className="h-9 rounded-lg bg-white px-3 text-sm text-[#111b21] focus:outline-none dark:bg-[#2a3942] dark:text-[#e9edef]"
            />
          ))}
          <input
            value={loc.name}
            placeholder={t('simulator.placeName')}
            aria-label={t('simulator.placeName')}
            onChange={(e) => setLoc({ ...loc, name: e.target.value })}
            className="h-9 rounded-lg bg-white px-3 text-sm text-[#111b21] focus:outline-none dark:bg-[#2a3942] dark:text-[#e9edef]"
          />
          <button type="button" data-testid="sim-send-location" onClick={sendLocation} disabled={busy} className="focus-ring h-9 rounded-lg bg-[#00a884] text-sm font-medium text-white disabled:opacity-60">
            {t('simulator.sendLocation')}
          </button>
        </div>
      )}
      {error && <p role="alert" className="shrink-0 bg-[#f0f2f5] px-3 pt-1.5 text-xs text-red-700 dark:bg-[#202c33] dark:text-red-300">{error}</p>}
      <div className="flex shrink-0 items-end gap-1.5 bg-[#f0f2f5] p-2 dark:bg-[#202c33]">
        <button
          type="button"
          onClick={() => setLocOpen((o) => !o)}
          aria-pressed={locOpen}
          aria-label={t('simulator.sendLocation')}
          title={t('simulator.sendLocation')}
          className="focus-ring rounded-full p-2.5 text-[#54656f] hover:bg-black/5 dark:text-[#8696a0] dark:hover:bg-white/5"
        >
          <MapPin className="size-5" />
        </button>
        <textarea
          ref={inputRef}
          data-testid="sim-input"
          rows={1}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void sendText();
            }
          }}
          placeholder={t('simulator.placeholder')}
          aria-label={t('simulator.placeholder')}
          style={{ fieldSizing: 'content' } as React.CSSProperties}
          className="max-h-32 min-h-10 flex-1 resize-none rounded-3xl bg-white px-4 py-2.5 text-[15px] text-[#111b21] placeholder:text-[#667781] focus:outline-none dark:bg-[#2a3942] dark:text-[#e9edef] dark:placeholder:text-[#8696a0]"
        />
        <button
          type="button"
          data-testid="sim-send"
          onClick={() => void sendText()}
          disabled={busy || !text.trim()}
          aria-label={t('simulator.send')}
          className="focus-ring flex size-10 shrink-0 items-center justify-center rounded-full bg-[#00a884] text-white hover:bg-[#06cf9c] disabled:opacity-60"
        >
          <SendHorizontal className="size-5" />
        </button>
      </div>
    </div>
  );
}
