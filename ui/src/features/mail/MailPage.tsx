import { useState } from 'react';
import { ChevronRight, Info, Mail } from 'lucide-react';
import clsx from 'clsx';
import { Badge, type Tone } from '../../components/Badge';
import { Card, PageHeader } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import { useOutbox, type MailState, type OutboxMail } from './api';

const tone: Record<MailState, Tone> = { queued: 'blue', sent: 'brand', kept: 'amber', failed: 'red' };

function MailRow({ mail }: { mail: OutboxMail }) {
  const [open, setOpen] = useState(false);
  const bodyId = `mail-body-${mail.id}`;
  return (
    <li data-testid="mail-row" data-state={mail.state} data-to={mail.to}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={bodyId}
        onClick={() => setOpen((o) => !o)}
        className="focus-ring flex w-full items-start gap-3 px-4 py-3 text-left hover:bg-subtle/50 sm:px-5"
      >
        <ChevronRight aria-hidden className={clsx('mt-0.5 size-4 shrink-0 text-faint transition-transform', open && 'rotate-90')} />
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-medium text-fg">{mail.subject}</p>
          <p className="truncate text-xs text-muted">{t('mail.to', { to: mail.to })}</p>
        </div>
        <div className="flex shrink-0 flex-col items-end gap-1">
          <Badge tone={tone[mail.state] ?? 'neutral'}>{t(`mail.state.${mail.state}`)}</Badge>
          <time dateTime={mail.created_at} className="text-xs whitespace-nowrap text-faint">
            {formatDateTime(mail.created_at)}
          </time>
        </div>
      </button>
      {open && (
        <div id={bodyId} className="px-4 pb-4 sm:px-5 sm:pl-12">
          {mail.error && <p className="mb-2 text-xs text-red-600 dark:text-red-400">{mail.error}</p>}
          <pre data-testid="mail-text" className="overflow-x-auto rounded-lg border border-line bg-subtle/60 p-3 font-sans text-sm break-words whitespace-pre-wrap text-fg">
            {mail.text}
          </pre>
        </div>
      )}
    </li>
  );
}

export default function MailPage() {
  const q = useOutbox();
  const items = q.data?.items ?? [];
  return (
    <>
      <PageHeader title={t('mail.title')} description={t('mail.subtitle')} />
      {q.data && !q.data.smtp_configured && (
        <p data-testid="mail-smtp-note" className="mb-4 flex gap-2.5 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/30 dark:text-amber-100">
          <Info aria-hidden className="mt-0.5 size-4 shrink-0" />
          {t('mail.noSmtp')}
        </p>
      )}
      <Card>
        <div data-testid="mail-outbox">
          {q.isPending ? (
            <div className="space-y-3 p-5">
              <Skeleton className="h-4 w-2/3" />
              <Skeleton className="h-4 w-1/2" />
            </div>
          ) : q.isError ? (
            <div className="p-5">
              <FormError message={errorMessage(q.error)} />
            </div>
          ) : items.length === 0 ? (
            <EmptyState icon={Mail} title={t('mail.emptyTitle')} body={t('mail.emptyBody')} />
          ) : (
            <ul className="divide-y divide-line">
              {items.map((m) => (
                <MailRow key={m.id} mail={m} />
              ))}
            </ul>
          )}
        </div>
      </Card>
    </>
  );
}
