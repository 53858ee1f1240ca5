/**
 * Derived series: values the IOC computes from what devices measure, stored as ordinary series of
 * the device (docs/derived-series.md), so that every read path and rule treats them like readings.
 *
 * - air_quality: `aqi` (hourly VN_AQI, NowCast for PM), `aqi_<param>` (hourly sub-index of each
 *   parameter) at the END of each hour, and `aqi_day` (daily VN_AQI) at the end of each local day;
 * - river_level: `alarm_level` (BĐ 0–3) and `risk_level` (QĐ 18/2021 Điều 45, only where it is
 *   determined) at each `level` reading of a device mapped to a flood station;
 * - rain_gauge: `rain_1h`, `rain_24h` (sliding sums) and `rain_class` (KTTV class of the 24-h sum)
 *   at each `rain` reading;
 * - flood_depth: `depth_class` (street-flooding band) at each `depth` reading.
 *
 * Pure: no I/O, no clock. The server's DerivedSeries service feeds it readings and hourly means.
 */
import type { AttributeSpec, Device } from './device.ts';
import { DEVICE_TYPES } from './device-types.ts';
import { AQI_PARAMS, type AqiParam, type AqiResult, aqiDaily, aqiHourly, aqiOverall, NOWCAST_HOURS } from './vn-aqi.ts';
import {
  type FloodStation,
  RAINFALL_CLASSES,
  URBAN_FLOOD_DEPTH_CLASSES,
  type UrbanFloodDepthBound,
  type WarningThresholds,
  floodLevel,
  rainfallClass,
  stationFloodRiskLevel,
  urbanFloodDepthClass,
} from './warning-levels.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving): local days end at 17:00 UTC. */
export const VN_UTC_OFFSET_MS = 7 * HOUR_MS;

/** When a derived value is computed. */
export type DerivedKind = 'reading' | 'hourly' | 'daily';

/** A derived attribute of a device: an attribute spec plus where it comes from. */
export interface DerivedAttribute extends AttributeSpec {
  /** The measured attributes it is computed from. */
  from: string[];
  /** `reading`: at the instant of each source reading; `hourly`: at the end of each hour; `daily`: at the end of each local day. */
  kind: DerivedKind;
}

// ---------------------------------------------------------------------------------------------
// Units: the rules work in metres (water levels, depths), millimetres (rain) and µg/m³ (VN_AQI)
// ---------------------------------------------------------------------------------------------

const UNIT_GROUPS: readonly Readonly<Record<string, number>>[] = [
  { m: 1, cm: 0.01, mm: 0.001 },
  // µ as MICRO SIGN (U+00B5) or GREEK SMALL LETTER MU (U+03BC), and ASCII spellings.
  { 'µg/m³': 1, 'µg/m3': 1, 'μg/m³': 1, 'μg/m3': 1, 'ug/m³': 1, 'ug/m3': 1, 'mg/m³': 1000, 'mg/m3': 1000 },
];

/**
 * The factor that converts a value in unit `from` to unit `to` (cm → m: 0.01), or undefined when
 * the units are not both known lengths or both known mass concentrations. Gas concentrations in
 * ppb/ppm need a temperature and molar mass: they are not converted, and get no VN_AQI.
 */
export function unitFactor(from: string, to: string): number | undefined {
  for (const g of UNIT_GROUPS) {
    const f = Object.hasOwn(g, from) ? g[from] : undefined;
    const t = Object.hasOwn(g, to) ? g[to] : undefined;
    if (f !== undefined && t !== undefined) return f / t;
  }
  return undefined;
}

/** Removes binary noise from sums and conversions (0.1 + 0.2 → 0.3): 6 decimals. */
const clean = (x: number): number => Math.round(x * 1e6) / 1e6;

// ---------------------------------------------------------------------------------------------
// Which derived attributes a device has
// ---------------------------------------------------------------------------------------------

/** The attribute names the derived series use for the sub-index of each VN_AQI parameter. */
export const aqiParamAttr = (p: AqiParam): string => `aqi_${p}`;

const spec = (name: string, unit: string, min: number, max: number, periodS: number, from: string[], kind: DerivedKind): DerivedAttribute => ({
  name,
  unit,
  min,
  max,
  periodS,
  from,
  kind,
});

/** What the rules need to know about one device: its derived attributes and the unit factors of their sources. */
export interface DerivationPlan {
  attributes: readonly DerivedAttribute[];
  names: ReadonlySet<string>;
  /** Source attribute → factor to the rules' unit (m, mm or µg/m³). Only sources that feed a derived attribute. */
  factors: ReadonlyMap<string, number>;
}

const EMPTY_PLAN: DerivationPlan = { attributes: [], names: new Set(), factors: new Map() };
const plans = new WeakMap<object, DerivationPlan>();

