import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDemoDevices } from './demo-data.ts';
import { floodDepthCm } from './flood-depth.model.ts';
import { rainAccumulationMm, rainIntensityMmH, rainPlaceOf } from './rain.model.ts';
import { riverLevelM, riverStationOf } from './river.model.ts';
import { getScenario } from './scenario.ts';
import type { ScenarioName, SimContext } from './sim.types.ts';
import { trafficValues } from './traffic.model.ts';

const devices = await loadDemoDevices();
const START = Date.parse('2025-10-28T00:00:00+07:00');
const H = 3600;
const ctxAt = (elapsedS: number, scenario: ScenarioName = 'storm', seed = 11): SimContext => ({
  ts: START + elapsedS * 1000,
  elapsedS,
  seed,
  scenario: getScenario(scenario),
});

test('storm: every rain gauge gets "mưa rất to" (> 100 mm/24 h and > 50 mm in some 12 h)', () => {
  for (const d of devices.filter((x) => x.type === 'rain_gauge')) {
    const place = rainPlaceOf(d);
    const day = rainAccumulationMm(ctxAt(24 * H), place, 24 * H);
    let best12 = 0;
    for (let end = 12 * H; end <= 24 * H; end += H) best12 = Math.max(best12, rainAccumulationMm(ctxAt(end), place, 12 * H));
    assert.ok(day > 100, `${d.id}: ${day.toFixed(0)} mm in 24 h`);
    assert.ok(best12 > 50, `${d.id}: ${best12.toFixed(0)} mm in 12 h`);
    assert.ok(day < 700, `${d.id}: ${day.toFixed(0)} mm is beyond any Đà Nẵng record`);
  }
  // The mountains get more than the coast (orographic rain).
  const total = (id: string) => rainAccumulationMm(ctxAt(24 * H), rainPlaceOf(devices.find((d) => d.id === id)!), 24 * H);
  const mountain = devices.filter((d) => d.type === 'rain_gauge' && d.location.lon < 108.05).map((d) => total(d.id));
  const coast = devices.filter((d) => d.type === 'rain_gauge' && d.location.lon > 108.23).map((d) => total(d.id));
  assert.ok(Math.min(...mountain) > Math.max(...coast) * 1.1);
});

test('storm: rain builds over hours, then stops', () => {
  const gauge = rainPlaceOf(devices.find((d) => d.type === 'rain_gauge')!);
  assert.equal(rainIntensityMmH(ctxAt(0.2 * H), gauge), 0);
  assert.ok(rainIntensityMmH(ctxAt(2 * H), gauge) < 10);
  assert.ok(rainIntensityMmH(ctxAt(9 * H), gauge) > 20);
  assert.equal(rainIntensityMmH(ctxAt(23 * H), gauge), 0);
});

test('storm: Cẩm Lệ, Ái Nghĩa and Câu Lâu pass BĐ1 → BĐ2 → BĐ3 in order, then recede below BĐ1', () => {
  for (const key of ['cam-le', 'ai-nghia', 'cau-lau']) {
    const d = devices.find((x) => x.type === 'river_level' && riverStationOf(x).key === key)!;
    const st = riverStationOf(d);
    const alarms = st.alarms!;
    const firstAbove = alarms.map(() => Infinity);
    let peak = -Infinity;
    for (let s = 0; s <= 30 * H; s += 300) {
      const level = riverLevelM(st, ctxAt(s));
      peak = Math.max(peak, level);
      alarms.forEach((a, i) => {
        if (level >= a && firstAbove[i] === Infinity) firstAbove[i] = s;
      });
    }
    assert.ok(firstAbove.every(Number.isFinite), `${key} reached BĐ3 (peak ${peak.toFixed(2)} m)`);
    assert.ok(firstAbove[0]! < firstAbove[1]! && firstAbove[1]! < firstAbove[2]!, `${key} rose through the levels in order`);
    assert.ok(firstAbove[0]! >= 3 * H, `${key} lags the rain`);
    assert.ok(peak < alarms[2] + 1.0, `${key} peak ${peak.toFixed(2)} m stays below BĐ3 + 1 m`);
    assert.ok(riverLevelM(st, ctxAt(48 * H)) < alarms[0], `${key} back below BĐ1 after two days`);
  }
});

test('storm: flood-prone streets rise to 20–60 cm, lagging the rain, and drain', () => {
  const DRAINS_MMH = 10; // what the drains take (flood-depth.model.ts)
  const flood = devices.filter((x) => x.type === 'flood_depth');
  for (const d of flood) {
    let peak = 0;
    let rainOver = Infinity; // first time rain beats the drains
    let rainUnder = Infinity; // first time after that it falls back under them
    let wetFrom = Infinity;
    let wetAtRainUnder = 0;
    for (let s = 0; s <= 30 * H; s += 300) {
      const depth = floodDepthCm(d, ctxAt(s));
      const rain = rainIntensityMmH(ctxAt(s), rainPlaceOf(d));
      peak = Math.max(peak, depth);
      if (rain >= DRAINS_MMH && rainOver === Infinity) rainOver = s;
      if (rain < DRAINS_MMH && s > rainOver + 2 * H && rainUnder === Infinity) [rainUnder, wetAtRainUnder] = [s, depth];
      if (depth > 0 && wetFrom === Infinity) wetFrom = s;
    }
    assert.ok(peak >= 20 && peak <= 100, `${d.id} peak ${peak.toFixed(0)} cm`);
    assert.ok(wetFrom > rainOver, `${d.id} floods after the rain beats the drains (${rainOver / H} h → ${wetFrom / H} h)`);
    assert.ok(wetAtRainUnder > 5, `${d.id} still flooded (${wetAtRainUnder.toFixed(0)} cm) when the rain eases at ${rainUnder / H} h`);
    assert.equal(floodDepthCm(d, ctxAt(0)), 0);
    assert.equal(floodDepthCm(d, ctxAt(26 * H)), 0, `${d.id} drained a few hours after the rain`);
  }
  const peaks = flood.map((d) => Math.max(...[8, 10, 12].map((h) => floodDepthCm(d, ctxAt(h * H)))));
  const inBand = peaks.filter((p) => p >= 20 && p <= 60).length;
  assert.ok(inBand >= flood.length * 0.8, `${inBand}/${flood.length} streets peak within 20–60 cm`);
});

test('storm: one or two flood sensors go offline during the storm', () => {
  const outages = getScenario('storm').outages(devices);
  assert.ok(outages.length >= 1 && outages.length <= 2);
  for (const o of outages) {
    assert.equal(devices.find((d) => d.id === o.deviceId)?.type, 'flood_depth');
    assert.ok(o.fromS >= 6 * H && o.toS <= 24 * H && o.fromS < o.toS);
  }
  assert.deepEqual(getScenario('normal').outages(devices), []);
});

test('storm: traffic slows in the heavy rain compared with a normal day', () => {
  const counters = devices.filter((d) => d.type === 'traffic');
  const mean = (scenario: ScenarioName, key: 'speed' | 'vehicles') =>
    counters.reduce((sum, d) => sum + trafficValues(d, ctxAt(10 * H, scenario))[key]!, 0) / counters.length;
  assert.ok(mean('storm', 'speed') < mean('normal', 'speed') * 0.75);
  assert.ok(mean('storm', 'vehicles') < mean('normal', 'vehicles'));
});
