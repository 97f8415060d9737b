import { Eye, Pause, Play, SlidersHorizontal } from 'lucide-react';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import { absoluteTime } from '../leads/format';
import { formatBytes, formatCount, formatLimit } from './format';
import { supportOpen, type BusinessAdminView } from './types';

export interface RowActions {
  openReadOnly: (b: BusinessAdminView) => void;
  editLimits: (b: BusinessAdminView) => void;
  toggleSuspend: (b: BusinessAdminView) => void;
  /** The business whose support view is being opened. */
  opening: string | null;
}

const th = 'px-2.5 py-2.5 text-left align-bottom text-xs font-medium tracking-wide text-faint uppercase first:pl-5 last:pr-5';
// numeric headers may wrap ("Messages / 30d") so that the numbers, not the words, set the width
const thNum = `${th} text-right`;
const td = 'px-2.5 py-3 align-top text-sm first:pl-5 last:pr-5';
const tdNum = `${td} text-right tabular-nums text-fg whitespace-nowrap`;
// the row's buttons stay in view while the usage columns scroll under them
const stick = 'sticky right-0 z-[1] shadow-[-1px_0_0_var(--color-line)]';

const created = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

function Status({ b }: { b: BusinessAdminView }) {
  return (
    <div className="flex flex-col items-start gap-1">
      {b.suspended ? (
        <Badge tone="red">{t('admin.biz.suspended')}</Badge>
      ) : (
        <Badge tone="brand">{t('admin.biz.active')}</Badge>
      )}
      {supportOpen(b) && (
        <Badge tone="amber">
          <span title={t('admin.biz.supportUntil', { time: formatDateTime(b.support_access_until) ?? '' })}>{t('admin.biz.supportOpen')}</span>
        </Badge>
      )}
    </div>
  );
}

function Limits({ b }: { b: BusinessAdminView }) {
  const l = b.limits;
  if (l.max_members === null && l.max_numbers === null && l.max_flows === null) {
    return <span className="text-muted">{t('admin.limits.unlimited')}</span>;
  }
  return (
    <span className="text-muted">
      {t('admin.limits.short', { members: formatLimit(l.max_members), numbers: formatLimit(l.max_numbers), flows: formatLimit(l.max_flows) })}
    </span>
  );
}

/** The row's buttons; labelled for screen readers, text shown where there is room. */
function Actions({ b, actions, withText }: { b: BusinessAdminView; actions: RowActions; withText?: boolean }) {
  const open = supportOpen(b);
  const size = withText ? 'sm' : 'icon';
  const cls = withText ? undefined : 'size-8';
  return (
    <div className={withText ? 'flex flex-wrap items-center gap-2' : 'flex items-center justify-end gap-0.5'}>
      <Button
        variant={withText ? 'secondary' : 'ghost'}
        size={size}
        className={cls}
        data-testid="admin-open-readonly"
        disabled={!open || (actions.opening !== null && actions.opening !== b.id)}
        loading={actions.opening === b.id}
        aria-label={t('admin.biz.openReadOnly', { name: b.name })}
        title={open ? t('admin.biz.openReadOnly', { name: b.name }) : t('admin.biz.noSupportAccess')}
        onClick={() => actions.openReadOnly(b)}
      >
        {actions.opening !== b.id && <Eye aria-hidden />}
        {withText && t('admin.biz.openReadOnlyShort')}
      </Button>
      <Button
        variant={withText ? 'secondary' : 'ghost'}
        size={size}
        className={cls}
        data-testid="admin-edit-limits"
        aria-label={t('admin.biz.editLimits', { name: b.name })}
        title={t('admin.biz.editLimits', { name: b.name })}
        onClick={() => actions.editLimits(b)}
      >
        <SlidersHorizontal aria-hidden />
        {withText && t('admin.limits.title')}
      </Button>
      <Button
        variant={withText ? 'secondary' : 'ghost'}
        size={size}
        className={cls}
        data-testid="admin-suspend"
        data-suspended={b.suspended}
        aria-label={t(b.suspended ? 'admin.resumeTitle' : 'admin.suspendTitle', { name: b.name })}
        title={t(b.suspended ? 'admin.resumeTitle' : 'admin.suspendTitle', { name: b.name })}
        onClick={() => actions.toggleSuspend(b)}
      >
        {b.suspended ? <Play aria-hidden /> : <Pause aria-hidden />}
        {withText && t(b.suspended ? 'admin.resume' : 'admin.suspend')}
      </Button>
    </div>
  );
}

