import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { FastForward, RotateCcw, SendHorizontal, X } from 'lucide-react';
import { Badge, type Tone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { FormError } from '../../components/Field';
import { Spinner } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { t, type MessageKey } from '../../lib/i18n';
import { sim } from './api';
import { formatDuration } from './nodeDefs';
import { SimBubble } from './SimBubble';
import type { SimReply, SimStep } from './types';

const TONES: Record<string, Tone> = { running: 'blue', waiting_input: 'brand', waiting_timer: 'amber', completed: 'neutral', failed: 'red', cancelled: 'neutral', expired: 'neutral' };

interface Props {
  flowId: string;
  /** Saves the draft first: the server simulates what it has. */
  flush: () => Promise<void>;
  onStep: (step: SimStep | null) => void;
  onClose: () => void;
}

/** Runs the draft on the server's engine and shows the chat it produces. */
export function SimPanel({ flowId, flush, onStep, onClose }: Props) {
  const [session, setSession] = useState<string | null>(null);
  const [step, setStep] = useState<SimStep | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const sessionRef = useRef<string | null>(null);
  const end = useRef<HTMLDivElement>(null);

  const apply = useCallback((s: SimStep) => {
    setStep(s);
    onStep(s);
  }, [onStep]);

  const run = useCallback(async (fn: () => Promise<SimStep>) => {
    setBusy(true);
    setError(null);
    try {
      apply(await fn());
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }, [apply]);

  // Each start (and the closing of the panel) makes the previous session obsolete.
  const gen = useRef(0);
  const start = useCallback(async () => {
    const my = ++gen.current;
    const old = sessionRef.current;
    sessionRef.current = null;
    setSession(null);
    if (old) void sim.stop(old).catch(() => undefined);
    setBusy(true);
    setError(null);
    try {
      await flush();
      const s = await sim.start(flowId);
      if (my !== gen.current) {
        void sim.stop(s.session_id).catch(() => undefined);
        return;
      }
      sessionRef.current = s.session_id;
      setSession(s.session_id);
      apply(s);
    } catch (e) {
      if (my === gen.current) setError(errorMessage(e));
    } finally {
      if (my === gen.current) setBusy(false);
    }
  }, [flowId, flush, apply]);

  useEffect(() => {
    void start();
    return () => {
      gen.current++;
      if (sessionRef.current) void sim.stop(sessionRef.current).catch(() => undefined);
      sessionRef.current = null;
      onStep(null);
    };
    // once per opening of the panel (Restart starts again)
  }, []);

  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [step?.messages?.length]);

  const send = (e: FormEvent) => {
    e.preventDefault();
    const v = text.trim();
    if (!v || !session) return;
    setText('');
    void run(() => sim.input(session, { text: v }));
  };
  const tap = (r: SimReply) => session && void run(() => sim.input(session, { reply_id: r.id }));
  const wait = step?.next_timer_at ? Math.max(1, Math.ceil((Date.parse(step.next_timer_at) - Date.parse(step.clock)) / 1000)) : null;
  const skip = () => session && wait && void run(() => sim.advance(session, wait));
  const vars = Object.entries(step?.variables ?? {});
  const canReply = !busy && step?.state === 'waiting_input';

  return (
    <section data-testid="sim-panel" data-state={step?.state ?? ''} aria-label={t('flows.sim.title')} className="flex h-full flex-col">
      <div className="flex items-center gap-2 border-b border-line px-4 py-3">
        <h2 className="flex-1 text-sm font-semibold text-fg">{t('flows.sim.title')}</h2>
        {step && <Badge tone={TONES[step.state] ?? 'neutral'}><span data-testid="sim-state">{t(`flows.sim.state.${step.state}` as MessageKey)}</span></Badge>}
        <Button variant="ghost" size="icon" aria-label={t('flows.sim.restart')} title={t('flows.sim.restart')} data-testid="sim-restart" onClick={() => void start()} disabled={busy}>
          <RotateCcw />
        </Button>
        <Button variant="ghost" size="icon" aria-label={t('common.close')} onClick={onClose}>
          <X />
        </Button>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto bg-[#efeae2] px-3 py-3 dark:bg-[#0b141a]">
        {!step && busy && <Spinner label={t('flows.sim.starting')} />}
        {(step?.messages ?? []).map((m, i) => <SimBubble key={i} m={m} onTap={tap} canReply={canReply} />)}
        {step && (step.messages ?? []).length === 0 && <p className="py-6 text-center text-xs text-[#667781]">{t('flows.sim.empty')}</p>}
        {step && ['completed', 'failed', 'cancelled', 'expired'].includes(step.state) && (
          <p className="py-3 text-center text-xs text-[#667781] dark:text-[#8696a0]">{t(`flows.sim.end.${step.state}` as MessageKey)}</p>
        )}
        <div ref={end} />
      </div>
      {(error || step?.error) && <div className="px-3 pt-2"><FormError testId="sim-error" message={error ?? step?.error} /></div>}
      {wait && (
        <div className="border-t border-line px-3 pt-2">
          <Button variant="secondary" size="sm" className="w-full" data-testid="sim-skip" onClick={skip} disabled={busy}>
            <FastForward aria-hidden />
            {t('flows.sim.skip', { d: formatDuration(wait) })}
          </Button>
        </div>
      )}
      <form onSubmit={send} className="flex gap-2 p-3">
        <input
          data-testid="sim-input"
          aria-label={t('flows.sim.input')}
          placeholder={t('flows.sim.input')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          className="h-9 min-w-0 flex-1 rounded-full border border-line-strong bg-surface px-3.5 text-sm text-fg focus:border-brand-500 focus:ring-3 focus:ring-brand-500/20 focus:outline-none"
        />
        <Button type="submit" size="icon" aria-label={t('flows.sim.send')} data-testid="sim-send" disabled={busy || !session} className="rounded-full">
          <SendHorizontal />
        </Button>
      </form>
      <details className="border-t border-line px-4 py-2 text-xs" open={vars.length > 0}>
        <summary className="cursor-pointer font-medium text-muted">{t('flows.sim.variables', { n: vars.length })}</summary>
        <dl data-testid="sim-variables" className="mt-1.5 max-h-32 space-y-0.5 overflow-y-auto font-mono">
          {vars.map(([k, v]) => (
            <div key={k} className="flex gap-2">
              <dt className="text-faint">{k}</dt>
              <dd className="min-w-0 truncate text-fg">{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
            </div>
          ))}
        </dl>
      </details>
    </section>
  );
}
