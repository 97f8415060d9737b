import { useMemo, useState } from 'react';
import clsx from 'clsx';
import { Button } from '../../components/Button';
import { Checkbox } from '../../components/Checkbox';
import { FormError } from '../../components/Field';
import { Select } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { ApiError, errorMessage } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { t, type MessageKey } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { teamAccess } from '../team/access';
import { useTeams } from '../team/api';
import { sentence } from '../../lib/validate';
import { useSavePool, useSetAvailability } from './api';
import { PoolMemberRow, type DraftSlot } from './PoolMemberRow';
import { PoolPreview } from './PoolPreview';
import { POOL_MODES, WHEN_NOBODY, type Pool, type PoolMode, type PoolRef, type WhenNobody } from './types';

interface Draft {
  mode: PoolMode;
  when_nobody: WhenNobody;
  sticky: boolean;
  reopen_reassign: boolean;
  members: DraftSlot[];
}

const toDraft = (p: Pool): Draft => ({
  mode: p.mode,
  when_nobody: p.when_nobody,
  sticky: p.sticky ?? true,
  reopen_reassign: p.reopen_reassign ?? false,
  members: p.members.map((m) => ({ member_id: m.member_id, weight: String(m.weight) })),
});

const parseWeight = (w: string) => (/^\s*\d+\s*$/.test(w) && +w >= 1 && +w <= 100 ? +w : null);

const FIELD_LABEL: Record<string, MessageKey> = {
  'members.weight': 'pool.weight',
  'members.member_id': 'pool.members',
  members: 'pool.members',
  mode: 'pool.mode',
  when_nobody: 'pool.whenNobody',
  sticky: 'pool.sticky',
  reopen_reassign: 'pool.reopen',
};

/** Server validation details as readable lines ("Weight: must be 1 to 100"). */
function serverError(e: unknown): string {
  if (e instanceof ApiError && e.status === 403) return t('pool.forbidden');
  if (e instanceof ApiError && e.details?.length)
    return e.details
      .map((d) => (d.field && FIELD_LABEL[d.field] ? `${t(FIELD_LABEL[d.field])}: ${d.message}` : sentence(d.message)))
      .join(' · ');
  return errorMessage(e);
}

interface Props {
  poolRef: PoolRef;
  pool: Pool;
  members: Member[];
  onClose: () => void;
}

