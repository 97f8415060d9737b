import { BellRing, MonitorSmartphone, Trash } from 'lucide-react';
import { Button } from '../../components/Button';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import { useRemoveDevice, useTestPush, type PushDevice } from './remindersApi';

/** "Chrome on Android" from a user agent string; the raw string when unknown. */
export function deviceLabel(ua: string | null): string {
  if (!ua) return t('reminders.unknownDevice');
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : null;
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : null;
  if (browser && os) return t('reminders.deviceOn', { browser, os });
  return browser ?? os ?? ua.slice(0, 60);
}

export function PushDevices({ devices }: { devices: PushDevice[] }) {
  const toast = useToast();
  const remove = useRemoveDevice();
  const test = useTestPush();
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm font-medium text-fg">{t('reminders.devices')}</p>
        <Button
          variant="secondary"
          size="sm"
          data-testid="push-test"
          loading={test.isPending}
          onClick={() =>
            test.mutate(undefined, {
              onSuccess: () => toast.success(t('reminders.testSent')),
              onError: (e) => toast.error(errorMessage(e)),
            })
          }
        >
          <BellRing aria-hidden />
          {t('reminders.test')}
        </Button>
      </div>
      {devices.length === 0 ? (
        <p className="text-sm text-muted">{t('reminders.noDevices')}</p>
      ) : (
        <ul className="divide-y divide-line rounded-lg border border-line">
          {devices.map((d) => (
            <li key={d.id} data-testid="push-device" className="flex items-center gap-3 px-3 py-2.5">
              <MonitorSmartphone aria-hidden className="size-4 shrink-0 text-faint" />
              <div className="min-w-0 flex-1">
                <p className="truncate text-sm text-fg">{deviceLabel(d.user_agent)}</p>
                <p className="truncate text-xs text-muted">
                  {d.endpoint_host} · {formatDateTime(d.created_at)}
                </p>
              </div>
              <Button
                variant="ghost"
                size="icon"
                className="size-8 text-red-600 hover:text-red-700 dark:text-red-400"
                aria-label={t('reminders.removeDevice', { name: deviceLabel(d.user_agent) })}
                data-testid="push-device-remove"
                loading={remove.isPending && remove.variables === d.id}
                onClick={() => remove.mutate(d.id, { onError: (e) => toast.error(errorMessage(e)) })}
              >
                {!(remove.isPending && remove.variables === d.id) && <Trash />}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
