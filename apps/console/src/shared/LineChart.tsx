import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime, formatNumber, formatTime } from './format.ts';
import { chartScales } from './chart-scales.ts';

export interface ChartLine {
  label: string;
  value: number;
  colour: string;
}

export interface LineChartProps {
  points: readonly { ts: number; value: number }[];
  /** Highlighted points (e.g. the readings that raised an alert). */
  marks?: readonly { ts: number; value: number }[];
  lines?: readonly ChartLine[];
  unit: string;
  label: string;
  width?: number;
  height?: number;
}

/** A small time-series chart in SVG: the line, marked points and horizontal thresholds. */
export function LineChart({ points, marks = [], lines = [], unit, label, width = 560, height = 200 }: LineChartProps) {
  const { t, lang } = useI18n();
  if (points.length === 0 && marks.length === 0) return <p className="muted">{t('chart.noData')}</p>;
  const pad = { left: 48, right: 12, top: 12, bottom: 28 };
  const s = chartScales([...points, ...marks], lines.map((l) => l.value), { width, height, ...pad });
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${s.x(p.ts).toFixed(1)},${s.y(p.value).toFixed(1)}`).join('');
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        {s.yTicks.map((v) => (
          <g key={`y${v}`}>
            <line x1={pad.left} x2={width - pad.right} y1={s.y(v)} y2={s.y(v)} className="grid" />
            <text x={pad.left - 6} y={s.y(v) + 4} textAnchor="end" className="tick">
              {formatNumber(v, lang, 2)}
            </text>
          </g>
        ))}
        {s.xTicks.map((ts) => (
          <text key={`x${ts}`} x={s.x(ts)} y={height - 8} textAnchor="middle" className="tick">
            {formatTime(ts, lang)}
          </text>
        ))}
        {lines.map((l) => (
          <g key={l.label}>
            <line x1={pad.left} x2={width - pad.right} y1={s.y(l.value)} y2={s.y(l.value)} stroke={l.colour} strokeDasharray="6 4" strokeWidth={1.5} />
            <text x={width - pad.right} y={s.y(l.value) - 4} textAnchor="end" className="tick" fill={l.colour}>
              {l.label} {formatNumber(l.value, lang, 2)}
            </text>
          </g>
        ))}
        <path d={path} className="series" fill="none" />
        {marks.map((m) => (
          <circle key={`m${m.ts}`} cx={s.x(m.ts)} cy={s.y(m.value)} r={3.5} className="mark">
            <title>{`${formatDateTime(m.ts, lang)}: ${formatNumber(m.value, lang, 2)} ${unit}`}</title>
          </circle>
        ))}
        <text x={pad.left} y={pad.top - 2} className="tick">
          {unit}
        </text>
      </svg>
    </figure>
  );
}
