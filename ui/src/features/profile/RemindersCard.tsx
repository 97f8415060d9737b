import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Card, CardHeader } from '../../components/Card';
import { Checkbox } from '../../components/Checkbox';
import { FormError } from '../../components/Field';
import { Skeleton } from '../../components/Spinner';
import { useToast } from '../../components/Toast';
import { ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { pushPermission, pushSupport, PushDenied, PushTimeout, subscribeThisBrowser } from './push';
import { PushDevices } from './PushDevices';
import { devicesKey, usePushDevices, useReminderPrefs, useSaveReminderPrefs } from './remindersApi';

const notFound = (e: unknown) => e instanceof ApiError && e.status === 404;

/** Profile card: how reminders reach me (in-app always, email, browser push); push also tells of new assignments. */
export function RemindersCard() {
  const qc = useQueryClient();
  const toast = useToast();
  const prefs = useReminderPrefs();
  const save = useSaveReminderPrefs();
  const devices = usePushDevices(prefs.isSuccess);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const support = pushSupport();
  const denied = pushPermission() === 'denied';

  const body = () => {
    if (prefs.isPending) return <Skeleton className="h-24 w-full" />;
    if (notFound(prefs.error)) return <p className="text-sm text-muted">{t('reminders.unavailable')}</p>;
    if (prefs.isError) return <FormError message={errorMessage(prefs.error)} />;
    const p = prefs.data;
    const put = (next: { email: boolean; push: boolean }) =>
      save.mutateAsync(next).then(
        () => toast.success(t('reminders.saved')),
        (e: unknown) => setProblem(errorMessage(e)),
      );

    const togglePush = async (on: boolean) => {
      setProblem(null);
      if (!on) return put({ email: p.email, push: false });
      if (support !== 'ok') return setProblem(t(support === 'insecure' ? 'reminders.insecure' : 'reminders.unsupported'));
      setBusy(true);
      try {
        await subscribeThisBrowser();
        await qc.invalidateQueries({ queryKey: devicesKey });
        await put({ email: p.email, push: true });
      } catch (e) {
        setProblem(
          e instanceof PushDenied
            ? t('reminders.denied')
            : e instanceof PushTimeout
              ? t('reminders.timeout')
              : e instanceof ApiError
                ? errorMessage(e)
                : t('reminders.subscribeFailed', { reason: e instanceof Error ? e.message : String(e) }),
        );
      } finally {
        setBusy(false);
      }
    };

    return (
      <div className="space-y-4">
        <div className="grid gap-2 sm:grid-cols-3">
          <Checkbox label={t('reminders.inApp')} hint={t('reminders.inAppHint')} checked disabled readOnly data-testid="reminder-inapp" />
          <Checkbox
            label={t('reminders.email')}
            hint={t('reminders.emailHint')}
            checked={p.email}
            disabled={save.isPending}
            data-testid="reminder-email"
            onChange={(e) => {
              setProblem(null);
              void put({ email: e.target.checked, push: p.push });
            }}
          />
          <Checkbox
            label={t('reminders.push')}
            hint={busy ? t('reminders.pushAsking') : t('reminders.pushHint')}
            checked={p.push}
            disabled={busy || save.isPending}
            data-testid="reminder-push"
            onChange={(e) => void togglePush(e.target.checked)}
          />
        </div>
        <FormError message={problem} testId="reminder-error" />
        {support !== 'ok' && !problem && (
          <p className="text-xs text-muted">{t(support === 'insecure' ? 'reminders.insecure' : 'reminders.unsupported')}</p>
        )}
        {support === 'ok' && denied && !problem && <p className="text-xs text-amber-700 dark:text-amber-300">{t('reminders.denied')}</p>}
        {devices.isSuccess && <PushDevices devices={devices.data.items} />}
      </div>
    );
  };

  return (
    <Card>
      <CardHeader title={t('reminders.title')} description={t('reminders.subtitle')} />
      <div className="p-5" data-testid="reminders-card">
        {body()}
      </div>
    </Card>
  );
}
