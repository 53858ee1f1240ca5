/** The time ranges the device chart offers, and the finest resolution worth asking for each. */
export const RANGES = [
  { id: '6h', ms: 6 * 3_600_000, resolution: 'raw' },
  { id: '24h', ms: 24 * 3_600_000, resolution: '1m' },
  { id: '7d', ms: 7 * 86_400_000, resolution: '1h' },
  { id: '30d', ms: 30 * 86_400_000, resolution: '1h' },
] as const;

export type RangeId = (typeof RANGES)[number]['id'];
export type Resolution = 'raw' | '1m' | '1h';

/** Most points one chart asks for (the API allows more; a chart of 600 px shows no more). */
export const MAX_CHART_POINTS = 5000;

/**
 * The query of `GET …/series/{attr}` for a range ending `now` at a resolution: `raw` over 30 days
 * would be millions of readings, so a resolution too fine for the range is coarsened.
 */
export function seriesQuery(range: RangeId, resolution: Resolution, now: number): { from: string; to: string; resolution: Resolution; limit: number } {
  const r = RANGES.find((x) => x.id === range)!;
  const order: Resolution[] = ['raw', '1m', '1h'];
  // raw is fine up to a day; per-minute up to a week; beyond, hourly.
  const finest: Resolution = r.ms <= 86_400_000 ? 'raw' : r.ms <= 7 * 86_400_000 ? '1m' : '1h';
  const res = order.indexOf(resolution) < order.indexOf(finest) ? finest : resolution;
  return { from: new Date(now - r.ms).toISOString(), to: new Date(now).toISOString(), resolution: res, limit: MAX_CHART_POINTS };
}

export interface SeriesPoint {
  ts: string;
  value: number;
  avg?: number;
}

/** Chart points: a bucket's average where rolled up, the reading itself where raw. */
export const chartPoints = (points: readonly SeriesPoint[]) => points.map((p) => ({ ts: Date.parse(p.ts), value: p.avg ?? p.value }));
