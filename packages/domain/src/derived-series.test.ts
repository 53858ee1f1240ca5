import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  AQI_TAIL_MS,
  DAY_MS,
  HOUR_MS,
  RAIN_WINDOW_MAX,
  RainWindow,
  aqiDayDerived,
  aqiHourDerived,
  attributeSpecOf,
  derivationPlan,
  derivedAttributes,
  floodDepthDerived,
  hourStart,
  hoursToClose,
  isDerivedAttribute,
  isLocalDayEnd,
  rainDerived,
  reservedDerivedNames,
  riverLevelDerived,
  seriesAttributes,
  unitFactor,
  type HourlyMeans,
} from './derived-series.ts';
import type { AttributeSpec, Device } from './device.ts';
import { validateDevice } from './device.ts';
import { DEVICE_TYPES } from './device-types.ts';
import { toReadings } from './reading.ts';
import { findStation, stationOfDevice, validateWarningThresholds, type WarningThresholds } from './warning-levels.ts';

const PRESET_URL = new URL('../../server/presets/warning-thresholds.json', import.meta.url);
const thresholds = (): WarningThresholds => {
  const r = validateWarningThresholds(JSON.parse(readFileSync(PRESET_URL, 'utf8')));
  if (!r.ok) assert.fail(JSON.stringify(r.errors));
  return r.value;
};

const device = (type: string, attributes: AttributeSpec[] = DEVICE_TYPES[type]!.attributes): Pick<Device, 'type' | 'attributes'> => ({ type, attributes });
const attr = (name: string, unit: string, periodS = 60): AttributeSpec => ({ name, unit, min: 0, max: 1000, periodS });
const names = (d: Pick<Device, 'type' | 'attributes'>): string[] => derivedAttributes(d).map((a) => a.name);

/** 2026-11-25 00:00 in Đà Nẵng (UTC+7) = 2026-11-24 17:00 UTC. */
const LOCAL_MIDNIGHT = Date.UTC(2026, 10, 24, 17, 0, 0);

describe('unitFactor', () => {
  it('converts lengths and mass concentrations, and nothing else', () => {
    assert.equal(unitFactor('cm', 'm'), 0.01);
    assert.equal(unitFactor('m', 'mm'), 1000);
    assert.equal(unitFactor('mm', 'mm'), 1);
    assert.equal(unitFactor('mg/m³', 'µg/m³'), 1000);
    assert.equal(unitFactor('ug/m3', 'µg/m³'), 1);
    assert.equal(unitFactor('\u03bcg/m³', '\u00b5g/m³'), 1, 'Greek mu and micro sign');
    assert.equal(unitFactor('ppb', 'µg/m³'), undefined);
    assert.equal(unitFactor('cm', 'µg/m³'), undefined);
    assert.equal(unitFactor('constructor', 'm'), undefined);
  });
});

