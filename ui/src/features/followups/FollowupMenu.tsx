import * as DM from '@radix-ui/react-dropdown-menu';
import { AlarmClockPlus, CalendarClock, CalendarDays, Ellipsis, Pencil, Trash } from 'lucide-react';
import { Button } from '../../components/Button';
import { t } from '../../lib/i18n';
import type { FollowupPatch } from './api';
import { nextWeek, toRfc3339, tomorrowNine } from './time';

const menuItem =
  'flex h-9 cursor-pointer items-center gap-2.5 rounded-md px-2.5 text-sm outline-none select-none data-[highlighted]:bg-subtle [&_svg]:size-4';

interface Props {
  note: string;
  done: boolean;
  onPatch: (patch: FollowupPatch) => void;
  onEdit: () => void;
  onDelete: () => void;
}

/** Snooze (1 h / tomorrow 9:00 / next week), edit and delete for one follow-up. */
export function FollowupMenu({ note, done, onPatch, onEdit, onDelete }: Props) {
  return (
    <DM.Root modal={false}>
      <DM.Trigger asChild>
        <Button variant="ghost" size="icon" className="size-8" aria-label={t('common.moreActions', { name: note })} data-testid="followup-menu">
          <Ellipsis />
        </Button>
      </DM.Trigger>
      <DM.Portal>
        <DM.Content align="end" sideOffset={4} className="animate-fade-in z-50 w-52 rounded-xl border border-line bg-surface p-1.5 shadow-lg">
          {!done && (
            <>
              <DM.Label className="px-2.5 pt-1 pb-1.5 text-[11px] font-medium tracking-wide text-faint uppercase">{t('followups.snooze')}</DM.Label>
              <DM.Item className={`${menuItem} text-fg [&_svg]:text-faint`} data-testid="followup-snooze-1h" onSelect={() => onPatch({ snooze_minutes: 60 })}>
                <AlarmClockPlus aria-hidden />
                {t('followups.snooze1h')}
              </DM.Item>
              <DM.Item
                className={`${menuItem} text-fg [&_svg]:text-faint`}
                data-testid="followup-snooze-tomorrow"
                onSelect={() => onPatch({ scheduled_for: toRfc3339(tomorrowNine()) })}
              >
                <CalendarClock aria-hidden />
                {t('followups.snoozeTomorrow')}
              </DM.Item>
              <DM.Item
                className={`${menuItem} text-fg [&_svg]:text-faint`}
                data-testid="followup-snooze-week"
                onSelect={() => onPatch({ scheduled_for: toRfc3339(nextWeek()) })}
              >
                <CalendarDays aria-hidden />
                {t('followups.snoozeWeek')}
              </DM.Item>
              <DM.Separator className="my-1 h-px bg-line" />
            </>
          )}
          <DM.Item className={`${menuItem} text-fg [&_svg]:text-faint`} data-testid="followup-edit" onSelect={onEdit}>
            <Pencil aria-hidden />
            {t('common.edit')}
          </DM.Item>
          <DM.Item className={`${menuItem} text-red-600 dark:text-red-400`} data-testid="followup-delete" onSelect={onDelete}>
            <Trash aria-hidden />
            {t('common.delete')}
          </DM.Item>
        </DM.Content>
      </DM.Portal>
    </DM.Root>
  );
}
