import { useEffect, useRef, useState, type ComponentType, type ReactNode } from 'react';
import { Trash } from 'lucide-react';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ConfirmDialog } from '../../components/Dialog';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { PoolSection } from './PoolSection';
import { takeJustCreated } from './sourcesApi';
import type { PoolRef } from './types';

interface Props {
  icon: ComponentType<{ className?: string }>;
  title: string;
  /** Badges and a short line under the title. */
  meta?: ReactNode;
  /** Right of the title (status badge). */
  aside?: ReactNode;
  children?: ReactNode;
  poolRef: PoolRef;
  members: Member[];
  /** Deletes the channel; the card asks first. */
  onDelete: () => Promise<unknown>;
  deleteTitle: string;
  deleteBody: string;
  /** Attributes for the outer element (data-testid, data-*-id). */
  attrs: Record<string, string>;
}

/** The frame every lead-source card shares: header, body, delete with confirm, and the pool. */
export function SourceCard({ icon: Icon, title, meta, aside, children, poolRef, members, onDelete, deleteTitle, deleteBody, attrs }: Props) {
  const toast = useToast();
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);

  // A channel just added from the dialog: bring its card into view once, at once (no smooth scrolling that moves under the pointer).
  const id = attrs['data-channel-id'] ?? attrs['data-page-id'];
  useEffect(() => {
    if (id && takeJustCreated(id)) ref.current?.scrollIntoView({ block: 'start' });
  }, [id]);

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await onDelete();
      setConfirm(false);
      toast.success(t('sources.deleted', { name: title }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card>
      <div ref={ref} {...attrs} className="scroll-mt-20 divide-y divide-line">
        <div className="space-y-4 px-4 py-4 sm:px-5">
          <div className="flex items-start justify-between gap-3">
            <div className="flex min-w-0 items-center gap-3">
              <span aria-hidden className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-brand-50 text-brand-700 ring-1 ring-brand-100 dark:bg-brand-950 dark:text-brand-300 dark:ring-brand-900">
                <Icon className="size-5" />
              </span>
              <div className="min-w-0">
                <h3 data-testid="source-name" className="text-base font-semibold break-words text-fg">{title}</h3>
                {meta && <div className="mt-0.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted">{meta}</div>}
              </div>
            </div>
            <div className="flex shrink-0 items-center gap-2">
              {aside}
              <Button
                variant="ghost"
                size="icon"
                data-testid="source-delete"
                aria-label={t('sources.deleteLabel', { name: title })}
                onClick={() => {
                  setError(null);
                  setConfirm(true);
                }}
              >
                <Trash />
              </Button>
            </div>
          </div>
          {children}
        </div>
        <PoolSection poolRef={poolRef} members={members} />
      </div>
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title={deleteTitle}
        body={deleteBody}
        confirmLabel={t('common.delete')}
        onConfirm={remove}
        busy={busy}
        error={error}
      />
    </Card>
  );
}
