import { useState } from 'react';
import { MailPlus, RotateCw } from 'lucide-react';
import { Badge, type Tone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card, CardHeader } from '../../components/Card';
import { ConfirmDialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { useToast } from '../../components/Toast';
import { ApiError, errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import type { Team } from '../../lib/types';
import { useInvites, useResendInvite, useRevokeInvite, type Invite, type InviteStatus } from './invitesApi';
import { RoleBadge } from './roles';

const th = 'px-5 py-2.5 text-left text-xs font-medium tracking-wide text-faint uppercase';
const tone: Record<InviteStatus, Tone> = { pending: 'amber', accepted: 'brand', revoked: 'neutral', expired: 'red' };

/** A pending invite whose mail did not reach the person, said where the owner looks. */
function EmailTrouble({ invite }: { invite: Invite }) {
  const failed = invite.email_status === 'failed';
  if (!failed && !(invite.email_status === 'queued' && invite.email_error)) return null;
  return (
    <div data-testid="invite-email-trouble" data-email-status={invite.email_status} className="mt-1 max-w-[16rem] text-xs">
      <p className={failed ? 'text-red-600 dark:text-red-400' : 'text-amber-700 dark:text-amber-400'}>
        {t(failed ? 'invite.emailFailed' : 'invite.emailRetrying')}
      </p>
      {invite.email_error && (
        <p className="truncate text-muted" title={t('invite.emailWhy', { error: invite.email_error })}>
          {invite.email_error}
        </p>
      )}
    </div>
  );
}

export function InviteStatusBadge({ status }: { status: InviteStatus }) {
  return <Badge tone={tone[status] ?? 'neutral'}>{t(`invite.status.${status}`)}</Badge>;
}

export function InvitesSection({ teams, onInvite }: { teams: Team[]; onInvite: () => void }) {
  const invites = useInvites();
  const resend = useResendInvite();
  const revoke = useRevokeInvite();
  const toast = useToast();
  const [toRevoke, setToRevoke] = useState<Invite | null>(null);
  // An older server without invitations: say nothing rather than show an error.
  if (invites.error instanceof ApiError && invites.error.status === 404) return null;
  const items = invites.data?.items ?? [];
  const teamName = (id: string | null) => teams.find((x) => x.id === id)?.name;

  return (
    <Card>
      <CardHeader title={t('invite.listTitle')} description={t('invite.listBody')} />
      {invites.isPending ? (
        <div className="space-y-3 p-5">
          <Skeleton className="h-4 w-2/3" />
          <Skeleton className="h-4 w-1/2" />
        </div>
      ) : invites.isError ? (
        <div className="p-5">
          <FormError message={errorMessage(invites.error)} />
        </div>
      ) : items.length === 0 ? (
        <EmptyState
          icon={MailPlus}
          title={t('invite.emptyTitle')}
          body={t('invite.emptyBody')}
          action={
            <Button variant="secondary" onClick={onInvite}>
              <MailPlus aria-hidden />
              {t('invite.open')}
            </Button>
          }
        />
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="border-b border-line bg-subtle/60">
              <tr>
                <th scope="col" className={th}>{t('member.email')}</th>
                <th scope="col" className={`${th} hidden sm:table-cell`}>{t('team.col.role')}</th>
                <th scope="col" className={th}>{t('team.col.status')}</th>
                <th scope="col" className={`${th} hidden md:table-cell`}>{t('invite.expires')}</th>
                <th scope="col" className={th}><span className="sr-only">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {items.map((inv) => {
                const open = inv.status === 'pending' || inv.status === 'expired';
                return (
                  <tr key={inv.id} data-testid="invite-row" data-status={inv.status} data-email={inv.email}>
                    <td className="w-full max-w-0 px-5 py-3">
                      <p className="truncate font-medium text-fg">{inv.email}</p>
                      <p className="truncate text-xs text-muted">
                        <span className="sm:hidden">{t(`role.${inv.role}`)} · </span>
                        {teamName(inv.team_id) ?? t('team.noTeam')}
                      </p>
                    </td>
                    <td className="hidden px-5 py-3 sm:table-cell"><RoleBadge role={inv.role} /></td>
                    <td className="px-5 py-3">
                      <InviteStatusBadge status={inv.status} />
                      {open && <EmailTrouble invite={inv} />}
                    </td>
                    <td className="hidden px-5 py-3 whitespace-nowrap text-muted md:table-cell">
                      {inv.status === 'accepted' ? formatDateTime(inv.accepted_at) : formatDateTime(inv.expires_at)}
                    </td>
                    <td className="px-3 py-3">
                      {open && (
                        <div className="flex justify-end gap-1">
                          <Button
                            variant="ghost"
                            size="sm"
                            data-testid="invite-resend"
                            aria-label={t('invite.resendLabel', { email: inv.email })}
                            loading={resend.isPending && resend.variables === inv.id}
                            onClick={() =>
                              resend.mutate(inv.id, {
                                onSuccess: () => toast.success(t('invite.resent', { email: inv.email })),
                                onError: (e) => toast.error(errorMessage(e)),
                              })
                            }
                          >
                            <RotateCw aria-hidden />
                            <span className="hidden lg:inline">{t('invite.resend')}</span>
                          </Button>
                          {inv.status === 'pending' && (
                            <Button variant="ghost" size="sm" className="text-red-600 hover:text-red-700 dark:text-red-400" data-testid="invite-revoke" onClick={() => setToRevoke(inv)}>
                              {t('invite.revoke')}
                            </Button>
                          )}
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={toRevoke !== null}
        onOpenChange={(o) => {
          if (!o) {
            setToRevoke(null);
            revoke.reset();
          }
        }}
        title={t('invite.revokeTitle', { email: toRevoke?.email ?? '' })}
        body={t('invite.revokeBody')}
        confirmLabel={t('invite.revoke')}
        busy={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onConfirm={() => {
          const inv = toRevoke;
          if (!inv) return;
          revoke.mutate(inv.id, {
            onSuccess: () => {
              toast.success(t('invite.revoked', { email: inv.email }));
              setToRevoke(null);
            },
          });
        }}
      />
    </Card>
  );
}
