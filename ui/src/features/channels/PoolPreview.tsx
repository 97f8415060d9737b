import { useId } from 'react';
import { Avatar } from '../../components/Avatar';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { memberName } from './MemberAvatar';
import type { PoolMode, WhenNobody } from './types';
import { previewPicks } from './wrr';

export const PREVIEW_COUNT = 12;

interface Props {
  mode: PoolMode;
  whenNobody: WhenNobody;
  slots: { member_id: string; weight: number }[];
  members: Member[];
}

/** Who the next 12 conversations would go to, from a fresh start. */
export function PoolPreview({ mode, whenNobody, slots, members }: Props) {
  const titleId = useId();
  const byId = new Map(members.map((m) => [m.id, m]));
  const weighted = slots.map((s) => ({ member_id: s.member_id, weight: mode === 'weighted' ? s.weight : 1 }));
  const up = weighted.filter((s) => byId.get(s.member_id)?.available);
  let picks: string[] = [];
  let note: string = t('pool.previewHint');
  if (slots.length === 0) note = t('pool.previewEmpty');
  else if (up.length > 0) picks = previewPicks(up, PREVIEW_COUNT);
  else if (whenNobody === 'assign_anyway') {
    picks = previewPicks(weighted.filter((s) => byId.has(s.member_id)), PREVIEW_COUNT);
    note = t('pool.previewAnyway');
  } else if (whenNobody === 'escalate') {
    const owner = members.find((m) => m.role === 'owner' && m.available) ?? members.find((m) => m.role === 'owner');
    if (owner) picks = Array.from({ length: PREVIEW_COUNT }, () => owner.id);
    note = t('pool.previewEscalate');
  } else note = t('pool.previewQueue');

  const counts = new Map<string, number>();
  for (const id of picks) counts.set(id, (counts.get(id) ?? 0) + 1);

  return (
    <section aria-labelledby={titleId} className="space-y-2">
      <h3 id={titleId} className="text-sm font-medium text-fg">{t('pool.preview')}</h3>
      <ol data-testid="pool-preview" className="grid w-fit grid-cols-6 gap-x-1.5 gap-y-2 sm:grid-cols-12 sm:gap-x-1">
        {picks.map((id, i) => {
          const name = memberName(members, id);
          return (
            <li
              key={i}
              data-testid="pool-preview-item"
              data-member-id={id}
              title={t('pool.previewItem', { n: i + 1, name })}
              className="flex flex-col items-center gap-0.5"
            >
              <Avatar name={name} className="size-6! text-[9px]!" />
              <span aria-hidden className="text-[10px] text-faint tabular-nums">{i + 1}</span>
              <span className="sr-only">{t('pool.previewItem', { n: i + 1, name })}</span>
            </li>
          );
        })}
      </ol>
      {counts.size > 1 && (
        <p className="text-xs text-muted">
          {[...counts].map(([id, n]) => `${memberName(members, id).split(' ')[0]} ${n}`).join(' · ')}
        </p>
      )}
      <p className="text-xs text-muted">{note}</p>
    </section>
  );
}
