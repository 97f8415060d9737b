import { useState } from 'react';
import { MailPlus, Plus, UserPlus } from 'lucide-react';
import { Button } from '../../components/Button';
import { Card, CardHeader, PageHeader } from '../../components/Card';
import { ConfirmDialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import type { Member, Team } from '../../lib/types';
import { teamAccess } from './access';
import { useDeleteMember, useDeleteTeam, useMembers, useTeams } from './api';
import { InviteDialog } from './InviteDialog';
import { InvitesSection } from './InvitesSection';
import { MemberDialog } from './MemberDialog';
import { MembersSkeleton, MembersTable } from './MembersTable';
import { TeamDialog } from './TeamDialog';
import { TeamsSection } from './TeamsSection';

type MemberEdit = { member: Member | null } | null;
type TeamEdit = { team: Team | null } | null;

export default function TeamPage() {
  const session = useSession();
  const toast = useToast();
  const members = useMembers();
  const teams = useTeams();
  const removeMember = useDeleteMember();
  const removeTeam = useDeleteTeam();

  const [memberEdit, setMemberEdit] = useState<MemberEdit>(null);
  const [teamEdit, setTeamEdit] = useState<TeamEdit>(null);
  const [memberToRemove, setMemberToRemove] = useState<Member | null>(null);
  const [teamToDelete, setTeamToDelete] = useState<Team | null>(null);
  const [inviting, setInviting] = useState(false);

  const memberList = members.data?.items ?? [];
  const teamList = teams.data?.items ?? [];
  const access = teamAccess(session, teamList);

  const addButton = access.canAdd && (
    <div className="flex flex-wrap gap-2">
      <Button variant="secondary" onClick={() => setInviting(true)} data-testid="invite-open">
        <MailPlus aria-hidden />
        {t('invite.open')}
      </Button>
      <Button onClick={() => setMemberEdit({ member: null })} data-testid="add-member">
        <Plus aria-hidden />
        {t('team.addMember')}
      </Button>
    </div>
  );

  return (
    <>
      <PageHeader title={t('team.title')} description={t('team.subtitle')} action={addButton} />
      {!access.manageTeams && (
        <p className="mb-4 rounded-lg border border-line bg-subtle px-4 py-3 text-sm text-muted">
          {access.canAdd ? t('team.leadNotice') : t('team.readOnly')}
        </p>
      )}
      <div className="space-y-6">
        <Card>
          <CardHeader
            title={t('team.members')}
            description={
              members.data
                ? memberList.length === 1
                  ? t('team.membersCountOne')
                  : t('team.membersCount', { count: memberList.length })
                : undefined
            }
          />
          {members.isPending ? (
            <MembersSkeleton />
          ) : members.isError ? (
            <div className="p-5">
              <FormError message={errorMessage(members.error)} />
            </div>
          ) : memberList.length === 0 ? (
            <EmptyState
              icon={UserPlus}
              title={t('team.emptyTitle')}
              body={t('team.emptyBody')}
              action={
                access.canAdd && (
                  <Button variant="secondary" onClick={() => setMemberEdit({ member: null })}>
                    <Plus aria-hidden />
                    {t('team.addMember')}
                  </Button>
                )
              }
            />
          ) : (
            <MembersTable
              members={memberList}
              teams={teamList}
              meId={session.member?.id}
              access={access}
              onEdit={(member) => setMemberEdit({ member })}
              onRemove={setMemberToRemove}
            />
          )}
        </Card>

        {access.canAdd && <InvitesSection teams={teamList} onInvite={() => setInviting(true)} />}

        <TeamsSection
          teams={teams.data?.items}
          members={memberList}
          canManage={access.manageTeams}
          onCreate={() => setTeamEdit({ team: null })}
          onEdit={(team) => setTeamEdit({ team })}
          onDelete={setTeamToDelete}
        />
      </div>

      <MemberDialog
        open={memberEdit !== null}
        onOpenChange={(o) => !o && setMemberEdit(null)}
        member={memberEdit?.member}
        teams={teamList}
        access={access}
      />
      <InviteDialog open={inviting} onOpenChange={setInviting} teams={teamList} access={access} />
      <TeamDialog
        open={teamEdit !== null}
        onOpenChange={(o) => !o && setTeamEdit(null)}
        team={teamEdit?.team}
        members={memberList}
      />
      <ConfirmDialog
        open={memberToRemove !== null}
        onOpenChange={(o) => {
          if (!o) {
            setMemberToRemove(null);
            removeMember.reset();
          }
        }}
        title={t('team.removeTitle', { name: memberToRemove?.name ?? '' })}
        body={t('team.removeBody')}
        confirmLabel={t('common.remove')}
        busy={removeMember.isPending}
        error={removeMember.error ? errorMessage(removeMember.error) : null}
        onConfirm={() => {
          const m = memberToRemove;
          if (!m) return;
          removeMember.mutate(m.id, {
            onSuccess: () => {
              toast.success(t('team.removed', { name: m.name }));
              setMemberToRemove(null);
            },
          });
        }}
      />
      <ConfirmDialog
        open={teamToDelete !== null}
        onOpenChange={(o) => {
          if (!o) {
            setTeamToDelete(null);
            removeTeam.reset();
          }
        }}
        title={t('teams.deleteTitle', { name: teamToDelete?.name ?? '' })}
        body={t('teams.deleteBody')}
        confirmLabel={t('common.delete')}
        busy={removeTeam.isPending}
        error={removeTeam.error ? errorMessage(removeTeam.error) : null}
        onConfirm={() => {
          const team = teamToDelete;
          if (!team) return;
          removeTeam.mutate(team.id, {
            onSuccess: () => {
              toast.success(t('teams.deleted', { name: team.name }));
              setTeamToDelete(null);
            },
          });
        }}
      />
    </>
  );
}
