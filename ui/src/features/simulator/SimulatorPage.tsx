import { useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import clsx from 'clsx';
import { Smartphone, UserPlus } from 'lucide-react';
import { Avatar } from '../../components/Avatar';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Input, Select } from '../../components/Input';
import { Spinner } from '../../components/Spinner';
import { api, ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useFrames } from '../../lib/realtime';
import { useMediaQuery } from '../../lib/useMediaQuery';
import { useNumbers } from '../inbox/api';
import { numbersKey } from '../inbox/keys';
import { listTime, previewText } from '../inbox/format';
import { chatKey, chatsKey, say, useSimChats, type SayBody, type SimChat } from './api';
import { Phone } from './Phone';

export default function SimulatorPage() {
  const qc = useQueryClient();
  const numbers = useNumbers();
  const sandboxes = useMemo(() => (numbers.data?.items ?? []).filter((n) => n.sandbox), [numbers.data]);
  const [params, setParams] = useSearchParams();
  const numberId = params.get('number') ?? sandboxes[0]?.id;
  const waId = params.get('chat');
  const number = sandboxes.find((n) => n.id === numberId);
  const chats = useSimChats(number?.id);
  const [names, setNames] = useState<Record<string, string>>({});
  const [phone, setPhone] = useState('');
  const [name, setName] = useState('');
  const wide = useMediaQuery('(min-width: 768px)');
  const timer = useRef<number | undefined>(undefined);

  const select = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };

  const list: SimChat[] = useMemo(() => {
    const items = chats.data?.items ?? [];
    if (waId && !items.some((c) => c.wa_id === waId))
      return [{ wa_id: waId, name: names[waId] ?? '', conversation_id: null, last_message: null, updated_at: '' }, ...items];
    return items;
  }, [chats.data, waId, names]);
  const open = list.find((c) => c.wa_id === waId);

  const refresh = (all: boolean) => {
    if (!number) return;
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      qc.invalidateQueries({ queryKey: chatsKey(number.id) });
      if (waId) qc.invalidateQueries({ queryKey: chatKey(number.id, waId) });
    }, all ? 0 : 150);
  };

  useFrames(
    (f) => {
      const cid = (f.data as { conversation_id?: string }).conversation_id;
      if (!cid || !f.type.startsWith('message.') && !f.type.startsWith('conversation.')) return;
      const ours = (chats.data?.items ?? []).some((c) => c.conversation_id === cid);
      if (ours || !open?.conversation_id || open.conversation_id === cid) refresh(false);
    },
    () => refresh(true),
  );

  const [adding, setAdding] = useState(false);
  const addSandbox = async () => {
    setAdding(true);
    try {
      await api.post('/api/whatsapp/numbers', { sandbox: true });
      await qc.invalidateQueries({ queryKey: numbersKey });
    } finally {
      setAdding(false);
    }
  };

  const onSay = async (body: SayBody) => {
    if (!number || !waId) return;
    await say(number.id, waId, body);
    refresh(true);
  };

  const start = (e: React.FormEvent) => {
    e.preventDefault();
    const digits = phone.replace(/\D/g, '');
    if (digits.length < 6 || digits.length > 15) return;
    if (name.trim()) setNames((n) => ({ ...n, [digits]: name.trim() }));
    select({ chat: digits });
    setPhone('');
    setName('');
  };

  if (numbers.isPending) return <Spinner className="m-8" label={t('app.loading')} />;
  if (numbers.isError) return <p className="p-8 text-sm text-red-600">{errorMessage(numbers.error)}</p>;
  if (!number)
    return (
      <EmptyState
        icon={Smartphone}
        title={t('simulator.title')}
        body={t('simulator.noSandbox')}
        className="py-20"
        action={
          <Button data-testid="sim-add-sandbox" disabled={adding} onClick={addSandbox}>
            {t('simulator.addSandbox')}
          </Button>
        }
      />
    );

  const unavailable = chats.error instanceof ApiError && chats.error.code === 'route_not_found';
  const showList = wide || !waId;
  const showPhone = wide || Boolean(waId);

  return (
    <div className="flex h-full min-h-0">
      {showList && (
        <div className="flex min-h-0 w-full flex-col border-r border-line bg-surface md:w-80 md:shrink-0">
          <div className="space-y-3 border-b border-line p-4">
            <div>
              <h1 className="text-base font-semibold text-fg">{t('simulator.title')}</h1>
              <p className="mt-0.5 text-xs text-muted">{t('simulator.subtitle')}</p>
            </div>
            <Select data-testid="sim-number" aria-label={t('simulator.number')} value={number.id} onChange={(e) => select({ number: e.target.value, chat: null })}>
              {sandboxes.map((n) => (
                <option key={n.id} value={n.id}>
                  {n.display_phone_number}
                </option>
              ))}
            </Select>
            <form onSubmit={start} className="space-y-2 rounded-lg border border-line bg-canvas p-3">
              <p className="flex items-center gap-1.5 text-xs font-semibold text-fg">
                <UserPlus aria-hidden className="size-3.5" />
                {t('simulator.newCustomer')}
              </p>
              <Input data-testid="sim-new-phone" inputMode="tel" value={phone} onChange={(e) => setPhone(e.target.value)} placeholder={t('simulator.phone')} aria-label={t('simulator.phone')} title={t('simulator.phoneHint')} className="h-9" />
              <Input data-testid="sim-new-name" value={name} onChange={(e) => setName(e.target.value)} placeholder={t('simulator.name')} aria-label={t('simulator.name')} className="h-9" />
              <Button type="submit" size="sm" data-testid="sim-new-start" className="w-full" disabled={phone.replace(/\D/g, '').length < 6}>
                {t('simulator.start')}
              </Button>
            </form>
          </div>
          <p className="px-4 pt-3 pb-1 text-[11px] font-medium tracking-wide text-faint uppercase">{t('simulator.customers')}</p>
          <div className="min-h-0 flex-1 overflow-y-auto">
            {unavailable ? (
              <p className="px-4 py-6 text-sm text-muted">{t('simulator.unavailable')}</p>
            ) : chats.isPending ? (
              <Spinner className="m-4" />
            ) : list.length === 0 ? (
              <p className="px-4 py-6 text-sm text-muted">{t('simulator.noChats')}</p>
            ) : (
              list.map((c) => {
                const label = c.name || names[c.wa_id] || `+${c.wa_id}`;
                return (
                  <button
                    key={c.wa_id}
                    type="button"
                    data-testid="sim-chat"
                    data-wa-id={c.wa_id}
                    data-active={c.wa_id === waId ? 'true' : 'false'}
                    onClick={() => select({ chat: c.wa_id })}
                    className={clsx('focus-ring flex w-full items-center gap-3 px-4 py-2.5 text-left', c.wa_id === waId ? 'bg-brand-50 dark:bg-brand-950/60' : 'hover:bg-subtle')}
                  >
                    <Avatar name={label} className="size-9" />
                    <span className="min-w-0 flex-1">
                      <span className="flex items-baseline gap-2">
                        <span className="min-w-0 flex-1 truncate text-sm font-medium text-fg">{label}</span>
                        <span className="shrink-0 text-[11px] text-faint">{listTime(c.last_message?.created_at)}</span>
                      </span>
                      <span className="block truncate text-xs text-muted">{c.last_message ? previewText(c.last_message) : `+${c.wa_id}`}</span>
                    </span>
                  </button>
                );
              })
            )}
          </div>
        </div>
      )}
      {showPhone && (
        <div className="flex min-h-0 min-w-0 flex-1 items-stretch justify-center bg-canvas md:p-6">
          <div className="flex h-full w-full max-w-[420px] flex-col overflow-hidden md:rounded-[2rem] md:border-[10px] md:border-zinc-900 md:shadow-2xl dark:md:border-zinc-700">
            {waId && open ? (
              <Phone
                numberId={number.id}
                display={number.display_phone_number}
                waId={waId}
                name={names[waId] ?? ''}
                onSay={onSay}
                onBack={wide ? undefined : () => select({ chat: null })}
              />
            ) : (
              <div className="flex h-full flex-col items-center justify-center gap-3 bg-[#efeae2] p-6 text-center text-sm text-[#54656f] dark:bg-[#0b141a] dark:text-[#8696a0]">
                <Smartphone aria-hidden className="size-8" />
                {t('simulator.pickChat')}
              </div>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
