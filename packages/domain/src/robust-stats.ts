/**
 * Robust statistics for anomaly detection: the median and the median absolute deviation (MAD),
 * which a few outliers in the history do not drag (unlike mean and standard deviation).
 * 1.4826 · MAD estimates the standard deviation of normally distributed data, so the robust
 * z-score |x − median| / (1.4826 · MAD) reads like a z-score (Iglewicz & Hoaglin, 1993).
 */

export const MAD_TO_SIGMA = 1.4826;

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The baseline of one series at one hour of the day: median, MAD and how many days it rests on. */
export interface RobustBaseline {
  median: number;
  mad: number;
  days: number;
}

export function robustBaseline(values: readonly number[]): RobustBaseline | undefined {
  const med = median(values);
  if (med === undefined) return undefined;
  return { median: med, mad: median(values.map((v) => Math.abs(v - med)))!, days: values.length };
}

/**
 * Robust z-score of `x` against the baseline. `minScale` (in the value's unit) floors the spread,
 * so that a flat history (MAD 0) does not turn every small change into an infinite score.
 */
export function robustScore(x: number, b: RobustBaseline, minScale = 0): number {
  const scale = Math.max(MAD_TO_SIGMA * b.mad, minScale);
  if (scale === 0) return x === b.median ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(x - b.median) / scale;
}

/** Local hour of day (0–23) of an instant in Vietnam (UTC+7, no daylight saving). */
export const vnHourOfDay = (ts: number): number => Math.floor((ts / 3_600_000 + 7) % 24);

/** Start (UTC epoch ms) of the Vietnamese local day that holds `ts`. */
export const vnDayStart = (ts: number): number => Math.floor((ts + 7 * 3_600_000) / 86_400_000) * 86_400_000 - 7 * 3_600_000;

/**
 * The anomaly baselines of one series for the local day starting at `dayStart`: per local hour,
 * the median and MAD of the hourly means (`means`: hour start → mean) of the `days` whole days before.
 */
export function hourOfDayBaselines(means: ReadonlyMap<number, number>, dayStart: number, days: number): (RobustBaseline | undefined)[] {
  const values: number[][] = Array.from({ length: 24 }, () => []);
  for (let h = dayStart - days * 86_400_000; h < dayStart; h += 3_600_000) {
    const v = means.get(h);
    if (v !== undefined) values[vnHourOfDay(h)]!.push(v);
  }
  return values.map((v) => robustBaseline(v));
}