function buildPlan(device: Pick<Device, 'type' | 'attributes'>): DerivationPlan {
  const declared = new Map(device.attributes.map((a) => [a.name, a]));
  const factors = new Map<string, number>();
  const source = (name: string, unit: string): AttributeSpec | undefined => {
    const a = declared.get(name);
    const f = a && unitFactor(a.unit, unit);
    if (!a || f === undefined) return undefined;
    factors.set(name, f);
    return a;
  };
  const attributes: DerivedAttribute[] = [];
  switch (device.type) {
    case 'air_quality': {
      const params = AQI_PARAMS.filter((p) => source(p, 'µg/m³'));
      // The overall index needs PM2.5 or PM10 (QĐ 1459 §2.1.b); without either there is no VN_AQI.
      if (!params.includes('pm25') && !params.includes('pm10')) return EMPTY_PLAN;
      attributes.push(spec('aqi', 'VN_AQI', 0, 500, 3600, [...params], 'hourly'));
      for (const p of params) attributes.push(spec(aqiParamAttr(p), 'VN_AQI', 0, 500, 3600, [p], 'hourly'));
      attributes.push(spec('aqi_day', 'VN_AQI', 0, 500, 86400, [...params], 'daily'));
      break;
    }
    case 'river_level': {
      const level = source('level', 'm');
      if (!level) return EMPTY_PLAN;
      attributes.push(spec('alarm_level', 'BĐ', 0, 3, level.periodS, ['level'], 'reading'));
      attributes.push(spec('risk_level', 'level', 0, 5, level.periodS, ['level'], 'reading'));
      break;
    }
    case 'rain_gauge': {
      const rain = source('rain', 'mm');
      if (!rain) return EMPTY_PLAN;
      attributes.push(spec('rain_1h', 'mm', 0, 5000, rain.periodS, ['rain'], 'reading'));
      attributes.push(spec('rain_24h', 'mm', 0, 20000, rain.periodS, ['rain'], 'reading'));
      attributes.push(spec('rain_class', 'class', 0, RAINFALL_CLASSES.length - 1, rain.periodS, ['rain'], 'reading'));
      break;
    }
    case 'flood_depth': {
      const depth = source('depth', 'm');
      if (!depth) return EMPTY_PLAN;
      attributes.push(spec('depth_class', 'class', 0, URBAN_FLOOD_DEPTH_CLASSES.length, depth.periodS, ['depth'], 'reading'));
      break;
    }
    default:
      return EMPTY_PLAN;
  }
  return { attributes, names: new Set(attributes.map((a) => a.name)), factors };
}

/**
 * The derivation plan of a device, from its type and declared attributes (a source declared in a
 * unit the rules cannot convert gives nothing). Cached per device object: a changed device is a
 * new object.
 */
export function derivationPlan(device: Pick<Device, 'type' | 'attributes'>): DerivationPlan {
  let p = plans.get(device);
  if (!p) {
    p = buildPlan(device);
    plans.set(device, p);
  }
  return p;
}

/** The derived attributes of a device (none for a type without rules). */
export const derivedAttributes = (device: Pick<Device, 'type' | 'attributes'>): readonly DerivedAttribute[] => derivationPlan(device).attributes;

/** Whether `name` is computed by the IOC for this device (so the device may not send it). */
export const isDerivedAttribute = (device: Pick<Device, 'type' | 'attributes'>, name: string): boolean => derivationPlan(device).names.has(name);

/** Every attribute that has a series: the declared ones, then the derived ones. */
export const seriesAttributes = (device: Pick<Device, 'type' | 'attributes'>): string[] => [
  ...device.attributes.map((a) => a.name),
  ...derivedAttributes(device).map((a) => a.name),
];

/** The spec (unit, range, period) of a declared or derived attribute. */
export function attributeSpecOf(device: Pick<Device, 'type' | 'attributes'>, name: string): AttributeSpec | undefined {
  return device.attributes.find((a) => a.name === name) ?? derivedAttributes(device).find((a) => a.name === name);
}

const reserved = new Map<string, ReadonlySet<string>>();

/**
 * The attribute names the IOC computes for a device type, whatever a device declares (those of the
 * type's default attributes): a device of that type may not declare them (validateDevice), so that
 * the IOC's values and a device's never share a series.
 */
