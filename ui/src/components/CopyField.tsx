import { useRef, useState } from 'react';
import { Check, Copy } from 'lucide-react';
import clsx from 'clsx';
import { copyText } from '../lib/clipboard';
import { t } from '../lib/i18n';
import { Button } from './Button';

interface Props {
  value: string;
  label: string;
  testId?: string;
  /** Several lines (a code sample) instead of one; the label is then shown above, next to the button. */
  multiline?: boolean;
  className?: string;
}

const box = 'rounded-lg border border-line-strong bg-canvas px-3 font-mono text-xs text-fg select-all';

/**
 * A read-only value with a Copy button (URLs, tokens, code samples). The value sits in an <output>:
 * its text is the value and so is its `value` property.
 */
export function CopyField({ value, label, testId, multiline, className }: Props) {
  const ref = useRef<HTMLOutputElement>(null);
  const [copied, setCopied] = useState(false);
  async function copy() {
    if (await copyText(value, ref.current)) {
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    }
  }
  const button = (
    <Button variant="secondary" size="sm" onClick={copy} aria-label={`${t('common.copy')}: ${label}`} className={multiline ? undefined : 'h-10!'}>
      {copied ? <Check aria-hidden /> : <Copy aria-hidden />}
      {copied ? t('common.copied') : t('common.copy')}
    </Button>
  );
  if (multiline)
    return (
      <div className={clsx('space-y-1.5', className)}>
        <div className="flex items-center justify-between gap-2">
          <p className="text-sm font-medium text-fg">{label}</p>
          {button}
        </div>
        <output ref={ref} aria-label={label} data-testid={testId} className={clsx(box, 'block overflow-x-auto py-2.5 leading-5 whitespace-pre')}>
          {value}
        </output>
      </div>
    );
  return (
    <div className={clsx('flex min-w-0 gap-2', className)}>
      <output
        ref={ref}
        aria-label={label}
        data-testid={testId}
        title={value}
        className={clsx(box, 'flex h-10 min-w-0 flex-1 items-center overflow-x-auto whitespace-nowrap')}
      >
        {value}
      </output>
      {button}
    </div>
  );
}
