import { useRef, type ReactNode } from 'react';
import * as DM from '@radix-ui/react-dropdown-menu';
import { Link } from 'react-router';
import { ArrowLeft, BarChart3, Copy, Download, Ellipsis, History, LayoutDashboard, Maximize, MessageSquare, Power, Redo2, Rocket, Trash2, Undo2, Upload } from 'lucide-react';
import clsx from 'clsx';
import { Button } from '../../components/Button';
import { t } from '../../lib/i18n';
import { FlowStatusBadge } from './StatusBadge';
import type { FlowStatus } from './types';
import type { SaveState } from './useAutosave';

export interface BarActions {
  undo: () => void;
  redo: () => void;
  layout: () => void;
  fit: () => void;
  toggleStats: () => void;
  exportJson: () => void;
  importFile: (f: File) => void;
  versions: () => void;
  duplicate: () => void;
  remove: () => void;
  simulate: () => void;
  disable: () => void;
  publish: () => void;
}

interface Props {
  name: string;
  status: FlowStatus;
  published: number | null;
  draftChanged: boolean;
  save: SaveState;
  canUndo: boolean;
  canRedo: boolean;
  showStats: boolean;
  simOpen: boolean;
  publishing: boolean;
  readOnly: boolean;
  actions: BarActions;
}

function Icon({ label, onClick, children, testId, pressed, disabled }: { label: string; onClick: () => void; children: ReactNode; testId?: string; pressed?: boolean; disabled?: boolean }) {
  return (
    <Button variant="ghost" size="icon" aria-label={label} title={label} data-testid={testId} aria-pressed={pressed} disabled={disabled} onClick={onClick} className={clsx(pressed && 'bg-subtle text-fg')}>
      {children}
    </Button>
  );
}

const itemClass = 'flex h-9 cursor-pointer items-center gap-2.5 rounded-md px-2.5 text-sm text-fg outline-none select-none data-[highlighted]:bg-subtle [&_svg]:size-4 [&_svg]:text-faint';

const SAVE_TEXT: Record<SaveState, 'flows.saved' | 'flows.saving' | 'flows.unsaved' | 'flows.saveFailed'> = { saved: 'flows.saved', saving: 'flows.saving', dirty: 'flows.unsaved', error: 'flows.saveFailed' };

