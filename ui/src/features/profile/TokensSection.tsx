import { useState } from 'react';
import { KeyRound, Plus } from 'lucide-react';
import { Button } from '../../components/Button';
import { Card, CardHeader } from '../../components/Card';
import { ConfirmDialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import type { ApiToken } from '../../lib/types';
import { useRevokeToken, useTokens } from './api';
import { CreateTokenDialog } from './CreateTokenDialog';

const th = 'px-5 py-2.5 text-left text-xs font-medium tracking-wide text-faint uppercase';

export function TokensSection() {
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [toRevoke, setToRevoke] = useState<ApiToken | null>(null);
  const items = tokens.data?.items ?? [];

  const createButton = (
    <Button variant="secondary" size="sm" onClick={() => setCreating(true)} data-testid="token-create">
      <Plus aria-hidden />
      {t('tokens.create')}
    </Button>
  );

  return (
    <Card>
      <CardHeader title={t('tokens.title')} description={t('tokens.subtitle')} action={items.length > 0 ? createButton : undefined} />
      {tokens.isPending ? (
        <div className="space-y-3 p-5">
          <Skeleton className="h-4 w-2/3" />
          <Skeleton className="h-4 w-1/2" />
        </div>
      ) : tokens.isError ? (
        <div className="p-5">
          <FormError message={errorMessage(tokens.error)} />
        </div>
      ) : items.length === 0 ? (
        <EmptyState icon={KeyRound} title={t('tokens.emptyTitle')} body={t('tokens.emptyBody')} action={createButton} />
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="border-b border-line bg-subtle/60">
              <tr>
                <th scope="col" className={th}>{t('tokens.col.name')}</th>
                <th scope="col" className={`${th} hidden sm:table-cell`}>{t('tokens.col.created')}</th>
                <th scope="col" className={`${th} hidden sm:table-cell`}>{t('tokens.col.lastUsed')}</th>
                <th scope="col" className={th}><span className="sr-only">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {items.map((tok) => (
                <tr key={tok.id} data-testid="token-row" data-name={tok.name}>
                  <td className="px-5 py-3">
                    <p className="font-medium text-fg">{tok.name}</p>
                    <p className="text-xs text-muted sm:hidden">{formatDateTime(tok.created_at)}</p>
                  </td>
                  <td className="hidden px-5 py-3 text-muted sm:table-cell">{formatDateTime(tok.created_at)}</td>
                  <td className="hidden px-5 py-3 text-muted sm:table-cell">{tok.last_used_at === undefined ? t('common.unknown') : (formatDateTime(tok.last_used_at) ?? t('common.never'))}</td>
                  <td className="px-5 py-3 text-right">
                    <Button variant="ghost" size="sm" className="text-red-600 hover:text-red-700 dark:text-red-400" onClick={() => setToRevoke(tok)} data-testid="token-revoke">
                      {t('tokens.revoke')}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateTokenDialog open={creating} onOpenChange={setCreating} />
      <ConfirmDialog
        open={toRevoke !== null}
        onOpenChange={(o) => {
          if (!o) {
            setToRevoke(null);
            revoke.reset();
          }
        }}
        title={t('tokens.revokeTitle', { name: toRevoke?.name ?? '' })}
        body={t('tokens.revokeBody')}
        confirmLabel={t('tokens.revoke')}
        busy={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onConfirm={() => {
          const tok = toRevoke;
          if (!tok) return;
          revoke.mutate(tok.id, {
            onSuccess: () => {
              toast.success(t('tokens.revoked', { name: tok.name }));
              setToRevoke(null);
            },
          });
        }}
      />
    </Card>
  );
}
