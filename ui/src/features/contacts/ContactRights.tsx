import { useState } from 'react';
import { Download, Trash2 } from 'lucide-react';
import { Button } from '../../components/Button';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useExportContact } from './api';
import { EraseContactDialog } from './EraseContactDialog';

interface Props {
  contact: { id: string; name: string | null; phone: string | null; email: string | null };
}

/** Owner-only data rights for one contact: export everything, or erase it. */
export function ContactRights({ contact }: Props) {
  const exp = useExportContact(contact.id);
  const toast = useToast();
  const [erasing, setErasing] = useState(false);
  return (
    <section data-testid="contact-rights" aria-labelledby="contact-rights-title" className="space-y-2 border-t border-line pt-4">
      <h3 id="contact-rights-title" className="text-[11px] font-medium tracking-wide text-faint uppercase">
        {t('rights.title')}
      </h3>
      <p className="text-xs text-muted">{t('rights.hint')}</p>
      <div className="flex flex-wrap gap-2">
        <Button
          variant="secondary"
          size="sm"
          data-testid="contact-export"
          loading={exp.isPending}
          onClick={() => exp.mutate(undefined, { onError: (e) => toast.error(errorMessage(e)) })}
        >
          {!exp.isPending && <Download aria-hidden />}
          {t('rights.export')}
        </Button>
        <Button
          variant="secondary"
          size="sm"
          data-testid="contact-erase"
          onClick={() => setErasing(true)}
          className="text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950/40"
        >
          <Trash2 aria-hidden />
          {t('rights.erase')}
        </Button>
      </div>
      {erasing && <EraseContactDialog contact={contact} onClose={() => setErasing(false)} />}
    </section>
  );
}