function NameCell({ b }: { b: BusinessAdminView }) {
  const owner = b.owners[0];
  return (
    <div className="min-w-0">
      <p className="truncate font-medium text-fg" title={b.name}>{b.name}</p>
      {owner && <p className="truncate text-xs text-muted" title={b.owners.map((o) => o.email).join(', ')}>{owner.email}</p>}
    </div>
  );
}

export function BusinessTable({ rows, actions }: { rows: BusinessAdminView[]; actions: RowActions }) {
  return (
    <div className="relative overflow-x-auto">
      <table data-testid="admin-businesses-table" className="w-full">
        <thead className="border-b border-line bg-subtle">
          <tr>
            <th scope="col" className={th}>{t('admin.biz.col.name')}</th>
            <th scope="col" className={th}>{t('admin.biz.col.status')}</th>
            <th scope="col" className={th}>{t('admin.biz.col.created')}</th>
            <th scope="col" className={thNum}>{t('admin.biz.col.members')}</th>
            <th scope="col" className={thNum}>{t('admin.biz.col.numbers')}</th>
            <th scope="col" className={thNum}>{t('admin.biz.col.pages')}</th>
            <th scope="col" className={thNum}>{t('admin.biz.col.conversations')}</th>
            <th scope="col" className={thNum}>{t('admin.biz.col.messages30d')}</th>
            <th scope="col" className={thNum}>{t('admin.biz.col.media')}</th>
            <th scope="col" className={th}>{t('admin.biz.col.limits')}</th>
            <th scope="col" className={`${th} ${stick} bg-subtle`}><span className="sr-only">{t('common.actions')}</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {rows.map((b) => (
            <tr key={b.id} data-testid="admin-business-row" data-business-id={b.id} className="transition-colors hover:bg-subtle/50">
              <td className={`${td} max-w-48 min-w-36`}><NameCell b={b} /></td>
              <td className={td}><Status b={b} /></td>
              <td className={`${td} whitespace-nowrap text-muted`}><time dateTime={b.created_at} title={absoluteTime(b.created_at)}>{created(b.created_at)}</time></td>
              <td className={tdNum}>{formatCount(b.usage.members)}</td>
              <td className={tdNum}>{formatCount(b.usage.numbers)}</td>
              <td className={tdNum}>{formatCount(b.usage.pages)}</td>
              <td className={tdNum}>{formatCount(b.usage.conversations)}</td>
              <td className={tdNum}>{formatCount(b.usage.messages_30d)}</td>
              <td className={tdNum}>{formatBytes(b.usage.media_bytes)}</td>
              <td className={`${td} min-w-28 text-xs`}><Limits b={b} /></td>
              <td className={`${td} ${stick} bg-surface`}><Actions b={b} actions={actions} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Phone widths: one card per business. */
export function BusinessCards({ rows, actions }: { rows: BusinessAdminView[]; actions: RowActions }) {
  const stat = (label: string, value: string) => (
    <div className="min-w-0">
      <dt className="text-[11px] text-faint">{label}</dt>
      <dd className="truncate text-sm text-fg tabular-nums">{value}</dd>
    </div>
  );
  return (
    <ul data-testid="admin-businesses-table" className="divide-y divide-line">
      {rows.map((b) => (
        <li key={b.id} data-testid="admin-business-row" data-business-id={b.id} className="space-y-3 px-4 py-4">
          <div className="flex items-start justify-between gap-3">
            <NameCell b={b} />
            <Status b={b} />
          </div>
          <dl className="grid grid-cols-3 gap-x-3 gap-y-2">
            {stat(t('admin.biz.col.members'), formatCount(b.usage.members))}
            {stat(t('admin.biz.col.numbers'), formatCount(b.usage.numbers))}
            {stat(t('admin.biz.col.pages'), formatCount(b.usage.pages))}
            {stat(t('admin.biz.col.conversations'), formatCount(b.usage.conversations))}
            {stat(t('admin.biz.col.messages30d'), formatCount(b.usage.messages_30d))}
            {stat(t('admin.biz.col.media'), formatBytes(b.usage.media_bytes))}
          </dl>
          <p className="text-xs text-muted">
            {t('admin.biz.createdOn', { date: created(b.created_at) })} · {t('admin.biz.limitsLine')} <Limits b={b} />
          </p>
          <Actions b={b} actions={actions} withText />
        </li>
      ))}
    </ul>
  );
}
