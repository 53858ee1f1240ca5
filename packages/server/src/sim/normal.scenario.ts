import { localDay, localHour } from './local-time.ts';
import { hash01, smoothNoise } from './noise.ts';
import type { RainPlace, Scenario, SimInstant } from './sim.types.ts';

// A dry-season-like day: no storm, and on about one day in four a short afternoon shower over
// part of the city. Showers stay under ~6 mm/h, too little to flood a street or move a river.
const SHOWER_DAY_SHARE = 0.25;
const CELL_DEG = 0.06; // showers cover ~6 km cells, some of them

function showerMmH(at: SimInstant, place: RainPlace): number {
  const day = localDay(at.ts);
  if (hash01(at.seed, day, 1) >= SHOWER_DAY_SHARE) return 0;
  const start = 13.5 + 2.5 * hash01(at.seed, day, 2);
  const duration = 1 + hash01(at.seed, day, 3);
  const peak = 2 + 4 * hash01(at.seed, day, 4);
  const h = localHour(at.ts);
  if (h < start || h > start + duration) return 0;
  const cell = hash01(at.seed, day, Math.floor(place.lat / CELL_DEG), Math.floor(place.lon / CELL_DEG));
  if (cell >= 0.6) return 0;
  const shape = Math.sin((Math.PI * (h - start)) / duration);
  return Math.max(0, peak * shape * (1 + 0.3 * smoothNoise(place.key ^ at.seed, at.ts / 1000, 600)));
}

/** The `normal` scenario: diurnal life, occasional light showers, no flood. */
export const normalScenario: Scenario = {
  name: 'normal',
  rainMmH: showerMmH,
  severity: () => 0,
  floodWave: () => 0,
  outages: () => [],
};