describe('derived attributes of a device', () => {
  it('air_quality: hourly aqi and a sub-index per parameter, daily aqi_day', () => {
    assert.deepEqual(names(device('air_quality')), ['aqi', 'aqi_pm25', 'aqi_pm10', 'aqi_o3', 'aqi_co', 'aqi_so2', 'aqi_no2', 'aqi_day']);
    const aqi = derivedAttributes(device('air_quality'))[0]!;
    assert.deepEqual(aqi, { name: 'aqi', unit: 'VN_AQI', min: 0, max: 500, periodS: 3600, from: ['pm25', 'pm10', 'o3', 'co', 'so2', 'no2'], kind: 'hourly' });
    assert.equal(attributeSpecOf(device('air_quality'), 'aqi_day')?.periodS, 86400);
  });

  it('river_level, rain_gauge, flood_depth: per reading, at the period of their source', () => {
    assert.deepEqual(names(device('river_level')), ['alarm_level', 'risk_level']);
    assert.deepEqual(names(device('rain_gauge')), ['rain_1h', 'rain_24h', 'rain_class']);
    assert.deepEqual(names(device('flood_depth')), ['depth_class']);
    assert.ok(derivedAttributes(device('rain_gauge')).every((a) => a.kind === 'reading' && a.periodS === 300));
    assert.deepEqual(derivationPlan(device('flood_depth')).factors, new Map([['depth', 0.01]]), 'depth is in cm, the bands in m');
  });

  it('none for other types, a source in a unit the rules cannot convert, or an air station without PM', () => {
    assert.deepEqual(names(device('traffic')), []);
    assert.deepEqual(names(device('wastewater')), []);
    assert.deepEqual(names({ type: 'weather', attributes: [attr('rain', 'mm')] }), []);
    assert.deepEqual(names(device('rain_gauge', [attr('rain', 'in')])), []);
    assert.deepEqual(names(device('air_quality', [attr('o3', 'µg/m³'), attr('no2', 'µg/m³')])), []);
    // ppb gases are left out; CO in mg/m³ is converted.
    const d = device('air_quality', [attr('pm25', 'µg/m³'), attr('no2', 'ppb'), attr('co', 'mg/m³')]);
    assert.deepEqual(names(d), ['aqi', 'aqi_pm25', 'aqi_co', 'aqi_day']);
    assert.deepEqual(derivationPlan(d).factors, new Map([['pm25', 1], ['co', 1000]]));
  });

  it('series for the declared then the derived attributes; isDerivedAttribute', () => {
    assert.deepEqual(seriesAttributes(device('flood_depth')), ['depth', 'depth_class']);
    assert.ok(isDerivedAttribute(device('river_level'), 'alarm_level'));
    assert.ok(!isDerivedAttribute(device('river_level'), 'level'));
    assert.equal(attributeSpecOf(device('river_level'), 'level')?.unit, 'm');
    assert.equal(attributeSpecOf(device('river_level'), 'nope'), undefined);
  });

  it('reserves every derived name of a type, whatever a device declares', () => {
    assert.deepEqual([...reservedDerivedNames('river_level')], ['alarm_level', 'risk_level']);
    assert.ok(reservedDerivedNames('air_quality').has('aqi_so2'));
    assert.equal(reservedDerivedNames('traffic').size, 0);
    assert.equal(reservedDerivedNames('constructor').size, 0);
  });

  it('validateDevice refuses a derived name among the declared attributes', () => {
    const r = validateDevice({
      id: 'rl-1',
      type: 'river_level',
      name: 'Trạm',
      location: { lat: 16, lon: 108 },
      unitCode: '20312',
      apikey: 'k',
      attributes: [attr('level', 'm'), attr('alarm_level', '')],
    });
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => [e.field, e.reason]), [['attributes/1/name', 'reserved']]);
    // Another type may use the name for something it measures.
    assert.ok(validateDevice({ id: 'x-1', type: 'gauge', sector: 'environment', name: 'X', location: { lat: 16, lon: 108 }, unitCode: '1', apikey: 'k', attributes: [attr('alarm_level', '')] }).ok);
  });

  it('toReadings refuses a derived attribute sent by a device, saying why', () => {
    const d: Device = { id: 'rl-1', type: 'river_level', name: 'Trạm', location: { lat: 16, lon: 108 }, unitCode: '1', sector: 'environment', apikey: 'k', attributes: [attr('level', 'm')] };
    const r = toReadings(d, [{ values: { level: 1.2, alarm_level: 3 }, at: '' }], Date.UTC(2026, 0, 1));
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => [e.field, e.reason]), [['alarm_level', 'unknown_attribute']]);
    assert.match(r.errors[0]!.message, /computed by the IOC/);
  });
});

