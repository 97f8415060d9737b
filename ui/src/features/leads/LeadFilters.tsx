import { X } from 'lucide-react';
import { Button } from '../../components/Button';
import { Input, Select } from '../../components/Input';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { sourceLabel } from './SourceBadge';
import { LEAD_SOURCES, type LeadFilters } from './types';
import type { ChannelOption } from './useChannelOptions';

interface Props {
  value: LeadFilters;
  onChange: (patch: Partial<LeadFilters>) => void;
  onClear: () => void;
  channels: ChannelOption[];
  members: Member[];
}

const label = 'mb-1 block text-xs font-medium text-muted';

export function LeadFiltersBar({ value: f, onChange, onClear, channels, members }: Props) {
  const any = Object.values(f).some(Boolean);
  return (
    <div data-testid="leads-filters" className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
      <label className="min-w-0">
        <span className={label}>{t('leads.filter.source')}</span>
        <Select data-testid="leads-filter-source" value={f.source} onChange={(e) => onChange({ source: e.target.value })}>
          <option value="">{t('leads.filter.anySource')}</option>
          {LEAD_SOURCES.map((s) => (
            <option key={s} value={s}>{sourceLabel(s)}</option>
          ))}
        </Select>
      </label>
      <label className="min-w-0">
        <span className={label}>{t('leads.filter.channel')}</span>
        <Select data-testid="leads-filter-channel" value={f.channel} onChange={(e) => onChange({ channel: e.target.value })}>
          <option value="">{t('leads.filter.anyChannel')}</option>
          {f.channel && !channels.some((c) => c.value === f.channel) && <option value={f.channel}>{f.channel}</option>}
          {channels.map((c) => (
            <option key={c.value} value={c.value}>{c.label}</option>
          ))}
        </Select>
      </label>
      <label className="min-w-0">
        <span className={label}>{t('leads.filter.assignee')}</span>
        <Select data-testid="leads-filter-assignee" value={f.assignee_id} onChange={(e) => onChange({ assignee_id: e.target.value })}>
          <option value="">{t('leads.filter.anyone')}</option>
          <option value="none">{t('leads.unassigned')}</option>
          {members.map((m) => (
            <option key={m.id} value={m.id}>{m.name}</option>
          ))}
        </Select>
      </label>
      <label className="min-w-0">
        <span className={label}>{t('leads.filter.status')}</span>
        <Select data-testid="leads-filter-status" value={f.status} onChange={(e) => onChange({ status: e.target.value })}>
          <option value="">{t('inbox.status.any')}</option>
          <option value="open">{t('inbox.status.open')}</option>
          <option value="closed">{t('inbox.status.closed')}</option>
        </Select>
      </label>
      <label className="min-w-0">
        <span className={label}>{t('leads.filter.from')}</span>
        <Input data-testid="leads-filter-from" type="date" value={f.from} max={f.to || undefined} onChange={(e) => onChange({ from: e.target.value })} />
      </label>
      <div className="flex min-w-0 items-end gap-2">
        <label className="min-w-0 flex-1">
          <span className={label}>{t('leads.filter.to')}</span>
          <Input data-testid="leads-filter-to" type="date" value={f.to} min={f.from || undefined} onChange={(e) => onChange({ to: e.target.value })} />
        </label>
        {any && (
          <Button variant="ghost" size="icon" data-testid="leads-filter-clear" aria-label={t('leads.filter.clear')} title={t('leads.filter.clear')} onClick={onClear} className="size-10">
            <X />
          </Button>
        )}
      </div>
    </div>
  );
}
