import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useToast } from '../../components/Toast';
import { t } from '../../lib/i18n';
import { useFrames } from '../../lib/realtime';
import { followupsKey } from './api';

/** followup.due frames → a toast that opens the conversation; lists refresh. */
export function useFollowupAlerts() {
  const qc = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  useFrames(
    (f) => {
      if (f.type !== 'followup.due') return;
      const d = f.data;
      const conv = typeof d.conversation_id === 'string' ? d.conversation_id : null;
      const note = typeof d.note === 'string' && d.note ? d.note : t('followups.title');
      void qc.invalidateQueries({ queryKey: followupsKey });
      toast.info(
        t('followups.dueToast', { note }),
        conv ? { label: t('followups.openConversation'), onClick: () => navigate(`/inbox/${conv}`) } : undefined,
        'followup-due',
      );
    },
    () => void qc.invalidateQueries({ queryKey: followupsKey }),
  );
}
