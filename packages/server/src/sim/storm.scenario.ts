import { hash01, hashString, smoothNoise } from './noise.ts';
import type { DeviceLike, FloodWave, Outage, RainPlace, Scenario, SimInstant } from './sim.types.ts';

// A heavy-rain-and-flood day modelled on Đà Nẵng's October storms (e.g. 14/10/2023): rain starts
// within the first hour, builds to "mưa rất to" (> 50 mm/12 h, > 100 mm/24 h; KTTV classes) with
// ~30 mm/h at the peak, about 300 mm in the city and ~450 mm on the mountains over 20 hours, then
// stops. Rivers and streets answer with their own lags (river.model.ts, flood-depth.model.ts).

/** City-average rain intensity (mm/h) by hour since storm start; linear between knots. */
const CITY_RAIN_KNOTS: readonly (readonly [number, number])[] = [
  [0, 0], [0.5, 0], [1, 2], [3, 6], [5, 15], [7, 25], [9, 32], [11, 30], [13, 22], [15, 12], [17, 5], [19, 1.5], [20, 0],
];
/** Intensity at which the city counts as fully hit (traffic, sewers). */
const FULL_SEVERITY_MMH = 25;

/** City-average rain intensity (mm/h) at `h` hours after storm start. */
export function stormCityRainMmH(h: number): number {
  const first = CITY_RAIN_KNOTS[0]!;
  const last = CITY_RAIN_KNOTS[CITY_RAIN_KNOTS.length - 1]!;
  if (h <= first[0] || h >= last[0]) return 0;
  for (let i = 1; i < CITY_RAIN_KNOTS.length; i++) {
    const [h1, v1] = CITY_RAIN_KNOTS[i]!;
    const [h0, v0] = CITY_RAIN_KNOTS[i - 1]!;
    if (h <= h1) return v0 + ((v1 - v0) * (h - h0)) / (h1 - h0);
  }
  return 0;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function rainMmH(at: SimInstant, place: RainPlace): number {
  // The rain band comes in from the sea: the west of the district gets it up to 1.5 h later,
  // and the Trường Sơn slopes (west of ~108.16°E) get up to 60 % more (orographic lift).
  const delayH = Math.min(1.5, Math.max(0, (108.28 - place.lon) * 4));
  const mountain = 1 + 0.6 * clamp01((108.16 - place.lon) / 0.17);
  const base = stormCityRainMmH(at.elapsedS / 3600 - delayH);
  if (base === 0) return 0;
  const bursts = 1 + 0.3 * smoothNoise(place.key ^ at.seed, at.elapsedS, 1200);
  return base * mountain * bursts;
}

/** Hydrograph shape 0…1: smooth rise from start to peak, exponential recession after. */
export function hydrographShare(h: number, wave: FloodWave): number {
  if (h <= wave.startH) return 0;
  if (h <= wave.peakH) {
    const x = (h - wave.startH) / (wave.peakH - wave.startH);
    return x * x * (3 - 2 * x);
  }
  return Math.exp(-(h - wave.peakH) / wave.recessionH);
}

/**
 * Two street sensors drown (power box flooded) during the worst hours, so the IOC sees devices
 * go silent. Picked by a hash of the id, so the choice is stable for a given device list.
 */
function outages(devices: readonly DeviceLike[]): Outage[] {
  const windowsH: readonly [number, number][] = [[9, 15], [11, 20]];
  const candidates = devices
    .filter((d) => d.type === 'flood_depth')
    .map((d) => ({ id: d.id, rank: hash01(hashString(d.id), 0xdead) }))
    .sort((a, b) => a.rank - b.rank);
  return windowsH.flatMap(([from, to], i) => {
    const c = candidates[i];
    return c ? [{ deviceId: c.id, fromS: from * 3600, toS: to * 3600 }] : [];
  });
}

/** The `storm` scenario: a 20-hour heavy-rain event and its floods, then recession. */
export const stormScenario: Scenario = {
  name: 'storm',
  rainMmH,
  severity: (at) => clamp01(stormCityRainMmH(at.elapsedS / 3600) / FULL_SEVERITY_MMH),
  floodWave: (at, wave) => hydrographShare(at.elapsedS / 3600, wave),
  outages,
};
