import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { ERASE_WORD, useEraseContact, type ErasedCounts } from './api';

interface Props {
  contact: { id: string; name: string | null; phone: string | null; email: string | null };
  onClose: () => void;
}

export function erasedSummary(c: ErasedCounts): string {
  return t('rights.erased', {
    conversations: c.conversations,
    messages: c.messages,
    media: c.media_files,
    followups: c.followups,
    runs: c.flow_runs,
  });
}

/** Permanent erasure, confirmed by typing the word; afterwards the conversation no longer exists. */
export function EraseContactDialog({ contact, onClose }: Props) {
  const [word, setWord] = useState('');
  const erase = useEraseContact(contact.id);
  const toast = useToast();
  const navigate = useNavigate();
  const who = contact.name || contact.phone || contact.email || t('common.unknown');
  const ready = word.trim() === ERASE_WORD;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!ready || erase.isPending) return;
    erase.mutate(undefined, {
      onSuccess: ({ erased }) => {
        onClose();
        toast.success(erasedSummary(erased));
        navigate('/inbox', { replace: true });
      },
    });
  }

  return (
    <Dialog
      open
      onOpenChange={(open) => !open && !erase.isPending && onClose()}
      title={t('rights.eraseTitle', { name: who })}
      description={t('rights.eraseBody')}
      size="sm"
      testId="erase-dialog"
    >
      <form noValidate onSubmit={submit} className="space-y-4">
        <FormError message={erase.isError ? errorMessage(erase.error) : null} testId="erase-error" />
        <Field label={t('rights.eraseType', { word: ERASE_WORD })}>
          <Input
            data-testid="erase-confirm-input"
            autoFocus
            autoComplete="off"
            spellCheck={false}
            value={word}
            onChange={(e) => setWord(e.target.value)}
          />
        </Field>
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button variant="secondary" onClick={onClose} disabled={erase.isPending}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant="danger" data-testid="erase-confirm-button" disabled={!ready} loading={erase.isPending}>
            {t('rights.eraseConfirm')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
