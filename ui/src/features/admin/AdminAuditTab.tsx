import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { Select } from '../../components/Input';
import { t } from '../../lib/i18n';
import { AuditLog } from '../audit/AuditLog';
import { useBusinessNames } from './api';

const EXTRA = ['business_id'] as const;

/** Every business's audit log (the owners' table and filters), narrowed to one business or to the platform. */
export function AdminAuditTab() {
  const [params, setParams] = useSearchParams();
  const names = useBusinessNames();
  const current = params.get('business_id') ?? '';
  const byId = useMemo(() => new Map((names.data ?? []).map((b) => [b.id, b.name])), [names.data]);
  const businessName = useCallback((id: string | null) => (id ? (byId.get(id) ?? id) : t('admin.platform')), [byId]);

  const pick = (id: string) => {
    const next = new URLSearchParams(params);
    if (id) next.set('business_id', id);
    else next.delete('business_id');
    setParams(next, { replace: true });
  };

  const filter = (
    <label className="block min-w-0 sm:max-w-xs">
      <span className="mb-1 block text-xs font-medium text-muted">{t('admin.audit.business')}</span>
      <Select data-testid="admin-audit-business" value={current} onChange={(e) => pick(e.target.value)}>
        <option value="">{t('admin.audit.allBusinesses')}</option>
        <option value="platform">{t('admin.audit.platformOnly')}</option>
        {current && current !== 'platform' && !byId.has(current) && <option value={current}>{current}</option>}
        {(names.data ?? []).map((b) => (
          <option key={b.id} value={b.id}>{b.name}</option>
        ))}
      </Select>
    </label>
  );

  return (
    <div data-testid="admin-audit">
      <AuditLog endpoint="/api/admin/audit" extraKeys={EXTRA} extraFilters={filter} businessName={businessName} />
    </div>
  );
}
