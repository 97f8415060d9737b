// The body of a bubble, per message type.
import { Download, ExternalLink, FileText, MapPin, UserRound } from 'lucide-react';
import { useState } from 'react';
import { t } from '../../lib/i18n';
import { Lightbox } from './Lightbox';
import { MediaState, mediaMissing } from './MediaState';
import { Linkified } from './Linkified';
import type { Message } from './types';

const linkClass = 'font-medium text-brand-700 underline-offset-2 hover:underline dark:text-brand-300';

function Caption({ text }: { text?: string | null }) {
  return text ? (
    <p className="mt-1.5 break-words whitespace-pre-wrap">
      <Linkified text={text} />
    </p>
  ) : null;
}

function ImageBody({ m }: { m: Message }) {
  const [open, setOpen] = useState(false);
  const url = m.media?.url;
  if (!url) return <p className="italic opacity-70">{t('msgType.image')}</p>;
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} className="focus-ring block overflow-hidden rounded-lg" aria-label={t('thread.openImage')}>
        <img
          src={url}
          alt={m.media?.caption ?? t('msgType.image')}
          loading="lazy"
          className={m.type === 'sticker' ? 'size-32 object-contain' : 'max-h-72 max-w-full rounded-lg bg-subtle object-cover'}
        />
      </button>
      {m.type !== 'sticker' && <Caption text={m.media?.caption} />}
      {open && <Lightbox src={url} alt={m.media?.caption ?? ''} onClose={() => setOpen(false)} />}
    </>
  );
}

function DocumentBody({ m }: { m: Message }) {
  const name = m.media?.filename || (m.details.filename as string | undefined) || m.text || t('msgType.document');
  return (
    <>
      <a
        href={m.media?.url}
        download={name}
        target="_blank"
        rel="noreferrer"
        className="focus-ring flex items-center gap-3 rounded-lg border border-black/5 bg-black/[.03] px-3 py-2 hover:bg-black/[.06] dark:border-white/10 dark:bg-white/5 dark:hover:bg-white/10"
      >
        <FileText aria-hidden className="size-8 shrink-0 text-brand-600 dark:text-brand-300" />
        <span className="min-w-0 flex-1">
          <span className="block truncate text-sm font-medium">{name}</span>
          <span className="block text-xs opacity-70">{m.media?.mime_type ?? ''}</span>
        </span>
        <Download aria-label={t('thread.download')} className="size-4 shrink-0 opacity-70" />
      </a>
      <Caption text={m.media?.caption} />
    </>
  );
}

function LocationBody({ m }: { m: Message }) {
  const { latitude, longitude, name, address } = m.details as { latitude?: number; longitude?: number; name?: string; address?: string };
  const has = typeof latitude === 'number' && typeof longitude === 'number';
  const osm = has ? `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}` : null;
  return (
    <div className="flex gap-2.5">
      <MapPin aria-hidden className="mt-0.5 size-5 shrink-0 text-red-500" />
      <div className="min-w-0">
        {name && <p className="font-medium">{name}</p>}
        {address && <p className="text-xs opacity-80">{address}</p>}
        {has && (
          <p className="font-mono text-xs opacity-70">
            {latitude!.toFixed(5)}, {longitude!.toFixed(5)}
          </p>
        )}
        {osm && (
          <a href={osm} target="_blank" rel="noreferrer noopener" className={`${linkClass} mt-1 inline-flex items-center gap-1 text-xs`}>
            {t('thread.openMap')}
            <ExternalLink aria-hidden className="size-3" />
          </a>
        )}
      </div>
    </div>
  );
}

interface Card {
  name?: string;
  org?: string | null;
  phones?: { phone?: string; wa_id?: string; type?: string }[];
  emails?: (string | { email?: string })[];
}

