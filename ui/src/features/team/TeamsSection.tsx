import * as DM from '@radix-ui/react-dropdown-menu';
import { Ellipsis, Pencil, Plus, Trash, UsersRound } from 'lucide-react';
import { Avatar } from '../../components/Avatar';
import { Button } from '../../components/Button';
import { Card, CardHeader } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { Skeleton } from '../../components/Spinner';
import { t } from '../../lib/i18n';
import type { Member, Team } from '../../lib/types';

const menuItem =
  'flex h-9 cursor-pointer items-center gap-2.5 rounded-md px-2.5 text-sm outline-none select-none data-[highlighted]:bg-subtle [&_svg]:size-4';

interface Props {
  teams: Team[] | undefined;
  members: Member[];
  canManage: boolean;
  onCreate: () => void;
  onEdit: (team: Team) => void;
  onDelete: (team: Team) => void;
}

export function TeamsSection({ teams, members, canManage, onCreate, onEdit, onDelete }: Props) {
  const lead = (id: string | null) => (id ? members.find((m) => m.id === id) : undefined);
  return (
    <Card>
      <CardHeader
        title={t('teams.title')}
        description={t('teams.subtitle')}
        action={
          canManage && teams && teams.length > 0 ? (
            <Button variant="secondary" size="sm" onClick={onCreate} data-testid="add-team">
              <Plus aria-hidden />
              {t('teams.add')}
            </Button>
          ) : undefined
        }
      />
      {!teams ? (
        <div className="grid gap-3 p-5 sm:grid-cols-2 lg:grid-cols-3">
          <Skeleton className="h-20" />
          <Skeleton className="h-20" />
        </div>
      ) : teams.length === 0 ? (
        <EmptyState
          icon={UsersRound}
          title={t('teams.emptyTitle')}
          body={t('teams.emptyBody')}
          action={
            canManage && (
              <Button variant="secondary" onClick={onCreate} data-testid="add-team">
                <Plus aria-hidden />
                {t('teams.add')}
              </Button>
            )
          }
        />
      ) : (
        <ul className="grid gap-3 p-5 sm:grid-cols-2 lg:grid-cols-3">
          {teams.map((team) => {
            const l = lead(team.lead_id);
            return (
              <li key={team.id} data-testid="team-card" data-name={team.name} className="flex items-start gap-3 rounded-lg border border-line p-4">
                <div className="min-w-0 flex-1">
                  <p className="truncate font-medium text-fg">{team.name}</p>
                  <p className="mt-0.5 text-xs text-muted">
                    {team.member_count === 1 ? t('teams.memberCountOne') : t('teams.memberCount', { count: team.member_count })}
                  </p>
                  <div className="mt-3 flex items-center gap-2 text-xs text-muted">
                    {l ? (
                      <>
                        <Avatar name={l.name} className="size-6 text-[10px]" />
                        <span className="truncate">{t('teams.leadLabel', { name: l.name })}</span>
                      </>
                    ) : (
                      <span className="text-faint">{t('teams.noLead')}</span>
                    )}
                  </div>
                </div>
                {canManage && (
                  <DM.Root modal={false}>
                    <DM.Trigger asChild>
                      <Button variant="ghost" size="icon" className="-mt-1.5 -mr-2" aria-label={t('common.moreActions', { name: team.name })}>
                        <Ellipsis />
                      </Button>
                    </DM.Trigger>
                    <DM.Portal>
                      <DM.Content align="end" sideOffset={4} className="animate-fade-in z-50 w-44 rounded-xl border border-line bg-surface p-1.5 shadow-lg">
                        <DM.Item className={`${menuItem} text-fg [&_svg]:text-faint`} onSelect={() => onEdit(team)}>
                          <Pencil aria-hidden />
                          {t('common.edit')}
                        </DM.Item>
                        <DM.Item className={`${menuItem} text-red-600 dark:text-red-400`} onSelect={() => onDelete(team)}>
                          <Trash aria-hidden />
                          {t('common.delete')}
                        </DM.Item>
                      </DM.Content>
                    </DM.Portal>
                  </DM.Root>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
