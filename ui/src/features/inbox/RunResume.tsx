import { useState } from 'react';
import { Play } from 'lucide-react';
import { Button } from '../../components/Button';
import { Select } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { FlowNodeJson } from '../flows/types';
import { nodeLabel, useResumeRun, type Run } from './runs';

/** "Resume from…": pick a node of the run's flow version and start again there. */
export function RunResume({ run, conversationId, nodes, blocked }: { run: Run; conversationId: string; nodes: FlowNodeJson[]; blocked: boolean }) {
  const toast = useToast();
  const resume = useResumeRun(conversationId);
  const [picked, setPicked] = useState<string | null>(null);
  const fallback = nodes.some((n) => n.id === run.current_node) ? run.current_node! : '';
  const node = picked ?? fallback;

  return (
    <div className="space-y-1.5">
      <div className="flex flex-col gap-1.5">
        <Select
          data-testid="run-resume-node"
          aria-label={t('runs.resumeFrom')}
          value={node}
          disabled={blocked || resume.isPending}
          onChange={(e) => setPicked(e.target.value)}
          className="[&_select]:h-8 [&_select]:text-xs"
        >
          <option value="">{t('runs.resumeFrom')}</option>
          {nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {nodeLabel(n, n.id)}
            </option>
          ))}
        </Select>
        <Button
          data-testid="run-resume"
          size="sm"
          variant="secondary"
          className="self-start"
          disabled={!node || blocked}
          loading={resume.isPending}
          onClick={() =>
            resume.mutate(
              { runId: run.id, nodeId: node },
              { onSuccess: () => toast.success(t('runs.resumed')), onError: (e) => toast.error(errorMessage(e)) },
            )
          }
        >
          <Play />
          {t('runs.resume')}
        </Button>
      </div>
      {blocked && <p className="text-xs text-muted">{t('runs.resumeBlocked')}</p>}
    </div>
  );
}
