import { History } from 'lucide-react';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import { useMembers } from '../team/api';
import { useFlowVersions } from './api';

interface Props {
  flowId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  published: number | null;
  onView: (version: number) => void;
  onRestore: (version: number) => void;
  readOnly?: boolean;
}

/** Published versions, newest first: open one read-only, or copy it into the draft. */
export function VersionsDialog({ flowId, open, onOpenChange, published, onView, onRestore, readOnly }: Props) {
  const versions = useFlowVersions(flowId, open);
  const members = useMembers();
  const who = new Map((members.data?.items ?? []).map((m) => [m.id, m.name]));
  const items = [...(versions.data?.items ?? [])].sort((a, b) => b.version - a.version);
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t('flows.versions')} description={t('flows.versionsBody')} testId="flow-versions">
      {versions.isPending ? (
        <div className="space-y-2">{[0, 1].map((i) => <Skeleton key={i} className="h-12 w-full" />)}</div>
      ) : versions.isError ? (
        <FormError message={errorMessage(versions.error)} />
      ) : items.length === 0 ? (
        <EmptyState icon={History} title={t('flows.noVersions')} className="py-6" />
      ) : (
        <ul className="divide-y divide-line rounded-lg border border-line">
          {items.map((v) => (
            <li key={v.version} data-testid="flow-version" data-version={v.version} className="flex flex-wrap items-center gap-x-3 gap-y-2 px-3 py-2.5">
              <div className="min-w-0 flex-1">
                <p className="flex items-center gap-2 text-sm font-medium text-fg">
                  {t('flows.versionN', { n: v.version })}
                  {v.version === published && <Badge tone="brand">{t('flows.live')}</Badge>}
                </p>
                <p className="text-xs text-muted">
                  {formatDateTime(v.published_at)}
                  {v.published_by ? ` · ${who.get(v.published_by) ?? t('pool.formerMember')}` : ''}
                </p>
              </div>
              <Button variant="ghost" size="sm" data-testid="flow-version-view" onClick={() => onView(v.version)}>
                {t('flows.view')}
              </Button>
              {!readOnly && (
                <Button variant="secondary" size="sm" data-testid="flow-version-restore" onClick={() => onRestore(v.version)}>
                  {t('flows.restore')}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
