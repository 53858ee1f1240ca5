// Đà Nẵng keeps Asia/Ho_Chi_Minh time, UTC+7 all year (no daylight saving), so local clock
// arithmetic needs no time-zone database.
const OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

/** Local hour of day in [0, 24) with fractions, for an instant in ms since the epoch. */
export function localHour(ts: number): number {
  const ms = (((ts + OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return ms / 3_600_000;
}

/** Local calendar day number (days since 1970-01-01 local), to key per-day randomness. */
export function localDay(ts: number): number {
  return Math.floor((ts + OFFSET_MS) / DAY_MS);
}

/** Local day of week, 0 = Sunday … 6 = Saturday. */
export function localWeekday(ts: number): number {
  return (((localDay(ts) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Linear interpolation in a 25-knot daily profile (hours 0…24, the last equal to the first). */
export function dailyProfile(knots: readonly number[], hour: number): number {
  const i = Math.floor(hour);
  const f = hour - i;
  const a = knots[i] ?? 0;
  const b = knots[i + 1] ?? a;
  return a + (b - a) * f;
}
