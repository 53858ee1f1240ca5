import { deviceFactor, hashString, sensorNoise } from './noise.ts';
import { rainIntensityMmH, rainPlaceOf } from './rain.model.ts';
import { RIVER_STATIONS } from './river.model.ts';
import type { SimContext, DeviceLike } from './sim.types.ts';

// Street flooding follows rain with a lag: water collects while rain exceeds what the drains
// take, and drains off after. Modelled as rain smoothed by a gamma kernel (peak response ~45 min
// after the rain, 3 h memory) minus the drains' capacity. Each sensor's spot has its own depth at
// full flooding, 20–60 cm, the range Đài KTTV Trung Bộ bulletins give for Đà Nẵng streets.

const KERNEL_STEP_S = 300;
const KERNEL_SPAN_S = 3 * 3600;
const KERNEL_TAU_S = 45 * 60;
/** Rain (mm/h, smoothed) the drains absorb without water standing in the street. */
const DRAIN_MMH = 10;
/** Smoothed rain at which a spot reaches its full depth. */
const FULL_MMH = 28;
/** Low-lying wards along the Cẩm Lệ / Yên rivers also flood from the river backing up. */
const RIVERSIDE_UNITS = new Set(['20312', '20314', '20323', '20329']);
const BACKWATER_CM = 35;

const KERNEL: readonly number[] = (() => {
  const w: number[] = [];
  for (let d = 0; d <= KERNEL_SPAN_S; d += KERNEL_STEP_S) w.push((d / KERNEL_TAU_S) * Math.exp(-d / KERNEL_TAU_S));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
})();

const CAM_LE = RIVER_STATIONS.find((s) => s.key === 'cam-le')!;

/** Rain intensity (mm/h) felt by the street: recent rain, lagged and smoothed. */
export function effectiveRainMmH(device: DeviceLike, ctx: SimContext): number {
  const place = rainPlaceOf(device);
  let sum = 0;
  KERNEL.forEach((w, i) => {
    if (w === 0) return;
    const back = i * KERNEL_STEP_S;
    sum += w * rainIntensityMmH({ ...ctx, ts: ctx.ts - back * 1000, elapsedS: ctx.elapsedS - back }, place);
  });
  return sum;
}

/** Water depth (cm) at a flood sensor's spot, without sensor noise. */
export function floodDepthCm(device: DeviceLike, ctx: SimContext): number {
  const key = hashString(device.id);
  const fullCm = deviceFactor(key, 'flood-full', 20, 60);
  const x = (effectiveRainMmH(device, ctx) - DRAIN_MMH) / (FULL_MMH - DRAIN_MMH);
  let depth = x > 0 ? (fullCm * Math.tanh(1.5 * x)) / Math.tanh(1.5) : 0;
  if (device.unitCode && RIVERSIDE_UNITS.has(device.unitCode)) {
    const riverShare = ctx.scenario.floodWave(ctx, CAM_LE.wave);
    depth += BACKWATER_CM * Math.min(1, Math.max(0, (riverShare - 0.55) / 0.45));
  }
  return depth;
}

/** A flood sensor reports depth in cm; a dry street reads exactly 0. */
export function floodSensorValues(device: DeviceLike, ctx: SimContext): Record<string, number> {
  const depth = floodDepthCm(device, ctx);
  if (depth < 1) return { depth: 0 };
  return { depth: Math.max(0, depth + 0.8 * sensorNoise(hashString(device.id) ^ ctx.seed, ctx.ts / 1000)) };
}