export function reservedDerivedNames(type: string): ReadonlySet<string> {
  let names = reserved.get(type);
  if (!names) {
    // Own keys only: a type named like an Object.prototype member is not a known type.
    const known = Object.hasOwn(DEVICE_TYPES, type) ? DEVICE_TYPES[type] : undefined;
    names = known ? buildPlan({ type, attributes: known.attributes }).names : EMPTY_PLAN.names;
    if (known) reserved.set(type, names);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Per-reading rules
// ---------------------------------------------------------------------------------------------

/** Derived values, attribute → value, all at one instant. */
export type DerivedValues = Record<string, number>;

/**
 * `alarm_level` (0 below BĐ1 … 3 at or above BĐ3) of a water level in metres at a station, and
 * `risk_level` where QĐ 18/2021 Điều 45 determines it for one basin: 1–5, or 0 below level 1.
 * When the rule cannot determine it (no area class, which is every shipped station, or a case the
 * reference has not read) `risk_level` is absent: show the official bulletin's level.
 * CHOICE: one station's reading says nothing about other basins, so the basin extent is one basin.
 */
export function riverLevelDerived(station: FloodStation, levelM: number): DerivedValues {
  const out: DerivedValues = { alarm_level: floodLevel(station, levelM).level };
  const risk = stationFloodRiskLevel(station, levelM, 'one_basin');
  if (risk.determined) out.risk_level = risk.level;
  else if (risk.reason === 'below_level_1' && station.riskArea !== undefined) out.risk_level = 0;
  return out;
}

/** `depth_class` of a street-flooding depth in metres: 0 dry, then 1 + the index in URBAN_FLOOD_DEPTH_CLASSES (1 shallow … 4 very deep). */
export function floodDepthDerived(bounds: readonly UrbanFloodDepthBound[], depthM: number): DerivedValues {
  const c = urbanFloodDepthClass(bounds, depthM).class;
  return { depth_class: c === 'none' ? 0 : URBAN_FLOOD_DEPTH_CLASSES.indexOf(c) + 1 };
}

/**
 * Rain over the last hour and the last 24 hours (mm) and `rain_class`: the index in
 * RAINFALL_CLASSES of the KTTV class of the 24-h sum (1 light, 2 rain, 3 moderate, 4 heavy,
 * 5 very heavy). 0 is no rain: the 24-h table has no "negligible" class.
 */
export function rainDerived(bounds: WarningThresholds['rainfall'], sums: RainSums): DerivedValues {
  const c = rainfallClass(bounds, '24h', sums.mm24h).class;
  return { rain_1h: sums.mm1h, rain_24h: sums.mm24h, rain_class: c === 'none' ? 0 : RAINFALL_CLASSES.indexOf(c) };
}

// ---------------------------------------------------------------------------------------------
// Rain: a sliding 24-hour window per gauge
// ---------------------------------------------------------------------------------------------

export const RAIN_WINDOW_MS = DAY_MS;
/** Most readings a window holds: one every 10 s for 24 h. A gauge reporting faster loses its oldest. */
export const RAIN_WINDOW_MAX = 8640;

export interface RainSums {
  /** mm of the readings in (t − 1 h, t]. */
  mm1h: number;
  /** mm of the readings in (t − 24 h, t]. */
  mm24h: number;
}

/**
 * The readings of one rain gauge over the 24 hours before its newest one. A reading is the rain
 * fallen since the previous one (mm), so the rain of a period is the sum of the readings stamped
 * in it. Bounded (RAIN_WINDOW_MAX); pure.
 */
export class RainWindow {
  private ts: number[] = [];
  private mm: number[] = [];
  /** Readings dropped because the window was full (the 24-h sums then undercount). */
  dropped = 0;

  get size(): number {
    return this.ts.length;
  }

  /** Newest instant held, or undefined when empty. */
  get newest(): number | undefined {
    return this.ts.length ? this.ts[this.ts.length - 1] : undefined;
  }

  /**
   * Adds a reading and returns the sums at its instant. A reading already held (same instant: a
   * redelivery) is not added again, but its sums are returned (recomputing them is harmless). A
   * reading 24 h or more older than the newest returns undefined: its window is gone. Late
   * readings are inserted in order; sums already given for later instants are not revised.
   */
  add(ts: number, mm: number): RainSums | undefined {
    const newest = this.newest;
    if (newest !== undefined && ts <= newest - RAIN_WINDOW_MS) return undefined;
    let i = this.ts.length;
    if (newest !== undefined && ts <= newest) {
      i = this.search(ts);
      if (this.ts[i] === ts) return this.sums(i);
    }
    this.ts.splice(i, 0, ts);
    this.mm.splice(i, 0, mm);
    // Forget what fell out of the window of the newest reading, and the oldest beyond the bound.
    const cutoff = this.ts[this.ts.length - 1]! - RAIN_WINDOW_MS;
    let drop = 0;
    while (drop < this.ts.length && this.ts[drop]! <= cutoff) drop++;
    const over = this.ts.length - drop - RAIN_WINDOW_MAX;
    if (over > 0) {
      drop += over;
      this.dropped += over;
    }
    if (drop > 0) {
      this.ts.splice(0, drop);
      this.mm.splice(0, drop);
      i -= drop;
    }
    return i >= 0 ? this.sums(i) : undefined;
  }

  /** First index whose instant is ≥ ts. */
  private search(ts: number): number {
    let lo = 0;
    let hi = this.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private sums(i: number): RainSums {
    const t = this.ts[i]!;
    let mm1h = 0;
    let mm24h = 0;
    for (let j = i; j >= 0 && this.ts[j]! > t - RAIN_WINDOW_MS; j--) {
      mm24h += this.mm[j]!;
      if (this.ts[j]! > t - HOUR_MS) mm1h += this.mm[j]!;
    }
    return { mm1h: clean(mm1h), mm24h: clean(mm24h) };
  }
}

// ---------------------------------------------------------------------------------------------
// VN_AQI per hour and per day, from hourly means
// ---------------------------------------------------------------------------------------------

/** Start of the hour that holds `ts` (UTC; Vietnam's hours are whole UTC hours). */
export const hourStart = (ts: number): number => Math.floor(ts / HOUR_MS) * HOUR_MS;

/** Whether an instant is a local midnight in Vietnam (the end of a local day). */
export const isLocalDayEnd = (ts: number): boolean => (((ts + VN_UTC_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS === 0;

/**
 * One device's hourly means (µg/m³) per parameter, by the START of the hour bucket (ms, UTC); the
 * VN convention stamps a mean at the END of its hour (bucket 09:00–10:00 is "10:00").
 */
export type HourlyMeans = Partial<Record<AqiParam, ReadonlyMap<number, number>>>;

const hoursBefore = (means: ReadonlyMap<number, number> | undefined, end: number, n: number): (number | undefined)[] =>
  Array.from({ length: n }, (_, k) => means?.get(end - (n - k) * HOUR_MS));

/**
 * The hourly VN_AQI of the hour ending at `hourEnd`: `aqi` (overall; absent unless PM2.5 or PM10
 * has an index) and `aqi_<param>` for each parameter with an index. PM uses the NowCast of the 12
 * hours ending at `hourEnd`; the gases the mean of that hour only (vn-aqi.ts).
 */
export function aqiHourDerived(means: HourlyMeans, hourEnd: number): DerivedValues {
  const out: DerivedValues = {};
  const results: AqiResult[] = [];
  for (const p of AQI_PARAMS) {
    const m = means[p];
    if (!m) continue;
    const r = aqiHourly(p, hoursBefore(m, hourEnd, NOWCAST_HOURS));
    if (!r) continue;
    results.push(r);
    out[aqiParamAttr(p)] = r.value;
  }
  const overall = aqiOverall(results);
  if (overall) out.aqi = overall.value;
  return out;
}

/**
 * The daily VN_AQI (`aqi_day`) of the local day ending at `dayEnd` (a local midnight): the 24
 * hourly means 01:00 → 00:00, plus the 7 before them for O3's 8-hour means. Absent when no PM
 * parameter has its DAILY_MIN_HOURS valid hours.
 */
export function aqiDayDerived(means: HourlyMeans, dayEnd: number): DerivedValues {
  const results: (AqiResult | undefined)[] = [];
  for (const p of AQI_PARAMS) {
    const m = means[p];
    if (!m) continue;
    results.push(aqiDaily(p, hoursBefore(m, dayEnd, 24), hoursBefore(m, dayEnd - DAY_MS, 7)));
  }
  const overall = aqiOverall(results);
  return overall ? { aqi_day: overall.value } : {};
}

/** Hourly means an hour's and a day's index look back over, before the first hour closed: 24 h of the day and 7 h before it. */
export const AQI_LOOKBACK_MS = 31 * HOUR_MS;
/**
 * How long after the hour of a device's last reading hours are still closed: the PM NowCast needs
 * 2 of the last 3 hours (one more hourly value after the last mean), and the local day that holds
 * the reading must get its daily index. 24 hours covers both.
 */
export const AQI_TAIL_MS = DAY_MS;

/** What the hour-closing of one air-quality device knows. */
export interface AqiClock {
  /** End of the last hour closed (ms). */
  closedUntil: number;
  /** Instant of the device's latest reading of a VN_AQI parameter, if any. */
  lastData: number | undefined;
}

/**
 * The ends of the hours to close now: after `closedUntil`, at most `upTo` (an hour boundary or
 * any instant: only whole hours that ended by then), and no later than AQI_TAIL_MS after the
 * hour of the last reading. Oldest first.
 */
export function hoursToClose(state: AqiClock, upTo: number): number[] {
  if (state.lastData === undefined) return [];
  const last = Math.min(hourStart(upTo), hourStart(state.lastData) + HOUR_MS + AQI_TAIL_MS);
  const out: number[] = [];
  for (let e = hourStart(state.closedUntil) + HOUR_MS; e <= last; e += HOUR_MS) out.push(e);
  return out;
}
