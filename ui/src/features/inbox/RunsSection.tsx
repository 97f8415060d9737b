import { useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import { useFlows } from '../flows/api';
import { RunCard } from './RunCard';
import { isActive, mayManageFlows, useRuns } from './runs';

/** The contact panel's "Automation" block: the latest flow run, older ones folded away. */
export function RunsSection({ conversationId }: { conversationId: string }) {
  const session = useSession();
  const manage = mayManageFlows(session);
  const q = useRuns(conversationId);
  const flows = useFlows(manage);
  const runs = q.data?.items ?? [];
  if (!runs.length) return null;

  const names = new Map((flows.data?.items ?? []).map((f) => [f.id, f.name]));
  const activeId = runs.find((r) => isActive(r.state))?.id ?? null;
  const card = (i: number) => {
    const r = runs[i];
    return (
      <RunCard
        key={r.id}
        run={r}
        conversationId={conversationId}
        flowName={names.get(r.flow_id) ?? t('runs.flow')}
        manage={manage}
        blocked={activeId !== null && activeId !== r.id}
        latest={i === 0}
      />
    );
  };

  return (
    <section data-testid="runs-section" aria-label={t('runs.title')} className="space-y-2">
      <p className="text-[11px] font-medium tracking-wide text-faint uppercase">{t('runs.title')}</p>
      {card(0)}
      {runs.length > 1 && (
        <details className="group">
          <summary className="cursor-pointer rounded text-xs font-medium text-muted hover:text-fg">
            {t('runs.earlier', { n: runs.length - 1 })}
          </summary>
          <div className="mt-2 space-y-2">{runs.slice(1).map((_, i) => card(i + 1))}</div>
        </details>
      )}
    </section>
  );
}
