import * as RD from '@radix-ui/react-dialog';
import { ExternalLink, X } from 'lucide-react';
import { t } from '../../lib/i18n';

export function Lightbox({ src, alt, onClose }: { src: string; alt: string; onClose: () => void }) {
  return (
    <RD.Root open onOpenChange={(o) => !o && onClose()}>
      <RD.Portal>
        <RD.Overlay className="animate-fade-in fixed inset-0 z-50 bg-black/85" />
        <RD.Content className="fixed inset-0 z-50 flex items-center justify-center p-6 focus:outline-none" onClick={onClose}>
          <RD.Title className="sr-only">{alt || t('msgType.image')}</RD.Title>
          <RD.Description className="sr-only">{alt || t('msgType.image')}</RD.Description>
          <img src={src} alt={alt} className="max-h-full max-w-full rounded-lg object-contain shadow-2xl" onClick={(e) => e.stopPropagation()} />
          <div className="absolute top-3 right-3 flex gap-2">
            <a
              href={src}
              target="_blank"
              rel="noreferrer"
              onClick={(e) => e.stopPropagation()}
              aria-label={t('thread.openNewTab')}
              className="focus-ring rounded-full bg-white/10 p-2 text-white hover:bg-white/20"
            >
              <ExternalLink className="size-5" />
            </a>
            <RD.Close aria-label={t('common.close')} className="focus-ring rounded-full bg-white/10 p-2 text-white hover:bg-white/20">
              <X className="size-5" />
            </RD.Close>
          </div>
        </RD.Content>
      </RD.Portal>
    </RD.Root>
  );
}
