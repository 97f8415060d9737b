import { Skeleton } from '../../components/Spinner';
import { t } from '../../lib/i18n';
import type { InvitePool, PoolChoice } from './invitesApi';

interface Props {
  choices: PoolChoice[] | undefined;
  value: InvitePool[];
  onChange: (pools: InvitePool[]) => void;
  error?: string;
}

/** Channels whose pool the new member joins, each with a weight 1–100. */
export function InvitePools({ choices, value, onChange, error }: Props) {
  const picked = new Map(value.map((p) => [p.channel_id, p.weight]));
  const toggle = (id: string, on: boolean) =>
    onChange(on ? [...value, { channel_id: id, weight: 1 }] : value.filter((p) => p.channel_id !== id));
  const setWeight = (id: string, w: number) =>
    onChange(value.map((p) => (p.channel_id === id ? { ...p, weight: w } : p)));

  return (
    <fieldset className="space-y-1.5">
      <legend className="text-sm font-medium text-fg">{t('invite.pools')}</legend>
      <p className="text-xs text-muted">{t('invite.poolsHint')}</p>
      {!choices ? (
        <Skeleton className="h-10 w-full" />
      ) : (
        <ul className="divide-y divide-line rounded-lg border border-line">
          {choices.map((c) => {
            const on = picked.has(c.id);
            const inputId = `pool-${c.id.replace(/[^a-z0-9]/gi, '-')}`;
            return (
              <li key={c.id} data-testid="invite-pool" data-channel-id={c.id} className="flex items-center gap-3 px-3 py-2">
                <input
                  id={inputId}
                  type="checkbox"
                  checked={on}
                  onChange={(e) => toggle(c.id, e.target.checked)}
                  className="focus-ring size-4 shrink-0 cursor-pointer rounded accent-brand-600 dark:accent-brand-500"
                />
                <label htmlFor={inputId} className="min-w-0 flex-1 cursor-pointer">
                  <span className="block truncate text-sm text-fg">{c.label}</span>
                  <span className="block text-xs text-muted">{c.kind}</span>
                </label>
                {on && (
                  <label className="flex shrink-0 items-center gap-1.5 text-xs text-muted">
                    {t('invite.weight')}
                    <input
                      type="number"
                      min={1}
                      max={100}
                      data-testid="invite-pool-weight"
                      value={picked.get(c.id) ?? 1}
                      onChange={(e) => setWeight(c.id, Math.max(1, Math.min(100, Math.round(Number(e.target.value) || 1))))}
                      className="h-8 w-16 rounded-md border border-line-strong bg-surface px-2 text-sm text-fg focus:border-brand-500 focus:ring-3 focus:ring-brand-500/20 focus:outline-none"
                    />
                  </label>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {error && <p className="text-xs font-medium text-red-600 dark:text-red-400">{error}</p>}
    </fieldset>
  );
}
