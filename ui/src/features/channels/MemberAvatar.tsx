import clsx from 'clsx';
import { Avatar } from '../../components/Avatar';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';

/** An avatar with a small availability dot in its corner. */
export function MemberAvatar({ member, name, className }: { member?: Member; name: string; className?: string }) {
  return (
    <span className="relative inline-flex shrink-0">
      <Avatar name={name} className={className} />
      {member && (
        <span
          data-testid="availability-dot"
          data-available={member.available}
          title={member.available ? t('pool.available') : t('pool.away')}
          className={clsx(
            'absolute -right-0.5 -bottom-0.5 size-2.5 rounded-full ring-2 ring-surface',
            member.available ? 'bg-brand-500' : 'bg-zinc-400 dark:bg-zinc-500',
          )}
        />
      )}
    </span>
  );
}

export const memberName = (members: Member[], id: string | null | undefined) =>
  members.find((m) => m.id === id)?.name ?? t('pool.formerMember');
