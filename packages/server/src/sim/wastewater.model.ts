import { dailyProfile, localDay, localHour, localWeekday } from './local-time.ts';
import { deviceFactor, hash01, hashString, sensorNoise } from './noise.ts';
import type { DeviceLike, SimContext } from './sim.types.ts';

/** What a discharge monitor watches; read from the device name (the file has no such field). */
export type DischargeKind = 'industrial' | 'municipal' | 'leachate';

/** Kind of discharge: a city treatment plant (XLNT outside an industrial zone), landfill leachate, or a factory/zone outfall. */
export function dischargeKindOf(device: DeviceLike): DischargeKind {
  const name = device.name ?? '';
  if (/rỉ rác/i.test(name)) return 'leachate';
  if (/XLNT/.test(name) && !/KCN/.test(name)) return 'municipal';
  return 'industrial';
}

/** Share of a factory's full flow by local hour: three shifts, the night shift smaller. */
export function shiftFactor(hour: number, weekday: number): number {
  const shift = hour >= 6 && hour < 14 ? 1 : hour >= 14 && hour < 22 ? 0.85 : 0.35;
  // Production ramps over ~30 min at a shift change rather than jumping.
  const edge = Math.min(...[6, 14, 22].map((h) => Math.abs(hour - h)));
  const ramp = edge < 0.5 ? 0.85 + 0.3 * edge : 1;
  return shift * ramp * (weekday === 0 ? 0.5 : 1);
}

// Domestic sewage reaching a city plant: low at night, morning and evening peaks, lagging
// household use by an hour or so.
const DOMESTIC_FLOW = [
  0.55, 0.48, 0.42, 0.4, 0.42, 0.55, 0.8, 1.05, 1.15, 1.1, 1.02, 0.98, 1.0, 0.98, 0.92, 0.9, 0.92, 1.0, 1.1, 1.18, 1.12, 0.98, 0.8, 0.65, 0.55,
];

/**
 * pH, COD, TSS, NH4+ and flow of a treated discharge. Values sit within QCVN 40:2011 column B
 * limits most of the time; an industrial outfall has, on about one day in seven, a two-hour
 * episode of poor treatment that breaks them, so the IOC's rules have something to catch.
 */
export function wastewaterValues(device: DeviceLike, ctx: SimContext): Record<string, number> {
  const id = hashString(device.id);
  const key = id ^ ctx.seed;
  const tS = ctx.ts / 1000;
  const n = (salt: number, amp: number) => 1 + amp * sensorNoise(key + salt, tS);
  const hour = localHour(ctx.ts);
  const severity = ctx.scenario.severity(ctx);
  const kind = dischargeKindOf(device);

  if (kind === 'municipal') {
    const flow = deviceFactor(id, 'flow', 600, 1800) * dailyProfile(DOMESTIC_FLOW, hour) * (1 + 1.2 * severity);
    return {
      ph: deviceFactor(id, 'ph', 7.0, 7.4) + 0.1 * sensorNoise(key + 1, tS),
      cod: deviceFactor(id, 'cod', 25, 50) * (1 - 0.3 * severity) * n(2, 0.12),
      tss: deviceFactor(id, 'tss', 15, 40) * (1 + 1.5 * severity) * n(3, 0.15),
      nh4: deviceFactor(id, 'nh4', 3, 10) * (1 - 0.3 * severity) * n(4, 0.15),
      flow: flow * n(5, 0.06),
    };
  }
  if (kind === 'leachate') {
    return {
      ph: deviceFactor(id, 'ph', 7.4, 8.0) + 0.1 * sensorNoise(key + 1, tS),
      cod: deviceFactor(id, 'cod', 150, 280) * n(2, 0.12),
      tss: deviceFactor(id, 'tss', 40, 80) * (1 + severity) * n(3, 0.15),
      nh4: deviceFactor(id, 'nh4', 20, 45) * n(4, 0.15),
      flow: deviceFactor(id, 'flow', 30, 60) * (1 + 1.5 * severity) * n(5, 0.08),
    };
  }
  const central = /tập trung/.test(device.name ?? '');
  const full = central ? deviceFactor(id, 'flow', 300, 900) : deviceFactor(id, 'flow', 20, 250);
  const day = localDay(ctx.ts);
  const episodeStart = 24 * hash01(id, day, 7);
  const episode = hash01(id, day, 8) < 1 / 7 && hour >= episodeStart && hour < episodeStart + 2 ? 1 : 0;
  return {
    ph: deviceFactor(id, 'ph', 6.9, 7.8) + 0.15 * sensorNoise(key + 1, tS) - 0.8 * episode,
    cod: deviceFactor(id, 'cod', 40, 110) * (1 + 1.6 * episode) * n(2, 0.12),
    tss: deviceFactor(id, 'tss', 20, 60) * (1 + 1.2 * episode + 0.8 * severity) * n(3, 0.15),
    nh4: deviceFactor(id, 'nh4', 1, 8) * (1 + 1.5 * episode) * n(4, 0.15),
    flow: full * shiftFactor(hour, localWeekday(ctx.ts)) * (1 + 0.3 * severity) * n(5, 0.06),
  };
}
