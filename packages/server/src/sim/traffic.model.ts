import { dailyProfile, localHour, localWeekday } from './local-time.ts';
import { deviceFactor, hashString, jitter, sensorNoise } from './noise.ts';
import type { DeviceLike, SimContext } from './sim.types.ts';

// Share of a road's peak flow by local hour (0…24). Vietnamese cities have two sharp commuter
// peaks, 7–8 h and 17–18 h, a lunch-time bump (people go home at noon) and a lively evening.
const WEEKDAY_DEMAND = [
  0.12, 0.08, 0.06, 0.05, 0.08, 0.22, 0.55, 0.95, 0.92, 0.7, 0.62, 0.66, 0.58, 0.55, 0.6, 0.66, 0.78, 1.0, 0.97, 0.75, 0.6, 0.48, 0.33, 0.2, 0.12,
];
// Weekends: no school run, a weaker morning peak, busier evenings toward the beach.
const WEEKEND_DEMAND = [
  0.14, 0.09, 0.06, 0.05, 0.07, 0.16, 0.35, 0.55, 0.65, 0.68, 0.66, 0.64, 0.55, 0.52, 0.58, 0.66, 0.78, 0.88, 0.9, 0.85, 0.75, 0.6, 0.4, 0.24, 0.14,
];

/** Traffic demand 0…1 (share of the road's peak flow) at a simulated instant. */
export function trafficDemand(ts: number): number {
  const day = localWeekday(ts);
  const knots = day === 0 || day === 6 ? WEEKEND_DEMAND : WEEKDAY_DEMAND;
  return dailyProfile(knots, localHour(ts));
}

/** A counter's road: peak flow (veh/min, motorbikes included) and free-flow speed (km/h). */
export function roadOf(device: DeviceLike): { peakVehPerMin: number; freeKmH: number } {
  const key = hashString(device.id);
  const name = device.name ?? '';
  // National roads and the coast road carry faster traffic than city streets and bridges.
  const fast = /Quốc lộ|Nguyễn Văn Cừ|Võ Nguyên Giáp|Trường Sa|Nguyễn Tất Thành|ĐT\d/.test(name);
  return {
    peakVehPerMin: deviceFactor(key, 'peak', 60, 220),
    freeKmH: fast ? deviceFactor(key, 'free', 50, 65) : deviceFactor(key, 'free', 35, 50),
  };
}

/**
 * Counted vehicles per minute and mean speed. Speed falls as the road fills (a BPR-like curve:
 * down to ~45 % of free flow at peak) and in heavy rain; fewer people travel in a storm.
 */
export function trafficValues(device: DeviceLike, ctx: SimContext): Record<string, number> {
  const key = hashString(device.id) ^ ctx.seed;
  const road = roadOf(device);
  const severity = ctx.scenario.severity(ctx);
  const tS = ctx.ts / 1000;
  const load = Math.max(0, trafficDemand(ctx.ts) * (1 - 0.35 * severity) * (1 + 0.08 * sensorNoise(key, tS)));
  const vehicles = road.peakVehPerMin * load + 2 * jitter(key + 1, tS);
  const congestion = 1 - 0.55 * Math.min(1, load) ** 2;
  const weather = 1 - 0.45 * severity;
  const speed = road.freeKmH * congestion * weather * (1 + 0.05 * sensorNoise(key + 2, tS));
  return { vehicles: Math.max(0, vehicles), speed: Math.max(3, speed) };
}
