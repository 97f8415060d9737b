import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { BellRing, CircleCheck, CircleExclamationPoint, X } from 'lucide-react';
import clsx from 'clsx';
import { t } from '../lib/i18n';

type Kind = 'success' | 'error' | 'info';
export interface ToastAction {
  label: string;
  onClick: () => void;
}
interface ToastItem {
  id: number;
  kind: Kind;
  message: string;
  action?: ToastAction;
  testId?: string;
}
interface ToastApi {
  success: (message: string) => void;
  error: (message: string) => void;
  /** A longer-lived notice with one action button (e.g. "Open conversation"). */
  info: (message: string, action?: ToastAction, testId?: string) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function useToast(): ToastApi {
  const ctx = useContext(ToastContext);
  if (!ctx) throw new Error('useToast outside <ToastProvider>');
  return ctx;
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);

  const dismiss = useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), []);
  const push = useCallback(
    (kind: Kind, message: string, action?: ToastAction, testId?: string) => {
      const id = next.current++;
      setItems((xs) => [...xs.slice(-3), { id, kind, message, action, testId }]);
      window.setTimeout(() => dismiss(id), kind === 'error' || action ? 10000 : 4000);
    },
    [dismiss],
  );
  const api = useMemo<ToastApi>(
    () => ({
      success: (m) => push('success', m),
      error: (m) => push('error', m),
      info: (m, action, testId) => push('info', m, action, testId),
    }),
    [push],
  );

  return (
    <ToastContext.Provider value={api}>
      {children}
      <div
        aria-live="polite"
        className="pointer-events-none fixed inset-x-0 bottom-0 z-[60] flex flex-col items-center gap-2 p-4 sm:items-end"
      >
        {items.map((item) => (
          <div
            key={item.id}
            role={item.kind === 'error' ? 'alert' : 'status'}
            data-testid="toast"
            data-kind={item.testId}
            className={clsx(
              'animate-toast-in pointer-events-none flex w-full max-w-sm items-start gap-3 rounded-xl border bg-surface px-4 py-3 text-sm shadow-lg',
              item.kind === 'error' ? 'border-red-200 dark:border-red-900' : 'border-line',
            )}
          >
            {item.kind === 'info' ? (
              <BellRing aria-hidden className="mt-0.5 size-4 shrink-0 text-brand-600 dark:text-brand-400" />
            ) : item.kind === 'success' ? (
              <CircleCheck aria-hidden className="mt-0.5 size-4 shrink-0 text-brand-600 dark:text-brand-400" />
            ) : (
              <CircleExclamationPoint aria-hidden className="mt-0.5 size-4 shrink-0 text-red-600 dark:text-red-400" />
            )}
            <div className="min-w-0 flex-1">
              <p className="break-words text-fg">{item.message}</p>
              {item.action && (
                <button
                  type="button"
                  data-testid="toast-action"
                  onClick={() => {
                    item.action?.onClick();
                    dismiss(item.id);
                  }}
                  className="focus-ring pointer-events-auto mt-1 rounded text-sm font-medium text-brand-700 hover:underline dark:text-brand-300"
                >
                  {item.action.label}
                </button>
              )}
            </div>
            <button
              type="button"
              onClick={() => dismiss(item.id)}
              aria-label={t('common.close')}
              className="focus-ring pointer-events-auto -m-1 rounded p-1 text-faint hover:text-fg"
            >
              <X aria-hidden className="size-4" />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
