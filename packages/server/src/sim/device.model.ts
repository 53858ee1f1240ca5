import { DEVICE_TYPES, type AttributeSpec } from '@haidang/domain';
import { airQualityValues } from './air-quality.model.ts';
import { floodSensorValues } from './flood-depth.model.ts';
import { hashString, smoothNoise } from './noise.ts';
import { rainGaugeValues } from './rain.model.ts';
import { riverGaugeValues } from './river.model.ts';
import type { DeviceLike, SimContext } from './sim.types.ts';
import { trafficValues } from './traffic.model.ts';
import { wastewaterValues } from './wastewater.model.ts';

type Model = (device: DeviceLike, ctx: SimContext, intervalS: number) => Record<string, number>;

const MODELS: Record<string, Model> = {
  air_quality: airQualityValues,
  wastewater: wastewaterValues,
  rain_gauge: rainGaugeValues,
  flood_depth: floodSensorValues,
  river_level: riverGaugeValues,
  traffic: trafficValues,
};

/** Decimals a real instrument of that attribute reports. */
const DECIMALS: Record<string, number> = {
  pm25: 1, pm10: 1, no2: 1, so2: 1, co: 0, o3: 1,
  ph: 2, cod: 1, tss: 1, nh4: 2, flow: 1,
  rain: 1, depth: 0, level: 2, speed: 1, vehicles: 0,
};

/** The attributes a device publishes: its own declaration, else its type's defaults. */
export function attributeSpecs(device: DeviceLike): AttributeSpec[] {
  return device.attributes ?? DEVICE_TYPES[device.type]?.attributes ?? [];
}

/** A slow wander in the lower half of the range, for attributes no model knows. */
function genericValue(device: DeviceLike, spec: AttributeSpec, ctx: SimContext): number {
  const key = hashString(`${device.id}/${spec.name}`) ^ ctx.seed;
  return spec.min + (spec.max - spec.min) * (0.3 + 0.15 * smoothNoise(key, ctx.ts / 1000, 1800));
}

function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * Values of every declared attribute of a device at a simulated instant, rounded as the
 * instrument would and kept inside the declared physical range. `intervalS` is the sim time
 * since the device's previous report (rain gauges report the rain of that interval).
 */
export function sampleDevice(device: DeviceLike, ctx: SimContext, intervalS: number): Record<string, number> {
  const modelled = MODELS[device.type]?.(device, ctx, intervalS) ?? {};
  const out: Record<string, number> = {};
  for (const spec of attributeSpecs(device)) {
    const raw = modelled[spec.name] ?? genericValue(device, spec, ctx);
    const value = roundTo(Number.isFinite(raw) ? raw : spec.min, DECIMALS[spec.name] ?? 2);
    out[spec.name] = Math.min(spec.max, Math.max(spec.min, value));
  }
  return out;
}