describe('per-reading rules', () => {
  it('alarm_level at Cẩm Lệ (BĐ1 1.0, BĐ2 2.0, BĐ3 2.5 m); no risk_level without an area class', () => {
    const camLe = findStation(thresholds(), 'cam-le')!;
    for (const [h, level] of [[0.4, 0], [0.999, 0], [1.0, 1], [1.99, 1], [2.0, 2], [2.5, 3], [3.2, 3]] as const) {
      assert.deepEqual(riverLevelDerived(camLe, h), { alarm_level: level }, `${h} m`);
    }
  });

  it('risk_level where Điều 45 determines it (0 below level 1), absent where it does not', () => {
    const s = { ...findStation(thresholds(), 'cau-lau')!, riskArea: 1 as const };
    assert.deepEqual(riverLevelDerived(s, 1.5), { alarm_level: 0, risk_level: 0 });
    assert.deepEqual(riverLevelDerived(s, 2.5), { alarm_level: 1, risk_level: 1 });
    assert.deepEqual(riverLevelDerived(s, 4.5), { alarm_level: 3, risk_level: 2 });
    assert.deepEqual(riverLevelDerived(s, 5.2), { alarm_level: 3 }, 'BĐ3 + 1.2 m at khu vực 1: not in the reference');
  });

  it('the shipped thresholds map the demo river devices to their stations', () => {
    const t = thresholds();
    assert.equal(stationOfDevice(t, 'rl-cl-001')?.id, 'cam-le');
    assert.equal(stationOfDevice(t, 'rl-hv-001')?.id, 'ai-nghia');
    assert.equal(stationOfDevice(t, 'rl-hv-002')?.id, 'cau-lau');
    assert.equal(stationOfDevice(t, 'rl-hc-001'), undefined);
  });

  it('depth_class: 0 dry, 1 shallow, 2 from 0.2 m, 3 from 0.5 m, 4 above 1 m', () => {
    const b = thresholds().urbanFloodDepth;
    for (const [m, c] of [[0, 0], [0.01, 1], [0.199, 1], [0.2, 2], [0.5, 3], [1.0, 3], [1.01, 4]] as const) {
      assert.deepEqual(floodDepthDerived(b, m), { depth_class: c }, `${m} m`);
    }
  });

  it('rain_class of the 24-h sum: 0 none, 1 light, 2 rain (≥ 6), 3 moderate (> 15), 4 heavy (> 50), 5 very heavy (> 100)', () => {
    const r = thresholds().rainfall;
    for (const [mm, c] of [[0, 0], [0.2, 1], [5.9, 1], [6, 2], [15, 2], [15.5, 3], [50, 3], [50.1, 4], [100, 4], [100.5, 5]] as const) {
      assert.equal(rainDerived(r, { mm1h: 0, mm24h: mm }).rain_class, c, `${mm} mm`);
    }
    assert.deepEqual(rainDerived(r, { mm1h: 2, mm24h: 60 }), { rain_1h: 2, rain_24h: 60, rain_class: 4 });
  });
});

describe('RainWindow', () => {
  const T = Date.UTC(2026, 10, 25, 0, 0, 0);
  const MIN = 60_000;

  it('sums the readings stamped in (t − 1 h, t] and (t − 24 h, t], without float noise', () => {
    const w = new RainWindow();
    assert.deepEqual(w.add(T, 0.1), { mm1h: 0.1, mm24h: 0.1 });
    assert.deepEqual(w.add(T + 5 * MIN, 0.2), { mm1h: 0.3, mm24h: 0.3 });
    assert.deepEqual(w.add(T + HOUR_MS, 1), { mm1h: 1.2, mm24h: 1.3 }, 'the reading at exactly t − 1 h is out of the hour');
    assert.deepEqual(w.add(T + DAY_MS, 2), { mm1h: 2, mm24h: 3.2 }, 'the reading at exactly t − 24 h is out of the day');
    assert.equal(w.size, 3);
  });

  it('slides: readings older than 24 h before the newest are forgotten', () => {
    const w = new RainWindow();
    for (let i = 0; i < 24 * 12; i++) w.add(T + i * 5 * MIN, 1);
    assert.deepEqual(w.add(T + 24 * 12 * 5 * MIN, 1), { mm1h: 12, mm24h: 288 });
    assert.equal(w.size, 288);
  });

  it('a redelivered reading is not counted twice; a late one is inserted in order; one older than the window is refused', () => {
    const w = new RainWindow();
    w.add(T, 1);
    w.add(T + 10 * MIN, 2);
    assert.deepEqual(w.add(T + 10 * MIN, 2), { mm1h: 3, mm24h: 3 });
    assert.deepEqual(w.add(T + 5 * MIN, 4), { mm1h: 5, mm24h: 5 }, 'at its own instant: the readings at or before it');
    assert.deepEqual(w.add(T + 20 * MIN, 0), { mm1h: 7, mm24h: 7 });
    assert.equal(w.add(T + 20 * MIN - DAY_MS, 9), undefined);
    assert.equal(w.size, 4);
  });

  it('holds at most RAIN_WINDOW_MAX readings, dropping the oldest', () => {
    const w = new RainWindow();
    for (let i = 0; i <= RAIN_WINDOW_MAX; i++) w.add(T + i * 1000, 0.5);
    assert.equal(w.size, RAIN_WINDOW_MAX);
    assert.equal(w.dropped, 1);
    assert.equal(w.add(T + (RAIN_WINDOW_MAX + 1) * 1000, 0.5)!.mm24h, RAIN_WINDOW_MAX * 0.5);
  });
});

