import { Moon, Sun } from 'lucide-react';
import { t } from '../lib/i18n';
import { setThemePref, useTheme } from '../lib/theme';
import { Button } from './Button';

/** Flips between light and dark; "system" is offered on the profile page. */
export function ThemeToggle() {
  const { resolved } = useTheme();
  const next = resolved === 'dark' ? 'light' : 'dark';
  const label = t('theme.toggle', { mode: t(next === 'dark' ? 'theme.dark' : 'theme.light').toLowerCase() });
  return (
    <Button variant="ghost" size="icon" data-testid="theme-toggle" aria-label={label} title={label} onClick={() => setThemePref(next)}>
      {resolved === 'dark' ? <Sun /> : <Moon />}
    </Button>
  );
}
