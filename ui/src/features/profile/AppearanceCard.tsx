import { Monitor, Moon, Sun, type LucideIcon } from 'lucide-react';
import clsx from 'clsx';
import { Card, CardHeader } from '../../components/Card';
import { t, type MessageKey } from '../../lib/i18n';
import { setThemePref, useTheme, type ThemePref } from '../../lib/theme';

const OPTIONS: { value: ThemePref; labelKey: MessageKey; icon: LucideIcon }[] = [
  { value: 'light', labelKey: 'theme.light', icon: Sun },
  { value: 'dark', labelKey: 'theme.dark', icon: Moon },
  { value: 'system', labelKey: 'theme.system', icon: Monitor },
];

export function AppearanceCard() {
  const { pref } = useTheme();
  return (
    <Card>
      <CardHeader title={t('profile.appearance')} description={t('profile.appearanceHint')} />
      <div className="p-5">
        <div role="radiogroup" aria-label={t('profile.appearance')} className="inline-flex rounded-lg border border-line bg-subtle p-1">
          {OPTIONS.map(({ value, labelKey, icon: Icon }) => {
            const active = pref === value;
            return (
              <button
                key={value}
                type="button"
                role="radio"
                aria-checked={active}
                data-testid={`theme-${value}`}
                onClick={() => setThemePref(value)}
                className={clsx(
                  'focus-ring inline-flex h-8 cursor-pointer items-center gap-2 rounded-md px-3 text-sm font-medium transition-colors',
                  active ? 'bg-surface text-fg shadow-sm' : 'text-muted hover:text-fg',
                )}
              >
                <Icon aria-hidden className="size-4" />
                {t(labelKey)}
              </button>
            );
          })}
        </div>
      </div>
    </Card>
  );
}