export function PoolEditor({ poolRef, pool, members, onClose }: Props) {
  const numberId = poolRef.id;
  const session = useSession();
  const toast = useToast();
  const teams = useTeams();
  const save = useSavePool(poolRef);
  const availability = useSetAvailability();
  const [draft, setDraft] = useState<Draft>(() => toDraft(pool));
  const [error, setError] = useState<string | null>(null);
  const [showErrors, setShowErrors] = useState(false);
  const access = teamAccess(session, teams.data?.items ?? []);
  const me = session.member?.id;
  const weighted = draft.mode === 'weighted';
  const byId = useMemo(() => new Map(members.map((m) => [m.id, m])), [members]);

  const slots = draft.members.map((s) => ({ member_id: s.member_id, weight: parseWeight(s.weight) ?? 1 }));
  const availableWeight = slots.filter((s) => byId.get(s.member_id)?.available).reduce((a, s) => a + s.weight, 0);
  const candidates = members.filter((m) => !draft.members.some((s) => s.member_id === m.id));
  const weightErrors = draft.members.map((s) => (weighted && parseWeight(s.weight) === null ? t('pool.weightInvalid') : undefined));

  const patch = (p: Partial<Draft>) => setDraft((d) => ({ ...d, ...p }));
  const setSlot = (i: number, s: DraftSlot | null) =>
    setDraft((d) => ({ ...d, members: s ? d.members.map((x, j) => (j === i ? s : x)) : d.members.filter((_, j) => j !== i) }));

  function submit() {
    setShowErrors(true);
    setError(null);
    if (weightErrors.some(Boolean)) return;
    // An older server reports no options and refuses unknown fields: send them when it knows them or they were changed.
    const options =
      pool.sticky !== undefined || pool.reopen_reassign !== undefined || !draft.sticky || draft.reopen_reassign
        ? { sticky: draft.sticky, reopen_reassign: draft.reopen_reassign }
        : {};
    save.mutate(
      { mode: draft.mode, when_nobody: draft.when_nobody, ...options, members: slots },
      {
        onSuccess: (saved) => {
          setDraft(toDraft(saved));
          setShowErrors(false);
          toast.success(t('pool.saved'));
        },
        onError: (e) => setError(serverError(e)),
      },
    );
  }

  return (
    <div data-testid="pool-editor" className="space-y-5">
      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="min-w-0 space-y-2">
          <h3 className="text-sm font-medium text-fg">{t('pool.members')}</h3>
          {draft.members.length === 0 ? (
            <p className="rounded-lg border border-dashed border-line-strong px-3 py-4 text-center text-sm text-muted">{t('pool.membersEmpty')}</p>
          ) : (
            <ul className="divide-y divide-line border-y border-line">
              {draft.members.map((s, i) => {
                const m = byId.get(s.member_id);
                const w = slots[i].weight;
                return (
                  <PoolMemberRow
                    key={s.member_id}
                    slot={s}
                    member={m}
                    isMe={s.member_id === me}
                    weighted={weighted}
                    share={m?.available && availableWeight ? w / availableWeight : null}
                    weightError={showErrors || parseWeight(s.weight) === null && s.weight !== '' ? weightErrors[i] : undefined}
                    canToggle={Boolean(m && (m.id === me || access.canManage(m)))}
                    toggling={availability.isPending && availability.variables?.id === s.member_id}
                    onWeight={(weight) => setSlot(i, { ...s, weight })}
                    onToggle={(available) =>
                      availability.mutate({ id: s.member_id, available }, { onError: (e) => toast.error(errorMessage(e)) })
                    }
                    onRemove={() => setSlot(i, null)}
                  />
                );
              })}
            </ul>
          )}
          <Select
            data-testid="pool-member-add"
            aria-label={t('pool.addLabel')}
            value=""
            disabled={candidates.length === 0}
            onChange={(e) => {
              const id = e.target.value;
              if (id) patch({ members: [...draft.members, { member_id: id, weight: '1' }] });
            }}
          >
            <option value="">{candidates.length ? t('pool.add') : t('pool.allAdded')}</option>
            {candidates.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} · {m.available ? t('pool.available') : t('pool.away')}
              </option>
            ))}
          </Select>
        </div>

        <div className="min-w-0 space-y-5">
          <fieldset className="space-y-2">
            <legend className="mb-2 text-sm font-medium text-fg">{t('pool.mode')}</legend>
            <div data-testid="pool-mode" role="radiogroup" className="grid grid-cols-2 gap-2">
              {POOL_MODES.map((m) => (
                <label
                  key={m}
                  className={clsx(
                    'flex cursor-pointer items-start gap-2.5 rounded-lg border p-2.5 transition-colors has-[:focus-visible]:ring-3 has-[:focus-visible]:ring-brand-500/30',
                    draft.mode === m ? 'border-brand-500 bg-brand-50 dark:border-brand-400 dark:bg-brand-950/60' : 'border-line-strong hover:bg-subtle',
                  )}
                >
                  <input
                    type="radio"
                    name={`pool-mode-${numberId}`}
                    value={m}
                    checked={draft.mode === m}
                    onChange={() => patch({ mode: m })}
                    className="mt-0.5 size-4 shrink-0 cursor-pointer accent-brand-600 dark:accent-brand-400"
                  />
                  <span className="min-w-0">
                    <span className="block text-sm font-medium text-fg">{t(`pool.mode.${m}`)}</span>
                    <span className="block text-xs text-muted">{t(`pool.mode.${m}.hint`)}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <div className="space-y-1.5">
            <label htmlFor={`when-${numberId}`} className="text-sm font-medium text-fg">{t('pool.whenNobody')}</label>
            <Select
              id={`when-${numberId}`}
              data-testid="pool-when-nobody"
              value={draft.when_nobody}
              onChange={(e) => patch({ when_nobody: e.target.value as WhenNobody })}
            >
              {WHEN_NOBODY.map((w) => (
                <option key={w} value={w}>{t(`pool.whenNobody.${w}`)}</option>
              ))}
            </Select>
            <p className="text-xs text-muted">{t(`pool.whenNobody.${draft.when_nobody}.hint`)}</p>
          </div>
          <div className="space-y-2">
            <Checkbox
              data-testid="pool-sticky"
              label={t('pool.sticky')}
              hint={t('pool.stickyHint')}
              checked={draft.sticky}
              onChange={(e) => patch({ sticky: e.target.checked })}
            />
            <Checkbox
              data-testid="pool-reopen"
              label={t('pool.reopen')}
              hint={t('pool.reopenHint')}
              checked={draft.reopen_reassign}
              onChange={(e) => patch({ reopen_reassign: e.target.checked })}
            />
          </div>
          <PoolPreview mode={draft.mode} whenNobody={draft.when_nobody} slots={slots} members={members} />
        </div>
      </div>
      <FormError message={error} testId="pool-error" />
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button variant="secondary" onClick={onClose} data-testid="pool-close">
          {t('pool.cancel')}
        </Button>
        <Button onClick={submit} loading={save.isPending} data-testid="pool-save">
          {t('pool.save')}
        </Button>
      </div>
    </div>
  );
}
