import { Trash2, X } from 'lucide-react';
import type { Node } from '@xyflow/react';
import { Button } from '../../components/Button';
import { t } from '../../lib/i18n';
import { ActionForm } from './forms/ActionForm';
import type { Data } from './forms/common';
import { ConditionForm } from './forms/ConditionForm';
import { DelayForm } from './forms/DelayForm';
import { MessageForm } from './forms/MessageForm';
import { QuestionForm } from './forms/QuestionForm';
import { TriggerForm } from './forms/TriggerForm';
import { isNodeType, NODE_DEFS } from './nodeDefs';

const FORMS = { trigger: TriggerForm, message: MessageForm, question: QuestionForm, condition: ConditionForm, delay: DelayForm, action: ActionForm };

interface Props {
  node: Node;
  issues: string[];
  readOnly: boolean;
  onChange: (data: Data, key?: string) => void;
  onDelete: () => void;
  onClose: () => void;
}

/** The side panel of the selected node: its form, its problems, delete. */
export function NodePanel({ node, issues, readOnly, onChange, onDelete, onClose }: Props) {
  const type = isNodeType(node.type) ? node.type : 'message';
  const def = NODE_DEFS[type];
  const Form = FORMS[type];
  const Icon = def.icon;
  return (
    <div data-testid="node-panel" data-node-id={node.id} className="flex h-full flex-col">
      <div className="flex items-center gap-2 border-b border-line px-4 py-3">
        <span className={`flex size-7 items-center justify-center rounded-md ${def.chip}`}>
          <Icon aria-hidden className="size-4" />
        </span>
        <div className="min-w-0 flex-1">
          <h2 className="text-sm font-semibold text-fg">{t(def.labelKey)}</h2>
          <p className="truncate font-mono text-[11px] text-faint">{node.id}</p>
        </div>
        {!readOnly && type !== 'trigger' && (
          <Button variant="ghost" size="icon" aria-label={t('flows.deleteNode')} data-testid="node-delete" onClick={onDelete}>
            <Trash2 />
          </Button>
        )}
        <Button variant="ghost" size="icon" aria-label={t('common.close')} onClick={onClose}>
          <X />
        </Button>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto px-4 py-4">
        {issues.length > 0 && (
          <ul role="alert" className="mb-4 space-y-1 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-xs text-red-800 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200">
            {issues.map((m, i) => <li key={i}>{m}</li>)}
          </ul>
        )}
        <fieldset disabled={readOnly} className="min-w-0">
          <Form data={node.data as Data} set={onChange} />
        </fieldset>
      </div>
    </div>
  );
}
