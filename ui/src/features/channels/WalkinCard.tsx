import { Download, ExternalLink, Printer, QrCode } from 'lucide-react';
import { Badge } from '../../components/Badge';
import { buttonClass } from '../../components/Button';
import { CopyField } from '../../components/CopyField';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { SourceCard } from './SourceCard';
import type { WalkinChannel } from './sourceTypes';
import { useDeleteChannel } from './sourcesApi';
import { channelPool } from './types';

/** A walk-in form: its public link, the QR code to print, and the pool that answers it. */
export function WalkinCard({ channel: c, members }: { channel: WalkinChannel; members: Member[] }) {
  const del = useDeleteChannel();
  // Shown and downloaded from this server (same origin); the copied link is the public one.
  const local = {
    form: `/w/${c.slug}`,
    qr: `/w/${c.slug}/qr.svg`,
    png: `/w/${c.slug}/qr.png`,
    poster: `/w/${c.slug}/poster`,
  };
  return (
    <SourceCard
      icon={QrCode}
      title={c.name}
      meta={
        <>
          <Badge tone="blue">{t('sources.kind.walkin')}</Badge>
          <span>{t('sources.walkinNote')}</span>
        </>
      }
      poolRef={channelPool(c.id)}
      members={members}
      onDelete={() => del.mutateAsync(c.id)}
      deleteTitle={t('sources.deleteTitle', { name: c.name })}
      deleteBody={t('sources.deleteWalkin')}
      attrs={{ 'data-testid': 'custom-channel-card', 'data-channel-id': c.id, 'data-kind': c.kind }}
    >
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
        <a
          href={local.qr}
          target="_blank"
          rel="noreferrer"
          className="focus-ring block shrink-0 self-center rounded-lg border border-line bg-white p-2 sm:self-start"
          title={t('sources.qrOpen')}
        >
          <img data-testid="walkin-qr" src={local.qr} alt={t('sources.qrAlt', { name: c.name })} width={128} height={128} className="size-32" />
        </a>
        <div className="min-w-0 flex-1 space-y-3">
          <div className="space-y-1.5">
            <p className="text-sm font-medium text-fg">{t('sources.formLink')}</p>
            <CopyField value={c.form_url} label={t('sources.formLink')} />
            <a
              data-testid="walkin-form-link"
              href={local.form}
              target="_blank"
              rel="noreferrer"
              className="inline-flex items-center gap-1 text-sm font-medium text-accent underline-offset-2 hover:underline"
            >
              {t('sources.openForm')}
              <ExternalLink aria-hidden className="size-3.5" />
            </a>
          </div>
          <div className="flex flex-wrap gap-2">
            <a data-testid="walkin-qr-svg" href={local.qr} download={`${c.slug}-qr.svg`} className={buttonClass('secondary', 'sm')}>
              <Download aria-hidden />
              {t('sources.downloadSvg')}
            </a>
            <a data-testid="walkin-qr-png" href={local.png} download={`${c.slug}-qr.png`} className={buttonClass('secondary', 'sm')}>
              <Download aria-hidden />
              {t('sources.downloadPng')}
            </a>
            <a data-testid="walkin-poster" href={local.poster} target="_blank" rel="noreferrer" className={buttonClass('secondary', 'sm')}>
              <Printer aria-hidden />
              {t('sources.poster')}
            </a>
          </div>
        </div>
      </div>
    </SourceCard>
  );
}
