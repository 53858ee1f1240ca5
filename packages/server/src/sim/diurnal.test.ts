import assert from 'node:assert/strict';
import { test } from 'node:test';
import { airQualityValues } from './air-quality.model.ts';
import { loadDemoDevices } from './demo-data.ts';
import { localHour, localWeekday } from './local-time.ts';
import { getScenario } from './scenario.ts';
import type { SimContext } from './sim.types.ts';
import { trafficDemand, trafficValues } from './traffic.model.ts';
import { dischargeKindOf, wastewaterValues } from './wastewater.model.ts';

const devices = await loadDemoDevices();
const TUESDAY = Date.parse('2025-10-28T00:00:00+07:00');
const SUNDAY = Date.parse('2025-10-26T00:00:00+07:00');
const at = (day: number, hour: number): SimContext => ({
  ts: day + hour * 3_600_000,
  elapsedS: hour * 3600,
  seed: 3,
  scenario: getScenario('normal'),
});
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('local time is UTC+7', () => {
  assert.equal(localHour(Date.parse('2025-10-28T00:30:00Z')), 7.5);
  assert.equal(localWeekday(TUESDAY), 2);
  assert.equal(localWeekday(SUNDAY), 0);
});

test('traffic demand peaks at 7–8 h and 17–18 h on weekdays, bottoms out at night', () => {
  const byQuarter = Array.from({ length: 96 }, (_, i) => ({ h: i / 4, v: trafficDemand(TUESDAY + (i / 4) * 3_600_000) }));
  const morning = byQuarter.filter((x) => x.h < 12).reduce((a, b) => (b.v > a.v ? b : a));
  const evening = byQuarter.filter((x) => x.h >= 12).reduce((a, b) => (b.v > a.v ? b : a));
  const night = byQuarter.reduce((a, b) => (b.v < a.v ? b : a));
  assert.ok(morning.h >= 7 && morning.h <= 8, `morning peak at ${morning.h}`);
  assert.ok(evening.h >= 17 && evening.h <= 18, `evening peak at ${evening.h}`);
  assert.ok(night.h >= 1 && night.h <= 5, `night low at ${night.h}`);
  assert.ok(trafficDemand(SUNDAY + 7.5 * 3_600_000) < trafficDemand(TUESDAY + 7.5 * 3_600_000) * 0.75, 'weekend morning is calmer');
});

test('every counter: more vehicles and lower speed at rush hour than at 3 am', () => {
  for (const d of devices.filter((x) => x.type === 'traffic')) {
    const night = trafficValues(d, at(TUESDAY, 3));
    const rush = trafficValues(d, at(TUESDAY, 7.5));
    const evening = trafficValues(d, at(TUESDAY, 17.5));
    assert.ok(rush.vehicles! > 4 * night.vehicles! + 10, `${d.id} vehicles ${night.vehicles} → ${rush.vehicles}`);
    assert.ok(rush.speed! < night.speed! * 0.8, `${d.id} speed ${night.speed} → ${rush.speed}`);
    assert.ok(evening.speed! < night.speed! * 0.8, `${d.id} evening speed`);
  }
});

test('air quality: traffic pollutants follow rush hours, ozone peaks early afternoon', () => {
  const stations = devices.filter((x) => x.type === 'air_quality');
  const avg = (attr: string, hour: number) => mean(stations.map((d) => airQualityValues(d, at(TUESDAY, hour))[attr]!));
  for (const attr of ['pm25', 'no2', 'co']) assert.ok(avg(attr, 7.5) > avg(attr, 3) * 1.4, `${attr} rush vs night`);
  const o3 = Array.from({ length: 24 }, (_, h) => avg('o3', h));
  const o3PeakHour = o3.indexOf(Math.max(...o3));
  assert.ok(o3PeakHour >= 12 && o3PeakHour <= 15, `ozone peak at ${o3PeakHour} h`);
  for (const d of stations) {
    const v = airQualityValues(d, at(TUESDAY, 12));
    assert.ok(v.pm10! > v.pm25!, `${d.id} PM10 > PM2.5`);
  }
});

test('wastewater: factories follow shifts, city plants follow households', () => {
  const ww = devices.filter((x) => x.type === 'wastewater');
  const factories = ww.filter((d) => dischargeKindOf(d) === 'industrial');
  const plants = ww.filter((d) => dischargeKindOf(d) === 'municipal');
  assert.ok(factories.length >= 10 && plants.length >= 4);
  for (const d of factories) {
    assert.ok(wastewaterValues(d, at(TUESDAY, 10)).flow! > 2 * wastewaterValues(d, at(TUESDAY, 2)).flow!, `${d.id} day vs night shift`);
  }
  for (const d of plants) {
    assert.ok(wastewaterValues(d, at(TUESDAY, 8)).flow! > 1.8 * wastewaterValues(d, at(TUESDAY, 3)).flow!, `${d.id} morning vs night`);
  }
});
