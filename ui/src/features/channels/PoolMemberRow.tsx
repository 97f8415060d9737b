import { X } from 'lucide-react';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Input } from '../../components/Input';
import { Switch } from '../../components/Switch';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { roleLabel } from '../team/roles';
import { MemberAvatar, memberName } from './MemberAvatar';

export interface DraftSlot {
  member_id: string;
  /** As typed; parsed on save. */
  weight: string;
}

interface Props {
  slot: DraftSlot;
  member: Member | undefined;
  isMe: boolean;
  weighted: boolean;
  /** This member's share of the available weight, 0–1, or null when away. */
  share: number | null;
  weightError?: string;
  canToggle: boolean;
  toggling: boolean;
  onWeight: (w: string) => void;
  onToggle: (available: boolean) => void;
  onRemove: () => void;
}

export function PoolMemberRow(p: Props) {
  const name = p.member?.name ?? memberName([], p.slot.member_id);
  const available = p.member?.available ?? false;
  const errorId = `w-${p.slot.member_id}-err`;
  return (
    <li data-testid="pool-member" data-member-id={p.slot.member_id} className="py-2.5">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <div className="flex min-w-0 flex-1 basis-44 items-center gap-3">
          <MemberAvatar member={p.member} name={name} />
          <div className="min-w-0">
            <p className="flex items-center gap-2 text-sm font-medium text-fg">
              <span className="truncate">{name}</span>
              {p.isMe && <Badge>{t('team.you')}</Badge>}
            </p>
            <p className="truncate text-xs text-muted">
              {p.member ? roleLabel(p.member.role) : t('pool.formerMember')}
            </p>
          </div>
        </div>
        <div className="ml-auto flex items-center gap-3">
          {p.member && (
            <label className="flex items-center gap-2 text-xs text-muted">
              <span className="w-[4.5rem] text-right">{available ? t('pool.available') : t('pool.away')}</span>
              <Switch
                testId="pool-member-available"
                checked={available}
                disabled={!p.canToggle || p.toggling}
                onCheckedChange={p.onToggle}
                label={t('pool.availableFor', { name })}
              />
            </label>
          )}
          {p.weighted && (
            <div className="flex items-center gap-1.5">
              <Input
                data-testid="pool-weight"
                type="number"
                inputMode="numeric"
                min={1}
                max={100}
                step={1}
                value={p.slot.weight}
                onChange={(e) => p.onWeight(e.target.value)}
                aria-label={t('pool.weightFor', { name })}
                aria-describedby={p.weightError ? errorId : undefined}
                invalid={Boolean(p.weightError)}
                className="h-8! w-20! pr-1.5! text-right tabular-nums"
              />
              <span className="w-9 text-right text-xs text-faint tabular-nums">
                {p.share === null ? '—' : t('pool.share', { percent: Math.round(p.share * 100) })}
              </span>
            </div>
          )}
          <Button
            variant="ghost"
            size="icon"
            data-testid="pool-member-remove"
            aria-label={t('pool.remove', { name })}
            onClick={p.onRemove}
            className="size-8"
          >
            <X />
          </Button>
        </div>
      </div>
      {p.weightError && (
        <p id={errorId} className="mt-1 text-right text-xs font-medium text-red-600 dark:text-red-400">
          {p.weightError}
        </p>
      )}
    </li>
  );
}
