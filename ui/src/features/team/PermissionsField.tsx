import { Checkbox } from '../../components/Checkbox';
import { t } from '../../lib/i18n';
import { PERMISSIONS, type Permission } from '../../lib/types';
import { permHint, permLabel } from './roles';

interface Props {
  value: Permission[];
  onChange: (next: Permission[]) => void;
  /** Owners hold every permission through their role. */
  owner: boolean;
  error?: string;
}

export function PermissionsField({ value, onChange, owner, error }: Props) {
  const toggle = (p: Permission, on: boolean) =>
    onChange(on ? PERMISSIONS.filter((x) => x === p || value.includes(x)) : value.filter((x) => x !== p));
  return (
    <fieldset>
      <legend className="mb-1.5 text-sm font-medium text-fg">{t('member.permissions')}</legend>
      {owner && <p className="mb-2 text-xs text-muted">{t('member.ownerHasAll')}</p>}
      {error && <p className="mb-2 text-xs font-medium text-red-600 dark:text-red-400">{error}</p>}
      <div className="grid gap-2 sm:grid-cols-2">
        {PERMISSIONS.map((p) => (
          <Checkbox
            key={p}
            data-testid={`member-perm-${p}`}
            label={permLabel(p)}
            hint={permHint(p)}
            disabled={owner}
            checked={owner || value.includes(p)}
            onChange={(e) => toggle(p, e.target.checked)}
          />
        ))}
      </div>
    </fieldset>
  );
}
