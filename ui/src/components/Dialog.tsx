import * as RD from '@radix-ui/react-dialog';
import { X } from 'lucide-react';
import { useRef, type ReactNode } from 'react';
import clsx from 'clsx';
import { t } from '../lib/i18n';
import { Button } from './Button';

interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  children?: ReactNode;
  /** Buttons row; rendered under the body. */
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  testId?: string;
}

const widths = { sm: 'max-w-sm', md: 'max-w-lg', lg: 'max-w-2xl' };

/** The element to give focus back to: the active one, or for a menu item the menu's trigger. */
function focusOrigin(): HTMLElement | null {
  const el = document.activeElement;
  if (!(el instanceof HTMLElement)) return null;
  const menu = el.closest<HTMLElement>('[role="menu"]');
  if (menu?.id) return document.querySelector<HTMLElement>(`[aria-controls="${CSS.escape(menu.id)}"]`) ?? el;
  return el;
}

/** Modal dialog (Radix: focus trap, Escape, aria wiring). */
export function Dialog({ open, onOpenChange, title, description, children, footer, size = 'md', testId }: DialogProps) {
  // Controlled dialogs have no Radix Trigger, so remember what had focus and give it back on close.
  const returnFocus = useRef<HTMLElement | null>(null);
  return (
    <RD.Root open={open} onOpenChange={onOpenChange}>
      <RD.Portal>
        <RD.Overlay className="animate-fade-in fixed inset-0 z-50 bg-zinc-950/50 backdrop-blur-[2px] dark:bg-black/70" />
        <RD.Content
          data-testid={testId}
          onOpenAutoFocus={() => {
            returnFocus.current = focusOrigin();
          }}
          onCloseAutoFocus={(e) => {
            const el = returnFocus.current;
            if (el?.isConnected) {
              e.preventDefault();
              el.focus();
            }
          }}
          className={clsx(
            'animate-pop-in fixed top-1/2 left-1/2 z-50 -translate-x-1/2 -translate-y-1/2 flex max-h-[calc(100dvh-2rem)] w-[calc(100vw-2rem)] flex-col',
            'rounded-xl border border-line bg-surface shadow-2xl focus:outline-none',
            widths[size],
          )}
        >
          <div className="px-5 pt-5 pr-14 pb-1">
            <RD.Title className="text-lg font-semibold text-fg">{title}</RD.Title>
            {description ? (
              <RD.Description className="mt-1 text-sm text-muted">{description}</RD.Description>
            ) : (
              <RD.Description className="sr-only">{title}</RD.Description>
            )}
          </div>
          {children ? <div className="min-h-0 flex-1 overflow-y-auto px-5 py-4">{children}</div> : <div className="h-4" />}
          {footer && (
            <div
              className={clsx(
                'flex flex-col-reverse gap-2 px-5 pb-5 sm:flex-row sm:justify-end',
                children ? 'border-t border-line pt-4' : 'pt-1',
              )}
            >
              {footer}
            </div>
          )}
          {/* Last in the DOM so that the first field, not the close button, gets the initial focus. */}
          <RD.Close asChild>
            <Button variant="ghost" size="icon" aria-label={t('common.close')} className="absolute top-3.5 right-3.5">
              <X />
            </Button>
          </RD.Close>
        </RD.Content>
      </RD.Portal>
    </RD.Root>
  );
}

interface ConfirmProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
  error?: string | null;
}

export function ConfirmDialog({ open, onOpenChange, title, body, confirmLabel, onConfirm, busy, error }: ConfirmProps) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={title}
      description={body}
      size="sm"
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </Button>
          <Button variant="danger" loading={busy} onClick={onConfirm} data-testid="confirm">
            {confirmLabel}
          </Button>
        </>
      }
    >
      {error ? <p className="text-sm text-red-600 dark:text-red-400">{error}</p> : null}
    </Dialog>
  );
}

