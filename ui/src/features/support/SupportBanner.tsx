import { useEffect } from 'react';
import { Eye, LogOut } from 'lucide-react';
import { Button } from '../../components/Button';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import type { SupportSession } from '../../lib/types';
import { useExitSupport } from './api';

const compact = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const compactTime = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : compact.format(d);
};

/** Height the layout reserves for the banner (kept in step with the class below). */
export const SUPPORT_BANNER_HEIGHT = '2.75rem';

/** Persistent bar over the app while a platform admin views a business read-only. */
export function SupportBanner({ support }: { support: SupportSession }) {
  const exit = useExitSupport();
  const toast = useToast();
  // the server ends the view at expires_at: reload then, which lands on the platform again
  useEffect(() => {
    const left = new Date(support.expires_at).getTime() - Date.now();
    // already past (clocks disagree): leave it to the server, never reload in a loop
    if (Number.isNaN(left) || left < 0) return;
    const id = window.setTimeout(() => window.location.assign('/'), Math.min(left + 1000, 2 ** 31 - 1));
    return () => window.clearTimeout(id);
  }, [support.expires_at]);
  const until = formatDateTime(support.expires_at) ?? support.expires_at;
  const text = t('support.banner', { business: support.business_name, time: until });
  return (
    <div
      role="status"
      data-testid="support-banner"
      className="flex h-11 items-center gap-3 border-b border-amber-300 bg-amber-100 px-4 text-sm text-amber-950 sm:px-6 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
    >
      <Eye aria-hidden className="size-4 shrink-0" />
      <p className="min-w-0 flex-1 truncate font-medium" title={text}>
        <span className="hidden sm:inline">{text}</span>
        {/* phones: the business is named in the header right below */}
        <span className="sm:hidden">{t('support.bannerShort', { time: compactTime(support.expires_at) })}</span>
      </p>
      <Button
        size="sm"
        variant="secondary"
        data-testid="support-exit"
        loading={exit.isPending}
        onClick={() => exit.mutate(undefined, { onError: (e) => toast.error(errorMessage(e)) })}
        className="h-7 border-amber-400 bg-amber-50 text-amber-950 hover:bg-white dark:border-amber-700 dark:bg-amber-900 dark:text-amber-50 dark:hover:bg-amber-800"
      >
        {!exit.isPending && <LogOut aria-hidden />}
        {t('support.exit')}
      </Button>
    </div>
  );
}