function ContactsBody({ m }: { m: Message }) {
  const cards = (m.details.contacts as Card[] | undefined) ?? [];
  return (
    <div className="space-y-2">
      {cards.map((c, i) => (
        <div key={i} className="flex gap-2.5 rounded-lg border border-black/5 bg-black/[.03] px-3 py-2 dark:border-white/10 dark:bg-white/5">
          <UserRound aria-hidden className="mt-0.5 size-5 shrink-0 opacity-70" />
          <div className="min-w-0 text-sm">
            <p className="font-medium">{c.name || t('common.unknown')}</p>
            {c.org && <p className="text-xs opacity-80">{c.org}</p>}
            {c.phones?.map((p, j) => (
              <p key={j} className="text-xs">
                {p.phone ?? p.wa_id} {p.type && <span className="opacity-60">· {p.type}</span>}
              </p>
            ))}
            {c.emails?.map((e, j) => (
              <p key={j} className="text-xs opacity-80">
                {typeof e === 'string' ? e : e.email}
              </p>
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}

interface Interactive {
  type?: string;
  id?: string;
  title?: string;
  description?: string;
  body?: string | { text?: string };
  button?: string;
  buttons?: { id?: string; title?: string; reply?: { id?: string; title?: string } }[];
  sections?: { title?: string; rows?: { id?: string; title?: string; description?: string }[] }[];
  action?: { buttons?: Interactive['buttons']; button?: string; sections?: Interactive['sections'] };
}

const chip = 'rounded-lg border border-black/10 bg-white/60 px-3 py-1.5 text-center text-xs font-medium text-sky-700 dark:border-white/10 dark:bg-white/5 dark:text-sky-300';

function InteractiveBody({ m }: { m: Message }) {
  const it = (m.details.interactive ?? {}) as Interactive;
  if (it.type === 'button_reply' || it.type === 'list_reply') {
    return (
      <div>
        <p className="text-[11px] tracking-wide uppercase opacity-60">{t(it.type === 'button_reply' ? 'thread.tappedButton' : 'thread.pickedRow')}</p>
        <p className="font-medium">{it.title ?? m.text}</p>
        {it.description && <p className="text-xs opacity-75">{it.description}</p>}
      </div>
    );
  }
  const body = typeof it.body === 'string' ? it.body : (it.body?.text ?? m.text);
  const buttons = it.buttons ?? it.action?.buttons ?? [];
  const sections = it.sections ?? it.action?.sections ?? [];
  return (
    <div>
      <p className="break-words whitespace-pre-wrap">{body}</p>
      {buttons.length > 0 && (
        <div className="mt-2 flex flex-col gap-1">
          {buttons.map((b, i) => (
            <span key={i} className={chip}>
              {b.title ?? b.reply?.title}
            </span>
          ))}
        </div>
      )}
      {sections.length > 0 && (
        <div className="mt-2 space-y-1">
          <span className={`${chip} block`}>{it.button ?? it.action?.button ?? t('thread.list')}</span>
          {sections.map((s, i) => (
            <div key={i} className="text-xs">
              {s.title && <p className="mt-1 font-semibold opacity-70">{s.title}</p>}
              <ul className="list-inside list-disc opacity-90">
                {s.rows?.map((r, j) => (
                  <li key={j}>
                    {r.title}
                    {r.description && <span className="opacity-60"> — {r.description}</span>}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

interface OrderItem {
  product_retailer_id?: string;
  quantity?: number;
  item_price?: number;
  currency?: string;
}

/** A cart sent from the catalog: its items, their quantities and prices, and the total. */
function OrderBody({ m }: { m: Message }) {
  const items = (Array.isArray(m.details.items) ? m.details.items : []) as OrderItem[];
  const money = (n: number, currency?: string) => {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'USD' }).format(n);
    } catch {
      return `${n} ${currency ?? ''}`.trim();
    }
  };
  const currencies = new Set(items.map((i) => i.currency));
  const total = items.reduce((sum, i) => sum + (i.quantity ?? 0) * (i.item_price ?? 0), 0);
  const note = m.text && !/^Order of \d+ item/.test(m.text) ? m.text : null;
  return (
    <div data-testid="order-body">
      <p className="text-[11px] tracking-wide uppercase opacity-60">{t('msgType.order')}</p>
      <ul className="mt-1 space-y-0.5 text-sm">
        {items.map((i, n) => (
          <li key={n} className="flex justify-between gap-3">
            <span className="min-w-0 break-words">
              {i.quantity ?? 1} × {i.product_retailer_id}
            </span>
            <span className="shrink-0 tabular-nums">{money((i.quantity ?? 1) * (i.item_price ?? 0), i.currency)}</span>
          </li>
        ))}
      </ul>
      {items.length > 1 && currencies.size === 1 && (
        <p className="mt-1 flex justify-between gap-3 border-t border-current/10 pt-1 text-sm font-semibold">
          <span>{t('thread.orderTotal')}</span>
          <span className="tabular-nums">{money(total, items[0].currency)}</span>
        </p>
      )}
      {note && <p className="mt-1 break-words whitespace-pre-wrap italic opacity-80">{note}</p>}
    </div>
  );
}

function TemplateBody({ m }: { m: Message }) {
  const tpl = (m.details.template ?? {}) as { name?: string; language?: string; parameters?: unknown[] };
  const params = Array.isArray(tpl.parameters) ? tpl.parameters : [];
  return (
    <div>
      <p className="flex min-w-0 items-center gap-1.5 text-[11px] opacity-70">
        <FileText aria-hidden className="size-3 shrink-0" />
        <span className="truncate font-semibold">{t('thread.template', { name: tpl.name ?? '?' })}</span>
        {tpl.language && <span className="shrink-0 whitespace-nowrap">· {tpl.language}</span>}
      </p>
      {m.text ? (
        <p className="mt-1 break-words whitespace-pre-wrap">
          <Linkified text={m.text} />
        </p>
      ) : (
        params.length > 0 && (
          <ol className="mt-1 list-inside list-decimal text-xs opacity-80">
            {params.map((p, i) => (
              <li key={i}>{typeof p === 'string' ? p : JSON.stringify(p)}</li>
            ))}
          </ol>
        )
      )}
    </div>
  );
}

export function MessageContent({ m }: { m: Message }) {
  // Until the file is stored, its URL answers 409 (or 404 once given up):
  // an <img> or a link to it would show broken and never ask again.
  if (mediaMissing(m)) {
    return (
      <>
        <MediaState m={m} />
        {m.type !== 'sticker' && <Caption text={m.media?.caption} />}
      </>
    );
  }
  switch (m.type) {
    case 'image':
    case 'sticker':
      return <ImageBody m={m} />;
    case 'video':
      return (
        <>
          {m.media?.url && <video src={m.media.url} controls preload="metadata" className="max-h-72 max-w-full rounded-lg bg-black" />}
          <Caption text={m.media?.caption} />
        </>
      );
    case 'audio':
      return m.media?.url ? <audio src={m.media.url} controls preload="none" className="h-10 w-64 max-w-full" /> : null;
    case 'document':
      return <DocumentBody m={m} />;
    case 'location':
      return <LocationBody m={m} />;
    case 'contacts':
      return <ContactsBody m={m} />;
    case 'interactive':
      return <InteractiveBody m={m} />;
    case 'button':
      return (
        <div>
          <p className="text-[11px] tracking-wide uppercase opacity-60">{t('thread.tappedButton')}</p>
          <p className="font-medium">{m.text || String(m.details.payload ?? '')}</p>
        </div>
      );
    case 'template':
      return <TemplateBody m={m} />;
    case 'order':
      return <OrderBody m={m} />;
    default:
      return (
        <p className="break-words whitespace-pre-wrap">
          <Linkified text={m.text} />
        </p>
      );
  }
}
