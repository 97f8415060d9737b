import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { Switch } from '../components/Switch';
import { useToast } from '../components/Toast';
import { api, errorMessage } from '../lib/api';
import { meKey, useSession } from '../lib/auth';
import { t } from '../lib/i18n';
import type { Session } from '../lib/types';

/** The current member's "available for new conversations" switch. */
export function Availability() {
  const session = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const id = useId();
  const member = session.member;

  const mutation = useMutation({
    mutationFn: (available: boolean) => api.put(`/api/members/${member!.id}/availability`, { available }),
    onMutate: async (available) => {
      await qc.cancelQueries({ queryKey: meKey });
      const before = qc.getQueryData<Session | null>(meKey);
      if (before?.member) qc.setQueryData<Session>(meKey, { ...before, member: { ...before.member, available } });
      return { before };
    },
    onError: (e, _v, ctx) => {
      if (ctx?.before) qc.setQueryData(meKey, ctx.before);
      toast.error(errorMessage(e));
    },
    onSettled: () => {
      qc.invalidateQueries({ queryKey: meKey });
      qc.invalidateQueries({ queryKey: ['members'] });
    },
  });

  if (!member) return null;
  const on = member.available;
  return (
    <div className="flex items-center gap-2.5 rounded-full border border-line py-1 pr-1.5 pl-3">
      <label htmlFor={id} className="cursor-pointer text-xs font-medium text-muted select-none">
        <span className="hidden sm:inline">{on ? t('header.available') : t('header.away')}</span>
        <span className="sr-only sm:hidden">{on ? t('header.available') : t('header.away')}</span>
      </label>
      <Switch
        id={id}
        testId="availability-toggle"
        checked={on}
        onCheckedChange={(next) => mutation.mutate(next)}
        label={t('header.availabilityHint')}
        title={on ? t('header.availableOn') : t('header.availableOff')}
      />
    </div>
  );
}
