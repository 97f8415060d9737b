import { useState } from 'react';
import { Settings2 } from 'lucide-react';
import { Button } from '../../components/Button';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { usePool } from './api';
import { MemberAvatar, memberName } from './MemberAvatar';
import { PoolEditor } from './PoolEditor';
import { PoolReport } from './PoolReport';
import { LEADS_POOL, type PoolRef } from './types';

/** A channel's assignment pool: a summary, the editor (expanded in place) and the report. */
export function PoolSection({ poolRef, members, title }: { poolRef: PoolRef; members: Member[]; title?: string }) {
  const pool = usePool(poolRef);
  const [editing, setEditing] = useState(false);
  const p = pool.data;
  const editorId = `pool-editor-${poolRef.id}`;

  return (
    <div className="space-y-4 px-4 py-4 sm:px-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <h3 className="text-sm font-semibold text-fg">{title ?? t('pool.title')}</h3>
          {p && !editing && (
            <p data-testid="pool-summary" className="mt-0.5 text-sm text-muted">
              {p.members.length === 0
                ? t(poolRef.id === LEADS_POOL.id ? 'pool.summaryEmptyManual' : 'pool.summaryEmpty')
                : [
                    t(`pool.mode.${p.mode}`),
                    `${t('pool.whenNobody')}: ${t(`pool.whenNobody.${p.when_nobody}`)}`,
                    ...((p.sticky ?? true) ? [t('pool.stickyShort')] : []),
                  ].join(' · ')}
            </p>
          )}
        </div>
        <div className="flex items-center gap-3">
          {p && !editing && p.members.length > 0 && (
            <div className="flex -space-x-1.5">
              {p.members.slice(0, 6).map((pm) => (
                <MemberAvatar
                  key={pm.member_id}
                  member={members.find((m) => m.id === pm.member_id)}
                  name={memberName(members, pm.member_id)}
                  className="size-7! text-[10px]! ring-2 ring-surface"
                />
              ))}
            </div>
          )}
          <Button
            variant="secondary"
            size="sm"
            data-testid="pool-edit"
            aria-expanded={editing}
            aria-controls={editing ? editorId : undefined}
            disabled={!p}
            onClick={() => setEditing(true)}
          >
            <Settings2 aria-hidden />
            {t('pool.edit')}
          </Button>
        </div>
      </div>
      {pool.isPending ? (
        <Skeleton className="h-16 w-full" />
      ) : pool.isError ? (
        pool.error instanceof ApiError && pool.error.status === 404 ? (
          <p data-testid="pool-unavailable" className="text-sm text-muted">{t('pool.unavailable')}</p>
        ) : (
          <FormError message={errorMessage(pool.error)} />
        )
      ) : (
        <>
          {editing && (
            <div id={editorId} className="rounded-lg border border-line bg-canvas/60 p-3 sm:p-4">
              <PoolEditor poolRef={poolRef} pool={pool.data} members={members} onClose={() => setEditing(false)} />
            </div>
          )}
          <PoolReport pool={pool.data} members={members} />
        </>
      )}
    </div>
  );
}