export function EditorBar(p: Props) {
  const file = useRef<HTMLInputElement>(null);
  const a = p.actions;
  return (
    <div className="flex min-h-14 flex-wrap items-center gap-x-2 gap-y-1 border-b border-line bg-surface px-2 py-1.5 sm:px-3">
      <Link to="/flows" aria-label={t('flows.back')} title={t('flows.back')} className="focus-ring flex size-9 items-center justify-center rounded-lg text-muted hover:bg-subtle hover:text-fg">
        <ArrowLeft aria-hidden className="size-4" />
      </Link>
      <div className="flex min-w-72 flex-1 items-center gap-2">
        <h1 data-testid="flow-title" title={p.name} className="min-w-0 truncate text-base font-semibold text-fg">{p.name || t('flows.untitled')}</h1>
        <span className="shrink-0"><FlowStatusBadge status={p.status} /></span>
        {p.published != null ? (
          <span className="shrink-0 text-xs whitespace-nowrap text-muted" title={t('flows.publishedVersion')}>
            v<span data-testid="flow-published-version">{p.published}</span>
            {p.draftChanged && (
              <span className="ml-1 text-amber-700 dark:text-amber-300" title={t('flows.draftChanged')}>
                · <span className="hidden xl:inline">{t('flows.draftChanged')}</span>
                <span className="xl:hidden">✎</span>
              </span>
            )}
          </span>
        ) : (
          <span className="shrink-0 text-xs whitespace-nowrap text-faint">{t('flows.unpublished')}</span>
        )}
        <span data-testid="flow-save-state" data-state={p.save} aria-live="polite" className={clsx('hidden shrink-0 text-xs whitespace-nowrap sm:inline', p.save === 'error' ? 'text-red-600 dark:text-red-400' : 'text-faint')}>
          {t(SAVE_TEXT[p.save])}
        </span>
      </div>
      <div className="flex flex-wrap items-center gap-0.5">
        {!p.readOnly && (
          <>
              <Icon label={t('flows.undo')} testId="flow-undo" onClick={a.undo} disabled={!p.canUndo}><Undo2 /></Icon>
              <Icon label={t('flows.redo')} testId="flow-redo" onClick={a.redo} disabled={!p.canRedo}><Redo2 /></Icon>
              <Icon label={t('flows.layout')} testId="flow-layout" onClick={a.layout}><LayoutDashboard /></Icon>
          </>
        )}
        <Icon label={t('flows.fit')} testId="flow-fit" onClick={a.fit}><Maximize /></Icon>
        <Icon label={t('flows.analytics')} testId="flow-analytics" onClick={a.toggleStats} pressed={p.showStats}><BarChart3 /></Icon>
        <Icon label={t('flows.export')} testId="flow-export" onClick={a.exportJson}><Download /></Icon>
        {!p.readOnly && (
          <label title={t('flows.import')} className="focus-ring relative flex size-9 cursor-pointer items-center justify-center rounded-lg text-muted hover:bg-subtle hover:text-fg has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-500">
            <Upload aria-hidden className="size-4" />
            <span className="sr-only">{t('flows.import')}</span>
            <input
              ref={file}
              type="file"
              accept="application/json,.json"
              data-testid="flow-import"
              className="sr-only"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) a.importFile(f);
                e.target.value = '';
              }}
            />
          </label>
        )}
        <DM.Root>
          <DM.Trigger asChild>
            <Button variant="ghost" size="icon" aria-label={t('common.actions')} data-testid="flow-menu"><Ellipsis /></Button>
          </DM.Trigger>
          <DM.Portal>
            <DM.Content align="end" sideOffset={6} className="animate-fade-in z-50 w-56 rounded-xl border border-line bg-surface p-1.5 shadow-lg">
              <DM.Item className={itemClass} onSelect={a.versions} data-testid="flow-versions-open"><History aria-hidden />{t('flows.versions')}</DM.Item>
              <DM.Item className={itemClass} onSelect={a.duplicate} data-testid="flow-duplicate"><Copy aria-hidden />{t('flows.duplicate')}</DM.Item>
              {p.status === 'active' && <DM.Item className={itemClass} onSelect={a.disable} data-testid="flow-disable-menu"><Power aria-hidden />{t('flows.disable')}</DM.Item>}
              <DM.Separator className="my-1 h-px bg-line" />
              <DM.Item className={clsx(itemClass, 'text-red-700 dark:text-red-300')} onSelect={a.remove} data-testid="flow-delete"><Trash2 aria-hidden />{t('flows.delete')}</DM.Item>
            </DM.Content>
          </DM.Portal>
        </DM.Root>
        {!p.readOnly && (
          <>
            <span className="mx-1 hidden h-6 w-px bg-line sm:block" />
            <Button variant={p.simOpen ? 'secondary' : 'ghost'} size="sm" data-testid="flow-simulate" aria-pressed={p.simOpen} onClick={a.simulate}>
              <MessageSquare aria-hidden />
              {t('flows.simulate')}
            </Button>
            {p.status === 'active' && (
              <Button variant="secondary" size="sm" data-testid="flow-disable" onClick={a.disable}>
                <Power aria-hidden />
                {t('flows.disable')}
              </Button>
            )}
            <Button size="sm" data-testid="flow-publish" loading={p.publishing} onClick={a.publish}>
              <Rocket aria-hidden />
              {t('flows.publish')}
            </Button>
          </>
        )}
      </div>
    </div>
  );
}
