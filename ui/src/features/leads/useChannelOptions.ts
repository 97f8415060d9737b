import { useMemo } from 'react';
import { can, useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import { useChannelNumbers } from '../channels/api';
import { useCustomChannels, useFacebookPages } from '../channels/sourcesApi';
import { sourceLabel } from './SourceBadge';
import type { Lead } from './types';

export interface ChannelOption {
  value: string;
  label: string;
}

/** Channel filter choices: numbers, forms, webhooks and pages we can list, plus any channel seen in the rows. */
export function useChannelOptions(rows: Lead[]): ChannelOption[] {
  const session = useSession();
  const manage = session.member?.role === 'owner' || can(session, 'manage_channels');
  const numbers = useChannelNumbers();
  const custom = useCustomChannels(manage);
  const pages = useFacebookPages(manage);
  return useMemo(() => {
    const out = new Map<string, ChannelOption>();
    const add = (kind: string, id: string, name: string) =>
      out.has(`${kind}:${id}`) || out.set(`${kind}:${id}`, { value: `${kind}:${id}`, label: `${name} · ${sourceLabel(kind)}` });
    numbers.data?.items.forEach((n) => add('whatsapp', n.id, n.display_phone_number));
    custom.data?.items.forEach((c) => add(c.kind, c.id, c.name));
    pages.data?.items.forEach((p) => add('facebook', p.id, p.name));
    rows.forEach((r) => r.channel && add(r.channel.kind, r.channel.id, r.channel.name || t('common.unknown')));
    return [...out.values()];
  }, [numbers.data, custom.data, pages.data, rows]);
}
