import { hashString } from './noise.ts';
import type { DeviceLike, RainPlace, SimContext } from './sim.types.ts';

/** Đà Nẵng city centre, for devices that carry no location. */
const CITY_CENTRE = { lat: 16.0544, lon: 108.2022 };
/** Integration step for accumulations: fine enough to follow 20-minute rain bursts. */
const STEP_S = 60;

/** Where a device catches rain. */
export function rainPlaceOf(device: DeviceLike): RainPlace {
  const loc = device.location ?? CITY_CENTRE;
  return { lat: loc.lat, lon: loc.lon, key: hashString(device.id) };
}

/** Rain intensity (mm/h) at a place and instant. */
export function rainIntensityMmH(ctx: SimContext, place: RainPlace): number {
  return Math.max(0, ctx.scenario.rainMmH(ctx, place));
}

/** Rain (mm) fallen at a place during the `intervalS` seconds of sim time ending at ctx. */
export function rainAccumulationMm(ctx: SimContext, place: RainPlace, intervalS: number): number {
  const steps = Math.min(240, Math.max(1, Math.ceil(intervalS / STEP_S)));
  const dt = intervalS / steps;
  let mm = 0;
  for (let i = 0; i < steps; i++) {
    const back = (i + 0.5) * dt;
    mm += (rainIntensityMmH({ ...ctx, ts: ctx.ts - back * 1000, elapsedS: ctx.elapsedS - back }, place) * dt) / 3600;
  }
  return mm;
}

/** A rain gauge reports the rain of its reporting interval (tipping-bucket total). */
export function rainGaugeValues(device: DeviceLike, ctx: SimContext, intervalS: number): Record<string, number> {
  return { rain: rainAccumulationMm(ctx, rainPlaceOf(device), intervalS) };
}
