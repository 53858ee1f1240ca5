export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Round tick steps: 1, 2 or 5 × a power of ten, about `count` of them over the span. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  // The round step whose number of ticks is nearest the wish.
  const step = [1, 2, 5, 10].map((m) => m * mag).reduce((best, s) => (Math.abs((hi - lo) / s - count) < Math.abs((hi - lo) / best - count) ? s : best));
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Time ticks on whole minutes / hours, about `count` of them. */
export function timeTicks(from: number, to: number, count = 5): number[] {
  const steps = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000];
  const step = steps.find((s) => (to - from) / s <= count) ?? 86_400_000;
  const out: number[] = [];
  for (let v = Math.ceil(from / step) * step; v <= to; v += step) out.push(v);
  return out;
}

/** The x (time) and y (value) scales of a chart over its points and threshold lines. */
export function chartScales(points: readonly { ts: number; value: number }[], lines: readonly number[], box: ChartBox) {
  const ts = points.map((p) => p.ts);
  const vs = [...points.map((p) => p.value), ...lines];
  let t0 = Math.min(...ts);
  let t1 = Math.max(...ts);
  if (t1 === t0) [t0, t1] = [t0 - 60_000, t1 + 60_000];
  let v0 = Math.min(...vs);
  let v1 = Math.max(...vs);
  const margin = v1 === v0 ? Math.max(Math.abs(v0) * 0.1, 1) : (v1 - v0) * 0.08;
  v0 -= margin;
  v1 += margin;
  const w = box.width - box.left - box.right;
  const h = box.height - box.top - box.bottom;
  return {
    x: (t: number) => box.left + ((t - t0) / (t1 - t0)) * w,
    y: (v: number) => box.top + (1 - (v - v0) / (v1 - v0)) * h,
    xTicks: timeTicks(t0, t1),
    yTicks: niceTicks(v0, v1),
  };
}
