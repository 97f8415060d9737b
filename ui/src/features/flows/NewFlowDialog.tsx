import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input, Select } from '../../components/Input';
import { errorMessage } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useChannelNumbers } from '../channels/api';
import { useCreateFlow, useFlowTemplates } from './api';
import { NODE_DEFS } from './nodeDefs';

/** A blank flow starts with its trigger. */
const BLANK = () => ({ nodes: [{ id: 'trigger', type: 'trigger', position: { x: 0, y: 0 }, data: NODE_DEFS.trigger.data() }], edges: [] });

export function NewFlowDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const navigate = useNavigate();
  const numbers = useChannelNumbers();
  // fetched with the list, so that the choices are there when the dialog opens
  const templates = useFlowTemplates();
  const create = useCreateFlow();
  const [name, setName] = useState('');
  const [number, setNumber] = useState<string | null>(null);
  const [template, setTemplate] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const list = numbers.data?.items ?? [];
  const chosenNumber = number ?? list[0]?.id ?? '';
  const chosen = templates.data?.items.find((x) => x.key === template);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const n = name.trim() || chosen?.name || '';
    if (!n) {
      setNameError(t('validation.required'));
      return;
    }
    const graph = chosen ? { nodes: chosen.nodes, edges: chosen.edges } : BLANK();
    try {
      const f = await create.mutateAsync({ name: n, whatsapp_number_id: chosenNumber || null, ...graph });
      onOpenChange(false);
      navigate(`/flows/${f.id}`);
    } catch {
      // shown below
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        onOpenChange(o);
        if (!o) create.reset();
      }}
      title={t('flows.newTitle')}
      description={t('flows.newBody')}
      testId="flow-new-dialog"
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button type="submit" form="new-flow" data-testid="flow-create" loading={create.isPending}>{t('flows.create')}</Button>
        </>
      }
    >
      <form id="new-flow" onSubmit={submit} className="space-y-4" noValidate>
        <FormError message={create.error ? errorMessage(create.error) : null} />
        <Field label={t('flows.name')} error={nameError ?? undefined}>
          <Input data-testid="flow-name" value={name} maxLength={80} placeholder={chosen?.name ?? t('flows.namePlaceholder')} onChange={(e) => { setName(e.target.value); setNameError(null); }} autoFocus />
        </Field>
        <Field label={t('flows.number')} hint={list.length === 0 && !numbers.isPending ? t('flows.noNumbers') : t('flows.numberHint')}>
          <Select data-testid="flow-number" value={chosenNumber} onChange={(e) => setNumber(e.target.value)}>
            {list.length === 0 && <option value="">—</option>}
            {list.map((n) => (
              <option key={n.id} value={n.id}>
                {n.display_phone_number}
                {n.sandbox ? ` (${t('flows.sandbox')})` : ''}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('flows.startFrom')} hint={chosen?.description}>
          <Select data-testid="flow-template" value={template} onChange={(e) => setTemplate(e.target.value)}>
            <option value="">{t('flows.blank')}</option>
            {(templates.data?.items ?? []).map((x) => (
              <option key={x.key} value={x.key}>{x.name}</option>
            ))}
          </Select>
        </Field>
      </form>
    </Dialog>
  );
}
