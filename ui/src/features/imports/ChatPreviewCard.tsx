import { Card, CardHeader } from '../../components/Card';
import { formatDateTime } from '../../lib/format';
import { t } from '../../lib/i18n';
import { fmtNum } from './parts';
import type { ChatPreview } from './types';

export function ChatPreviewCard({ preview: p }: { preview: ChatPreview }) {
  return (
    <Card>
      <CardHeader
        title={t('imports.chat.previewTitle')}
        description={t('imports.chat.summary', { format: p.format, n: fmtNum(p.messages), order: p.date_order.toUpperCase() })}
      />
      <div className="space-y-5 p-5">
        {p.date_order_guessed && <p className="text-xs text-muted">{t('imports.chat.orderGuessed', { order: p.date_order.toUpperCase() })}</p>}
        <ol className="space-y-2" aria-label={t('imports.chat.sample')}>
          {p.sample.map((m) => (
            <li key={m.line} className="rounded-lg border border-line bg-subtle/40 px-3 py-2">
              <div className="flex flex-wrap items-baseline gap-x-2 text-xs">
                <span className="font-semibold text-fg">{m.author || t('imports.chat.system')}</span>
                <span className="text-faint">{formatDateTime(m.at)}</span>
                {m.kind !== 'text' && <span className="text-muted">· {m.kind}</span>}
                <span className="ml-auto text-faint">{t('imports.chat.line', { n: m.line })}</span>
              </div>
              <p className="mt-0.5 text-sm break-words whitespace-pre-line text-fg">{m.text}</p>
            </li>
          ))}
        </ol>
        {p.errors_total > 0 && (
          <div className="space-y-2">
            <h3 className="text-sm font-semibold text-fg">{t('imports.chat.unreadable', { n: fmtNum(p.errors_total) })}</h3>
            <ul className="space-y-1 text-xs">
              {p.errors.map((e) => (
                <li key={e.line} className="rounded-md bg-amber-50 px-2.5 py-1.5 text-amber-900 dark:bg-amber-950/40 dark:text-amber-100">
                  <span className="font-medium">{t('imports.chat.line', { n: e.line })}</span> · {e.reason}
                  {e.text && <code className="mt-0.5 block truncate font-mono opacity-80">{e.text}</code>}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </Card>
  );
}
