import { Badge } from '../../components/Badge';
import { t } from '../../lib/i18n';
import type { FlowStatus } from './types';

const TONE = { active: 'brand', draft: 'neutral', disabled: 'amber' } as const;

export function FlowStatusBadge({ status }: { status: FlowStatus }) {
  return (
    <Badge tone={TONE[status] ?? 'neutral'}>
      <span data-testid="flow-status" data-status={status}>{t(`flows.status.${status}`)}</span>
    </Badge>
  );
}
