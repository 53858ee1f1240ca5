/**
 * Derived series (docs/derived-series.md) through the whole spine, on both backends: readings sent
 * over HTTP → committed → DerivedSeries (the writer's onCommitted) → derived readings written back
 * through the writer → readable like any series (raw, rollups, latest values, CSV export). A
 * device cannot send them; a restart keeps the rain window; devices registered before an upgrade
 * get their derived series at start.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DAY_MS, HOUR_MS } from '@haidang/domain';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { shippedWarningThresholds } from '../src/config/warning-thresholds.ts';
import type { DerivedSeries } from '../src/services/derived-series.ts';
import { backends } from './support/databases.ts';
import { deviceInput } from './support/fixtures.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

/** The services' "now": 2026-11-25 10:00 in Đà Nẵng (03:00 UTC). */
const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
/** The local midnight before it: 2026-11-25 00:00 +07:00. */
const MIDNIGHT = NOW - 10 * HOUR_MS;
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();


interface Point {
  ts: string;
  value: number;
  count?: number;
  max?: number;
}

it('maps only demo river_level devices to the shipped flood stations', () => {
  const demo = JSON.parse(readFileSync(new URL('../demo/devices.json', import.meta.url), 'utf8')) as { devices: { id: string; type: string }[] };
  const mapped = shippedWarningThresholds().floodStations.flatMap((s) => s.devices ?? []);
  assert.deepEqual(mapped.sort(), ['rl-cl-001', 'rl-hv-001', 'rl-hv-002']);
  for (const id of mapped) assert.equal(demo.devices.find((d) => d.id === id)?.type, 'river_level', id);
});

