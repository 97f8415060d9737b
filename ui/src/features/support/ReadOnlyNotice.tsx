import { Lock } from 'lucide-react';
import { t } from '../../lib/i18n';

/** Stands in for a write control (the reply composer) during a support view. */
export function ReadOnlyNotice() {
  return (
    <div
      role="status"
      data-testid="support-read-only"
      className="flex shrink-0 items-center gap-2 border-t border-line bg-subtle px-4 py-3 text-sm text-muted"
    >
      <Lock aria-hidden className="size-4 shrink-0" />
      {t('support.composerDisabled')}
    </div>
  );
}
