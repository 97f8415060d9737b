// The editor route (/flows/:id). Lazy-loaded: React Flow stays out of the main chunk.

import { ReactFlowProvider } from '@xyflow/react';
import { Link, useParams } from 'react-router';
import { Workflow } from 'lucide-react';
import { buttonClass } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { FullPageSpinner } from '../../components/Spinner';
import { ApiError, errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { DESKTOP, useMediaQuery } from '../../lib/useMediaQuery';
import { useFlow } from './api';
import { Editor } from './Editor';

export default function FlowEditor() {
  const { id = '' } = useParams();
  const flow = useFlow(id);
  const desktop = useMediaQuery(DESKTOP);
  if (flow.isPending) return <FullPageSpinner />;
  if (flow.isError)
    return (
      <EmptyState
        icon={Workflow}
        title={flow.error instanceof ApiError && flow.error.status === 404 ? t('flows.notFound') : t('error.loadFailed')}
        body={errorMessage(flow.error)}
        action={<Link to="/flows" className={buttonClass('secondary')}>{t('flows.back')}</Link>}
      />
    );
  return (
    <ReactFlowProvider key={id}>
      <Editor key={id} flow={flow.data} desktop={desktop} />
    </ReactFlowProvider>
  );
}
