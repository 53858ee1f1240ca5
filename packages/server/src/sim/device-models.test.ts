import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDemoDevices } from './demo-data.ts';
import { attributeSpecs, sampleDevice } from './device.model.ts';
import { rainAccumulationMm, rainPlaceOf } from './rain.model.ts';
import { riverLevelM, riverStationOf } from './river.model.ts';
import { getScenario } from './scenario.ts';
import type { DeviceLike, ScenarioName, SimContext } from './sim.types.ts';

const devices = await loadDemoDevices();
const START = Date.parse('2025-10-28T00:00:00+07:00'); // a Tuesday
const STEP_S = 600;
const ctxAt = (scenario: ScenarioName, elapsedS: number, seed = 7): SimContext => ({
  ts: START + elapsedS * 1000,
  elapsedS,
  seed,
  scenario: getScenario(scenario),
});

for (const scenario of ['normal', 'storm'] as const) {
  test(`${scenario}: every attribute of every device stays in its physical range over 30 h`, () => {
    for (let s = 0; s <= 30 * 3600; s += STEP_S) {
      const ctx = ctxAt(scenario, s);
      for (const d of devices) {
        const values = sampleDevice(d, ctx, STEP_S);
        for (const spec of attributeSpecs(d)) {
          const v = values[spec.name];
          assert.ok(typeof v === 'number' && Number.isFinite(v), `${d.id}.${spec.name} at ${s}s is a number`);
          assert.ok(v >= spec.min && v <= spec.max, `${d.id}.${spec.name} = ${v} at ${s}s outside [${spec.min}, ${spec.max}]`);
        }
        assert.deepEqual(Object.keys(values).sort(), attributeSpecs(d).map((a) => a.name).sort());
      }
    }
  });
}

test('models are pure: same instant and seed, same values; another seed, other noise', () => {
  const d = devices.find((x) => x.type === 'air_quality')!;
  assert.deepEqual(sampleDevice(d, ctxAt('normal', 3600), 60), sampleDevice(d, ctxAt('normal', 3600), 60));
  assert.notDeepEqual(sampleDevice(d, ctxAt('normal', 3600, 1), 60), sampleDevice(d, ctxAt('normal', 3600, 2), 60));
});

test('normal: no street flooding, little rain, rivers at their usual levels', () => {
  for (let seed = 1; seed <= 8; seed++) {
    for (const d of devices.filter((x) => x.type === 'rain_gauge')) {
      const day = rainAccumulationMm(ctxAt('normal', 24 * 3600, seed), rainPlaceOf(d), 24 * 3600);
      assert.ok(day < 16, `${d.id} got ${day.toFixed(1)} mm on a normal day (seed ${seed})`);
    }
  }
  for (let s = 0; s <= 48 * 3600; s += STEP_S) {
    const ctx = ctxAt('normal', s);
    for (const d of devices.filter((x) => x.type === 'flood_depth')) assert.equal(sampleDevice(d, ctx, 60).depth, 0, `${d.id} dry`);
    for (const d of devices.filter((x) => x.type === 'river_level')) {
      const st = riverStationOf(d);
      assert.ok(Math.abs(riverLevelM(st, ctx) - st.baseM) <= st.tideM + 1e-9, `${d.id} near base level`);
      if (st.alarms) assert.ok(riverLevelM(st, ctx) < st.alarms[0], `${d.id} below BĐ1`);
    }
  }
});

test('a device of an unknown type with declared attributes gets in-range values', () => {
  const d: DeviceLike = {
    id: 'noise-1',
    type: 'noise_meter',
    apikey: 'k',
    attributes: [{ name: 'laeq', unit: 'dB', min: 20, max: 140, periodS: 60 }],
  };
  const v = sampleDevice(d, ctxAt('normal', 100), 60).laeq!;
  assert.ok(v >= 20 && v <= 140);
});
