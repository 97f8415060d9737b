import * as RS from '@radix-ui/react-switch';
import clsx from 'clsx';

interface SwitchProps {
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  disabled?: boolean;
  label: string;
  testId?: string;
  id?: string;
  title?: string;
}

export function Switch({ checked, onCheckedChange, disabled, label, testId, id, title }: SwitchProps) {
  return (
    <RS.Root
      id={id}
      checked={checked}
      onCheckedChange={onCheckedChange}
      disabled={disabled}
      aria-label={label}
      title={title}
      data-testid={testId}
      className={clsx(
        'focus-ring relative inline-flex h-5 w-9 shrink-0 cursor-pointer items-center rounded-full transition-colors',
        'disabled:cursor-not-allowed disabled:opacity-60',
        checked ? 'bg-brand-600 dark:bg-brand-500' : 'bg-line-strong',
      )}
    >
      <RS.Thumb
        className={clsx(
          'block size-4 rounded-full bg-white shadow-sm transition-transform',
          checked ? 'translate-x-[18px]' : 'translate-x-0.5',
        )}
      />
    </RS.Root>
  );
}