describe('VN_AQI per hour and per day', () => {
  /** §2.3.a: PM2.5 hourly means 09:00 → 20:00, most recent last (the vn-aqi tests' vector). */
  const PM25_EXAMPLE = [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6];
  const END = Date.UTC(2026, 10, 25, 13, 0, 0); // 20:00 local
  /** Means for the hours ending at end − (n − 1) h … end, most recent last. */
  const series = (values: readonly (number | null)[], end = END): Map<number, number> =>
    new Map(values.flatMap((v, i) => (v === null ? [] : [[end - (values.length - i) * HOUR_MS, v] as [number, number]])));

  it('the decision\'s hourly example: NowCast PM2.5 → 41, O3 136.1 → 43, NO2 118.7 → 59; overall 59', () => {
    const means: HourlyMeans = { pm25: series(PM25_EXAMPLE), o3: series([136.1]), no2: series([118.7]) };
    assert.deepEqual(aqiHourDerived(means, END), { aqi_pm25: 41, aqi_o3: 43, aqi_no2: 59, aqi: 59 });
  });

  it('no overall without PM; the PM NowCast goes on one hour after the last mean (2 of the last 3 hours), not two', () => {
    assert.deepEqual(aqiHourDerived({ o3: series([136.1]) }, END), { aqi_o3: 43 });
    const means: HourlyMeans = { pm25: series([30, 30]) };
    assert.deepEqual(aqiHourDerived(means, END + HOUR_MS), { aqi_pm25: 60, aqi: 60 });
    assert.deepEqual(aqiHourDerived(means, END + 2 * HOUR_MS), {});
  });

  it('daily: the 24-h PM2.5 mean 55.7 → 110 at local midnight; nothing with fewer than 18 hours', () => {
    assert.deepEqual(aqiDayDerived({ pm25: series(Array(24).fill(55.7), LOCAL_MIDNIGHT) }, LOCAL_MIDNIGHT), { aqi_day: 110 });
    const sparse = [...Array(17).fill(55.7), ...Array(7).fill(null)];
    assert.deepEqual(aqiDayDerived({ pm25: series(sparse, LOCAL_MIDNIGHT) }, LOCAL_MIDNIGHT), {});
    // Hours of the previous day do not count: 24 hours ending at 17:00 leave 17 in the day.
    assert.deepEqual(aqiDayDerived({ pm25: series(Array(24).fill(55.7), LOCAL_MIDNIGHT - 7 * HOUR_MS) }, LOCAL_MIDNIGHT), {});
  });

  it('local days end at 17:00 UTC', () => {
    assert.ok(isLocalDayEnd(LOCAL_MIDNIGHT));
    assert.ok(isLocalDayEnd(LOCAL_MIDNIGHT + DAY_MS));
    assert.ok(!isLocalDayEnd(LOCAL_MIDNIGHT + HOUR_MS));
    assert.ok(!isLocalDayEnd(Date.UTC(2026, 10, 25, 0, 0, 0)));
    assert.equal(hourStart(Date.UTC(2026, 10, 25, 3, 59, 59, 999)), Date.UTC(2026, 10, 25, 3, 0, 0));
  });
});

describe('hoursToClose', () => {
  const H = (h: number) => Date.UTC(2026, 10, 25, h, 0, 0);

  it('the whole hours after the last closed one that have ended by then', () => {
    assert.deepEqual(hoursToClose({ closedUntil: H(3), lastData: H(5) + 1 }, H(6) + 30 * 60_000), [H(4), H(5), H(6)]);
    assert.deepEqual(hoursToClose({ closedUntil: H(3), lastData: H(3) + 1 }, H(3) + 59 * 60_000), []);
  });

  it('nothing without data; at most AQI_TAIL_MS after the hour of the last reading', () => {
    assert.deepEqual(hoursToClose({ closedUntil: H(3), lastData: undefined }, H(10)), []);
    const ends = hoursToClose({ closedUntil: H(3), lastData: H(3) + 1 }, H(3) + 3 * DAY_MS);
    assert.equal(ends.length, 1 + AQI_TAIL_MS / HOUR_MS);
    assert.equal(ends.at(-1), H(4) + AQI_TAIL_MS);
  });
});
