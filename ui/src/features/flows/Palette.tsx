import type { DragEvent } from 'react';
import clsx from 'clsx';
import { t } from '../../lib/i18n';
import { NODE_DEFS } from './nodeDefs';
import { NODE_TYPES, type NodeType } from './types';

export const DND_TYPE = 'application/x-wafunnel-node';

/** Node types to drag onto the canvas (or click: added at the centre of the view). */
export function Palette({ onAdd, hasTrigger }: { onAdd: (type: NodeType) => void; hasTrigger: boolean }) {
  const start = (type: NodeType) => (e: DragEvent) => {
    e.dataTransfer.setData(DND_TYPE, type);
    e.dataTransfer.setData('text/plain', type);
    e.dataTransfer.effectAllowed = 'move';
  };
  return (
    <nav aria-label={t('flows.palette')} className="flex flex-col gap-1.5 p-2">
      <p className="hidden px-1 text-[11px] font-semibold tracking-wide text-faint uppercase xl:block">{t('flows.palette')}</p>
      {NODE_TYPES.map((type) => {
        const def = NODE_DEFS[type];
        const Icon = def.icon;
        const off = type === 'trigger' && hasTrigger;
        return (
          <button
            key={type}
            type="button"
            draggable={!off}
            disabled={off}
            title={off ? t('flows.oneTrigger') : `${t(def.labelKey)}: ${t('flows.paletteHint')}`}
            aria-label={t(def.labelKey)}
            data-testid="palette-item"
            data-node-type={type}
            onDragStart={start(type)}
            onClick={() => onAdd(type)}
            className={clsx(
              'focus-ring flex items-center gap-2 rounded-lg border border-line bg-surface px-2 py-1.5 text-left text-sm text-fg shadow-xs transition-colors',
              off ? 'cursor-not-allowed opacity-45' : 'cursor-grab hover:border-line-strong hover:bg-subtle active:cursor-grabbing',
            )}
          >
            <span className={clsx('flex size-6 shrink-0 items-center justify-center rounded-md', def.chip)}>
              <Icon aria-hidden className="size-3.5" />
            </span>
            <span className="hidden truncate xl:inline">{t(def.labelKey)}</span>
          </button>
        );
      })}
    </nav>
  );
}