for (const backend of await backends()) {
  describe(`derived series on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp;
    let derived: DerivedSeries;
    let now = NOW;

    /** The test app, wired as compose.ts wires it (DerivedSeries with the shipped thresholds, loaded with the state). */
    async function start(): Promise<void> {
      t = await buildTestApp(database, { clock: () => now });
      derived = t.services.derived;
    }

    const send = async (id: string, apikey: string, payload: unknown) => {
      const r = await t.inject({ method: 'POST', url: `/iot/json?k=${apikey}&i=${id}`, payload: payload as object });
      assert.equal(r.statusCode, 200, r.body);
      await derived.drain();
    };
    const points = async (id: string, attr: string, q = ''): Promise<Point[]> => {
      const r = await t.inject({ method: 'GET', url: `/api/v1/devices/${id}/series/${attr}?from=${iso(NOW - 2 * DAY_MS)}&to=${iso(NOW + DAY_MS)}${q}` });
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{ points: Point[] }>().points;
    };
    const values = async (id: string, attr: string) => (await points(id, attr)).map((p) => [p.ts, p.value]);

    before(async () => {
      database = await backend.open();
      await start();
      const devices = [
        deviceInput({ id: 'rl-cl-001', type: 'river_level', name: 'Trạm thủy văn Cẩm Lệ', apikey: 'k-river' }),
        deviceInput({ id: 'rl-hv-002', type: 'river_level', name: 'Trạm thủy văn Câu Lâu', apikey: 'k-river' }),
        deviceInput({ id: 'rl-x', type: 'river_level', name: 'Trạm không gắn với trạm báo động', apikey: 'k-river' }),
        deviceInput({ id: 'rg-1', type: 'rain_gauge', name: 'Trạm đo mưa', apikey: 'k-rain' }),
        deviceInput({ id: 'fd-1', type: 'flood_depth', name: 'Cảm biến ngập', apikey: 'k-flood' }),
        deviceInput({ id: 'aq-day', apikey: 'k-aq' }),
        deviceInput({ id: 'aq-hour', apikey: 'k-aq' }),
      ];
      for (const d of devices) {
        const r = await t.inject({ method: 'POST', url: '/api/v1/devices', payload: d });
        assert.equal(r.statusCode, 201, r.body);
      }
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    it('shows the derived attributes of each device beside the measured ones', async () => {
      const d = (await t.inject({ method: 'GET', url: '/api/v1/devices/rg-1' })).json();
      assert.deepEqual(d.attributes.map((a: { name: string }) => a.name), ['rain']);
      assert.deepEqual(d.derived, [
        { name: 'rain_1h', unit: 'mm', min: 0, max: 5000, periodS: 300 },
        { name: 'rain_24h', unit: 'mm', min: 0, max: 20000, periodS: 300 },
        { name: 'rain_class', unit: 'class', min: 0, max: 5, periodS: 300 },
      ]);
      const aq = (await t.inject({ method: 'GET', url: '/api/v1/devices/aq-day' })).json();
      assert.deepEqual(aq.derived.map((a: { name: string }) => a.name), ['aqi', 'aqi_pm25', 'aqi_pm10', 'aqi_o3', 'aqi_co', 'aqi_so2', 'aqi_no2', 'aqi_day']);
      assert.deepEqual((await t.inject({ method: 'GET', url: '/api/v1/devices/fd-1' })).json().derived.map((a: { name: string }) => a.name), ['depth_class']);
    });

    it('river levels crossing BĐ1 and BĐ2 at Cẩm Lệ: alarm_level at the instant of each level', async () => {
      const levels = [0.8, 1.2, 2.1, 1.9];
      await send('rl-cl-001', 'k-river', levels.map((level, i) => ({ level, TimeInstant: iso(NOW - (40 - i * 10) * MIN) })));
      assert.deepEqual(await values('rl-cl-001', 'alarm_level'), [0, 1, 2, 1].map((v, i) => [iso(NOW - (40 - i * 10) * MIN), v]));
      assert.deepEqual(await values('rl-cl-001', 'risk_level'), [], 'Cẩm Lệ has no area class: no risk level');
      const latest = (await t.inject({ method: 'GET', url: '/api/v1/latest?device=rl-cl-001' })).json().items[0].values;
      assert.deepEqual(latest.alarm_level, { value: 1, ts: iso(NOW - 10 * MIN), unit: 'BĐ' });
      assert.equal(latest.level.value, 1.9);
    });

    it('each mapped device against its own station (Câu Lâu: BĐ3 4.0 m); nothing for a device mapped to no station', async () => {
      await send('rl-hv-002', 'k-river', [{ level: 1.5, TimeInstant: iso(NOW - 20 * MIN) }, { level: 2.5, TimeInstant: iso(NOW - 10 * MIN) }, { level: 5.62, TimeInstant: iso(NOW) }]);
      assert.deepEqual(await values('rl-hv-002', 'alarm_level'), [[iso(NOW - 20 * MIN), 0], [iso(NOW - 10 * MIN), 1], [iso(NOW), 3]]);
      assert.deepEqual(await values('rl-hv-002', 'risk_level'), [], 'no shipped station has an area class (risk levels: the service unit test)');
      await send('rl-x', 'k-river', { level: 9 });
      assert.deepEqual(await values('rl-x', 'alarm_level'), []);
    });

    it('street flood depths in cm: depth_class at each depth', async () => {
      const depths = [0, 15, 35, 120];
      await send('fd-1', 'k-flood', depths.map((depth, i) => ({ depth, TimeInstant: iso(NOW - (4 - i) * MIN) })));
      assert.deepEqual(await values('fd-1', 'depth_class'), [0, 1, 2, 4].map((v, i) => [iso(NOW - (4 - i) * MIN), v]));
    });

    it('rain: 20 readings of 3 mm over 100 minutes are heavy rain over 24 h; sums at each reading, with rollups', async () => {
      const first = NOW - 100 * MIN;
      await send('rg-1', 'k-rain', Array.from({ length: 20 }, (_, i) => ({ rain: 3, TimeInstant: iso(first + i * 5 * MIN) })));
      const d24 = await values('rg-1', 'rain_24h');
      assert.equal(d24.length, 20);
      assert.deepEqual(d24.at(-1), [iso(NOW - 5 * MIN), 60]);
      assert.deepEqual(d24[0], [iso(first), 3]);
      assert.deepEqual((await values('rg-1', 'rain_1h')).at(-1), [iso(NOW - 5 * MIN), 36]);
      const cls = await values('rg-1', 'rain_class');
      assert.deepEqual([cls[0], cls.at(-1)], [[iso(first), 1], [iso(NOW - 5 * MIN), 4]], '3 mm light, 60 mm heavy');
      const hourly = await points('rg-1', 'rain_24h', '&resolution=1h');
      assert.deepEqual(hourly.map((p) => [p.ts, p.count, p.max]), [[iso(NOW - 2 * HOUR_MS), 8, 24], [iso(NOW - HOUR_MS), 12, 60]]);
      const csv = await t.inject({ method: 'GET', url: `/api/v1/devices/rg-1/series/rain_class/export?from=${iso(first)}&to=${iso(NOW)}` });
      assert.equal(csv.statusCode, 200);
      assert.equal(csv.body.split('\r\n').at(-2), `${iso(NOW - 5 * MIN)},4`);
    });

    it('a device cannot send a derived attribute', async () => {
      for (const [id, k, body] of [
        ['rg-1', 'k-rain', { rain: 1, rain_24h: 500 }],
        ['rl-cl-001', 'k-river', { alarm_level: 3 }],
        ['aq-hour', 'k-aq', { aqi: 500 }],
      ] as const) {
        const r = await t.inject({ method: 'POST', url: `/iot/json?k=${k}&i=${id}`, payload: body });
        assert.equal(r.statusCode, 422, r.body);
        const e = r.json().errors.find((x: { reason: string }) => x.reason === 'unknown_attribute');
        assert.match(e.message, /computed by the IOC/, id);
      }
      assert.equal((await values('rg-1', 'rain_24h')).length, 20, 'nothing stored');
      const reg = await t.inject({ method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: 'rl-own', type: 'river_level', apikey: 'k', attributes: [{ name: 'alarm_level', unit: '', min: 0, max: 3, periodS: 60 }] }) });
      assert.equal(reg.statusCode, 400, reg.body);
      assert.deepEqual(reg.json().errors.map((e: { field: string; reason: string }) => [e.field, e.reason]), [['attributes/0/name', 'reserved']]);
    });

    it('VN_AQI: an hour closes at the first reading of a later hour, stamped at its end; the local day at midnight', async () => {
      // aq-day: PM2.5 55.7 µg/m³ for the 24 hours of the local day, then one reading after midnight.
      const day = Array.from({ length: 48 }, (_, i) => ({ pm25: 55.7, TimeInstant: iso(MIDNIGHT - DAY_MS + i * 30 * MIN + 10 * MIN) }));
      await send('aq-day', 'k-aq', [...day, { pm25: 20, TimeInstant: iso(MIDNIGHT + 5 * MIN) }]);
      assert.deepEqual(await values('aq-day', 'aqi_day'), [[iso(MIDNIGHT), 110]], '24-h mean 55.7 → 110 (QĐ 1459 §2.3 example)');
      const aqi = await values('aq-day', 'aqi');
      assert.deepEqual(aqi.at(-1), [iso(MIDNIGHT), 110], 'the hour ending at midnight; the hour after it is not over');
      assert.equal(aqi[0]![0], iso(NOW - DAY_MS + HOUR_MS), 'hours are closed back to 24 h before now at most');
      assert.equal(aqi.length, 14);
      assert.deepEqual((await values('aq-day', 'aqi_pm25')).at(-1), [iso(MIDNIGHT), 110]);
    });

    it('VN_AQI: gases from the hour alone, PM from 2 of the last 3 hours; a quiet hour closes by the sweep after the grace', async () => {
      const A = NOW - 3 * HOUR_MS;
      const hour = (start: number) => [10, 40].map((m) => ({ pm25: 30, no2: 118.7, TimeInstant: iso(start + m * MIN) }));
      await send('aq-hour', 'k-aq', hour(A));
      assert.deepEqual(await values('aq-hour', 'aqi_no2'), [], 'the hour is not over for this device');
      await send('aq-hour', 'k-aq', hour(A + HOUR_MS));
      assert.deepEqual(await values('aq-hour', 'aqi_no2'), [[iso(A + HOUR_MS), 59]]);
      assert.deepEqual(await values('aq-hour', 'aqi'), [], 'one hour of PM is no NowCast: no overall index');
      await send('aq-hour', 'k-aq', hour(A + 2 * HOUR_MS));
      assert.deepEqual(await values('aq-hour', 'aqi'), [[iso(A + 2 * HOUR_MS), 60]]);
      // The hour ending at NOW got its readings; nothing later arrives.
      now = NOW + 5 * MIN;
      derived.sweep();
      await derived.drain();
      assert.equal((await values('aq-hour', 'aqi')).length, 1, 'within the grace period');
      now = NOW + 11 * MIN;
      derived.sweep();
      await derived.drain();
      assert.deepEqual(await values('aq-hour', 'aqi'), [[iso(A + 2 * HOUR_MS), 60], [iso(NOW), 60]]);
      const h = await points('aq-hour', 'aqi', '&resolution=1h');
      assert.deepEqual(h.map((p) => [p.ts, p.count]), [[iso(NOW - HOUR_MS), 1], [iso(NOW), 1]], 'an hourly value at HH:00 falls in the rollup bucket starting then');
    });

    it('a restart keeps the rain window, and derived series of devices registered before an upgrade are created', async () => {
      // An "old" device: registered, then its derived series removed as if it predated them.
      const r = await t.inject({ method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: 'fd-old', type: 'flood_depth', name: 'Cảm biến cũ', apikey: 'k-flood' }) });
      assert.equal(r.statusCode, 201, r.body);
      await database.db.deleteFrom('series').where('device_id', '=', 'fd-old').where('attr', '=', 'depth_class').execute();
      await t.close();

      now = NOW + 20 * MIN;
      await start();
      assert.ok(t.directory.get('fd-old')!.series.depth_class !== undefined, 'created at start');
      await send('fd-old', 'k-flood', { depth: 60 });
      assert.deepEqual(await values('fd-old', 'depth_class'), [[iso(now), 3]]);

      await send('rg-1', 'k-rain', { rain: 3, TimeInstant: iso(NOW) });
      assert.deepEqual((await values('rg-1', 'rain_24h')).at(-1), [iso(NOW), 63], 'the 20 readings before the restart count');
      assert.deepEqual((await values('rg-1', 'rain_1h')).at(-1), [iso(NOW), 36]);
      // A redelivered reading is not counted twice.
      await send('rg-1', 'k-rain', { rain: 3, TimeInstant: iso(NOW) });
      await send('rg-1', 'k-rain', { rain: 1, TimeInstant: iso(NOW + 5 * MIN) });
      assert.deepEqual((await values('rg-1', 'rain_24h')).at(-1), [iso(NOW + 5 * MIN), 64]);
    });
  });
}
