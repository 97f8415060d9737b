import { forwardRef } from 'react';
import clsx from 'clsx';
import { Download, Search } from 'lucide-react';
import { Select } from '../../components/Input';
import { t } from '../../lib/i18n';
import type { ListFilters, View, WaNumber } from './types';

interface Props {
  filters: ListFilters;
  onFilters: (f: ListFilters) => void;
  views: View[];
  text: string;
  onText: (s: string) => void;
  unreadFirst: boolean;
  onUnreadFirst: (v: boolean) => void;
  numbers: WaNumber[];
  labels: string[];
  /** The CSV link for these filters; absent for those who may not export. */
  exportHref?: string;
}

const small = 'h-8 text-xs';

export const ListToolbar = forwardRef<HTMLInputElement, Props>(function ListToolbar(
  { filters, onFilters, views, text, onText, unreadFirst, onUnreadFirst, numbers, labels, exportHref },
  ref,
) {
  const set = (patch: Partial<ListFilters>) => onFilters({ ...filters, ...patch });
  return (
    <div className="space-y-2 border-b border-line p-3">
      {views.length > 1 && (
        <div role="tablist" aria-label={t('inbox.views')} className="flex rounded-lg bg-subtle p-0.5">
          {views.map((v) => (
            <button
              key={v}
              type="button"
              role="tab"
              aria-selected={filters.view === v}
              data-testid={`view-${v}`}
              onClick={() => set({ view: v })}
              className={clsx(
                'focus-ring h-7 flex-1 rounded-md text-xs font-medium transition-colors',
                filters.view === v ? 'bg-surface text-fg shadow-xs' : 'text-muted hover:text-fg',
              )}
            >
              {t(`inbox.view.${v}`)}
            </button>
          ))}
        </div>
      )}
      <div className="relative">
        <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-faint" />
        <input
          ref={ref}
          type="search"
          data-testid="list-filter"
          value={text}
          onChange={(e) => onText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              onText('');
              e.currentTarget.blur();
            }
          }}
          placeholder={t('inbox.filterPlaceholder')}
          aria-label={t('inbox.filterPlaceholder')}
          className="block h-8 w-full rounded-lg border border-line-strong bg-surface pr-2 pl-8 text-sm text-fg placeholder:text-faint focus:border-brand-500 focus:ring-3 focus:ring-brand-500/20 focus:outline-none"
        />
      </div>
      <div className="grid grid-cols-3 gap-1.5">
        <Select
          data-testid="filter-status"
          aria-label={t('inbox.filter.status')}
          value={filters.status}
          onChange={(e) => set({ status: e.target.value as ListFilters['status'] })}
          className={clsx('[&_select]:h-8 [&_select]:pr-7 [&_select]:pl-2 [&_select]:text-xs [&_svg]:right-2', small)}
        >
          <option value="open">{t('inbox.status.open')}</option>
          <option value="closed">{t('inbox.status.closed')}</option>
          <option value="">{t('inbox.status.any')}</option>
        </Select>
        <Select
          data-testid="filter-number"
          aria-label={t('inbox.filter.number')}
          value={filters.number_id}
          onChange={(e) => set({ number_id: e.target.value })}
          className={clsx('[&_select]:h-8 [&_select]:pr-7 [&_select]:pl-2 [&_select]:text-xs [&_svg]:right-2', small)}
        >
          <option value="">{t('inbox.filter.anyNumber')}</option>
          {numbers.map((n) => (
            <option key={n.id} value={n.id}>
              {n.display_phone_number}
            </option>
          ))}
        </Select>
        <Select
          data-testid="filter-label"
          aria-label={t('inbox.filter.label')}
          value={filters.label}
          onChange={(e) => set({ label: e.target.value })}
          className={clsx('[&_select]:h-8 [&_select]:pr-7 [&_select]:pl-2 [&_select]:text-xs [&_svg]:right-2', small)}
        >
          <option value="">{t('inbox.filter.anyLabel')}</option>
          {labels.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </Select>
      </div>
      <div className="flex items-center gap-2">
        <label className="flex flex-1 cursor-pointer items-center gap-2 text-xs text-muted select-none">
          <input
            type="checkbox"
            data-testid="filter-unread-first"
            checked={unreadFirst}
            onChange={(e) => onUnreadFirst(e.target.checked)}
            className="size-3.5 accent-brand-600"
          />
          {t('inbox.filter.unreadFirst')}
        </label>
        {exportHref && (
          <a
            data-testid="export-conversations"
            href={exportHref}
            download
            title={t('inbox.exportHint')}
            className="focus-ring -my-1 inline-flex items-center gap-1 rounded-md px-1.5 py-1 text-xs font-medium text-muted hover:bg-subtle hover:text-fg"
          >
            <Download aria-hidden className="size-3.5" />
            {t('inbox.export')}
          </a>
        )}
      </div>
    </div>
  );
});
