import * as DM from '@radix-ui/react-dropdown-menu';
import { Ellipsis, Pencil, Trash } from 'lucide-react';
import { Avatar } from '../../components/Avatar';
import { Badge, StatusDot } from '../../components/Badge';
import { Button } from '../../components/Button';
import { t } from '../../lib/i18n';
import type { Member, Team } from '../../lib/types';
import type { TeamAccess } from './access';
import { RoleBadge } from './roles';

const th = 'px-5 py-2.5 text-left text-xs font-medium tracking-wide text-faint uppercase';
const menuItem =
  'flex h-9 cursor-pointer items-center gap-2.5 rounded-md px-2.5 text-sm outline-none select-none data-[highlighted]:bg-subtle [&_svg]:size-4';

interface Props {
  members: Member[];
  teams: Team[];
  meId: string | undefined;
  access: TeamAccess;
  onEdit: (m: Member) => void;
  onRemove: (m: Member) => void;
}

export function MembersTable({ members, teams, meId, access, onEdit, onRemove }: Props) {
  const actions = members.some(access.canManage);
  const teamName = (id: string | null) => (id ? teams.find((x) => x.id === id)?.name : undefined);
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm">
        <thead className="border-b border-line bg-subtle/60">
          <tr>
            <th scope="col" className={th}>{t('team.col.member')}</th>
            <th scope="col" className={`${th} hidden sm:table-cell`}>{t('team.col.role')}</th>
            <th scope="col" className={`${th} hidden min-w-36 md:table-cell`}>{t('team.col.team')}</th>
            <th scope="col" className={`${th} hidden min-w-36 md:table-cell`}>{t('team.col.status')}</th>
            {actions && <th scope="col" className={`${th} w-12`}><span className="sr-only">{t('common.actions')}</span></th>}
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {members.map((m) => {
            const team = teamName(m.team_id);
            return (
              <tr key={m.id} data-testid="member-row" data-email={m.email} className="hover:bg-subtle/50">
                <td className="w-full max-w-0 px-5 py-3">
                  <div className="flex items-center gap-3">
                    <Avatar name={m.name} />
                    <div className="min-w-0">
                      <p className="flex items-center gap-2 truncate font-medium text-fg">
                        <span className="truncate">{m.name}</span>
                        {m.id === meId && <Badge>{t('team.you')}</Badge>}
                      </p>
                      <p className="truncate text-xs text-muted">{m.email}</p>
                      <div className="mt-1.5 flex items-center gap-2 sm:hidden">
                        <RoleBadge role={m.role} />
                        <StatusDot on={m.available} label={m.available ? t('team.available') : t('team.away')} />
                      </div>
                    </div>
                  </div>
                </td>
                <td className="hidden px-5 py-3 sm:table-cell">
                  <RoleBadge role={m.role} />
                </td>
                <td className="hidden px-5 py-3 md:table-cell">
                  {team ? <span className="text-fg">{team}</span> : <span className="text-faint">{t('team.noTeam')}</span>}
                </td>
                <td className="hidden px-5 py-3 md:table-cell">
                  <StatusDot on={m.available} label={m.available ? t('team.available') : t('team.away')} />
                </td>
                {actions && (
                  <td className="px-3 py-3 text-right">
                    {access.canManage(m) && (
                      <RowMenu
                        member={m}
                        removable={access.canRemove(m)}
                        onEdit={() => onEdit(m)}
                        onRemove={() => onRemove(m)}
                      />
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

interface RowMenuProps {
  member: Member;
  removable: boolean;
  onEdit: () => void;
  onRemove: () => void;
}

function RowMenu({ member, removable, onEdit, onRemove }: RowMenuProps) {
  return (
    <DM.Root modal={false}>
      <DM.Trigger asChild>
        <Button variant="ghost" size="icon" aria-label={t('common.moreActions', { name: member.name })} data-testid="member-actions">
          <Ellipsis />
        </Button>
      </DM.Trigger>
      <DM.Portal>
        <DM.Content align="end" sideOffset={4} className="animate-fade-in z-50 w-44 rounded-xl border border-line bg-surface p-1.5 shadow-lg">
          <DM.Item className={`${menuItem} text-fg [&_svg]:text-faint`} onSelect={onEdit} data-testid="member-edit">
            <Pencil aria-hidden />
            {t('common.edit')}
          </DM.Item>
          {removable && (
            <DM.Item className={`${menuItem} text-red-600 dark:text-red-400`} onSelect={onRemove} data-testid="member-remove">
              <Trash aria-hidden />
              {t('common.remove')}
            </DM.Item>
          )}
        </DM.Content>
      </DM.Portal>
    </DM.Root>
  );
}

export function MembersSkeleton() {
  return (
    <div className="divide-y divide-line" aria-hidden>
      {[0, 1, 2].map((i) => (
        <div key={i} className="flex items-center gap-3 px-5 py-3.5">
          <div className="size-8 animate-pulse rounded-full bg-subtle" />
          <div className="flex-1 space-y-2">
            <div className="h-3 w-40 animate-pulse rounded bg-subtle" />
            <div className="h-2.5 w-56 animate-pulse rounded bg-subtle" />
          </div>
          <div className="hidden h-5 w-16 animate-pulse rounded bg-subtle sm:block" />
        </div>
      ))}
    </div>
  );
}
