import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { t } from '../../lib/i18n';
import { useTheme } from '../../lib/theme';
import { SOURCES, type DayLeads, type Source } from './api';
import { shortDay } from './range';

export const SOURCE_COLORS: Record<Source, string> = {
  whatsapp: '#00a884',
  walkin: '#f59e0b',
  webhook: '#64748b',
  facebook: '#3b82f6',
  manual: '#a855f7',
  import: '#ec4899',
};

export const sourceLabel = (s: string) => ((SOURCES as readonly string[]).includes(s) ? t(`dashboard.source.${s as Source}`) : s);

export function LeadsChart({ days }: { days: DayLeads[] }) {
  const dark = useTheme().resolved === 'dark';
  const axis = dark ? '#9aa9a5' : '#55625f';
  const grid = dark ? '#243030' : '#e2e7e5';
  const used = SOURCES.filter((s) => days.some((d) => (d.by_source[s] ?? 0) > 0));
  const rows = days.map((d) => ({ day: d.day, ...Object.fromEntries(used.map((s) => [s, d.by_source[s] ?? 0])) }));

  return (
    <div className="h-72 w-full min-w-0">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid vertical={false} stroke={grid} />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={{ fill: axis, fontSize: 11 }} stroke={grid} minTickGap={16} />
          <YAxis allowDecimals={false} tick={{ fill: axis, fontSize: 11 }} stroke={grid} width={40} />
          <Tooltip
            labelFormatter={(l) => shortDay(String(l))}
            formatter={(v, name) => [v, sourceLabel(String(name))]}
            cursor={{ fill: dark ? 'rgba(255,255,255,0.05)' : 'rgba(0,0,0,0.04)' }}
            contentStyle={{
              background: dark ? '#121918' : '#ffffff',
              border: `1px solid ${grid}`,
              borderRadius: 8,
              fontSize: 12,
              color: dark ? '#e7eeeb' : '#111917',
            }}
          />
          <Legend itemSorter={null} formatter={(v) => <span style={{ color: axis, fontSize: 12 }}>{sourceLabel(String(v))}</span>} iconType="circle" iconSize={8} />
          {used.map((s, i) => (
            <Bar key={s} dataKey={s} stackId="leads" fill={SOURCE_COLORS[s]} radius={i === used.length - 1 ? [3, 3, 0, 0] : 0} maxBarSize={32} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
