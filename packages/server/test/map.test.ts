/**
 * The overview map and tiles over HTTP, on PGlite and on PostgreSQL: devices as GeoJSON with their
 * state (ok, warning, alert, offline), most severe active alert and key values (measured and
 * derived); unit areas; the overview figures. A city admin sees the whole city, a district
 * operator only their district (Hải Châu, 492), a sector operator only their sector; filters; bad
 * queries answer 400 naming the field.
 *
 * The city: in Hải Châu, hc-aq (PM2.5 above the major rule, hourly VN_AQI), hc-rain (rain above
 * the minor rule, acknowledged), hc-flood (silent: offline by an absence rule, which also raises a
 * minor alert), rl-cl-001 (river at BĐ2: mapped to the Cẩm Lệ flood station), rl-x (never
 * reported), hc-clinic (a custom health device); an info alert on ward 20236 itself (no device). In
 * Sơn Trà (493), st-aq (a worse VN_AQI), st-rain (more rain), rl-hv-001 (below BĐ1).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../src/adapters/db/db.schema.ts';
import type { OrgUnit } from '../src/services/ports.ts';
import { systemContext } from '../src/services/request-context.ts';
import { backends } from './support/databases.ts';
import { UNITS } from './support/fixtures.ts';
import { bearer, createPerson, type Send, tokenFor } from './support/identity.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

/** 10:00 in Đà Nẵng. */
const NOW = Date.parse('2026-11-25T03:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

const square = (lon: number, lat: number) => ({ type: 'Polygon' as const, coordinates: [[[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]] });
/** The fixtures' tree, every area with a geometry (the health OC has none). */
const MAP_UNITS: OrgUnit[] = UNITS.map((u, i) => (u.kind === 'sector_oc' ? u : { ...u, geometry: square(108.1 + i / 100, 16 + i / 100) }));

const dev = (id: string, type: string, unitCode: string, apikey: string, lon = 108.22, lat = 16.07) => ({ id, type, name: `Thiết bị ${id}`, location: { lat, lon }, unitCode, apikey });
const DEVICES = [
  dev('hc-aq', 'air_quality', '20233', 'k-aq', 108.2215, 16.0678),
  dev('hc-rain', 'rain_gauge', '20236', 'k-rain'),
  dev('hc-flood', 'flood_depth', '20236', 'k-flood'),
  dev('rl-cl-001', 'river_level', '20233', 'k-river'),
  dev('rl-x', 'river_level', '20233', 'k-river'),
  { ...dev('hc-clinic', 'clinic_beds', '20236', 'k-clinic'), sector: 'health', attributes: [{ name: 'beds', unit: 'giường', min: 0, max: 500, periodS: 300 }] },
  dev('st-aq', 'air_quality', '20263', 'k-aq'),
  dev('st-rain', 'rain_gauge', '20263', 'k-rain'),
  dev('rl-hv-001', 'river_level', '20263', 'k-river'),
];
const HAI_CHAU = ['hc-aq', 'hc-clinic', 'hc-flood', 'hc-rain', 'rl-cl-001', 'rl-x'];
const ALL = [...HAI_CHAU, 'rl-hv-001', 'st-aq', 'st-rain'].sort();

const rule = (id: string, deviceType: string, condition: Record<string, unknown>, severity: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: { vi: `Quy tắc ${id}`, en: `Rule ${id}` },
  unitCode: '48',
  deviceType,
  condition,
  severity,
  reopenMinutes: 0,
  ...extra,
});

interface Value {
  value: number;
  ts: string;
  unit: string;
}
interface Feature {
  type: 'Feature';
  id: string;
  geometry: { type: string; coordinates: number[] };
  properties: { id: string; name: string; type: string; unitCode: string; sector: string; state: string; severity: string | null; activeAlerts: number; values: Record<string, Value> };
}
interface Collection<F> {
  type: 'FeatureCollection';
  features: F[];
}
interface UnitFeature {
  type: 'Feature';
  id: string;
  geometry: { type: string; coordinates: unknown[] };
  properties: { code: string; name: { vi: string; en: string }; kind: string; parent: string | null };
}
interface Figure {
  deviceId: string;
  name: string;
  value: number;
  ts: string;
}
interface Overview {
  alerts: Record<'info' | 'minor' | 'major' | 'critical' | 'extreme' | 'escalated', number>;
  devices: { total: number; online: number; offline: number; inAlert: number };
  worstAqi: Figure | null;
  rainNow: Figure | null;
  rivers: { deviceId: string; name: string; level: number | null; alarmLevel: number | null; ts: string | null }[];
}

for (const backend of await backends()) {
  describe(`overview map and figures (${backend.name})`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp;
    let now = NOW;
    let admin: Send;
    let district: Send;
    let health: Send;

    const get = async <T>(send: Send, url: string, status = 200): Promise<T> => {
      const r = await send({ method: 'GET', url });
      assert.equal(r.statusCode, status, `${url}: ${r.body}`);
      return r.json<T>();
    };
    const features = async (send: Send, q = '') => (await get<Collection<Feature>>(send, `/api/v1/map/devices${q}`)).features;
    const byId = async (send: Send, q = '') => new Map((await features(send, q)).map((f) => [f.id, f]));
    const ids = async (send: Send, q = '') => (await features(send, q)).map((f) => f.id);

    /** Readings through the ingest API, then everything they cause: derived series, alerts. */
    const send = async (id: string, apikey: string, values: Record<string, number>, ts: number) => {
      const r = await t.inject({ method: 'POST', url: `/iot/json?k=${apikey}&i=${id}`, payload: { ...values, TimeInstant: iso(ts) } });
      assert.equal(r.statusCode, 200, r.body);
      await t.services.derived.drain();
      await t.services.engine.drain();
    };

    before(async () => {
      database = await backend.open();
      // The tests tick the engine's absence check themselves.
      t = await buildTestApp(database, { clock: () => now, units: MAP_UNITS, engineTickMs: 3_600_000 });
      admin = (o) => t.inject(o);
      await t.devices.import(systemContext('48'), DEVICES.map((input, i) => ({ row: i + 1, input })), { mode: 'upsert' });
      await t.services.engine.devicesChanged();
      const post = async (payload: Record<string, unknown>) => {
        const r = await t.inject({ method: 'POST', url: '/api/v1/rules', payload });
        assert.equal(r.statusCode, 201, r.body);
      };
      await post(rule('pm25-high', 'air_quality', { kind: 'threshold', attr: 'pm25', op: '>', raise: 100, clear: 80 }, 'major'));
      await post(rule('rain-heavy', 'rain_gauge', { kind: 'threshold', attr: 'rain', op: '>', raise: 10, clear: 5 }, 'minor'));
      await post(rule('flood-offline', 'flood_depth', { kind: 'absence', factor: 3 }, 'minor', { devices: ['hc-flood'] }));

      now = NOW + 2 * MIN;
      // PM2.5 over two full hours, then a reading of the next hour: the hour ending at NOW gets its VN_AQI.
      for (const [id, pm25] of [['hc-aq', 150], ['st-aq', 250]] as const) {
        for (const ts of [NOW - 2 * HOUR + 10 * MIN, NOW - 2 * HOUR + 40 * MIN, NOW - HOUR + 10 * MIN, NOW - HOUR + 40 * MIN, NOW + MIN]) await send(id, 'k-aq', { pm25 }, ts);
      }
      await send('hc-rain', 'k-rain', { rain: 12 }, NOW + MIN);
      await send('st-rain', 'k-rain', { rain: 30 }, NOW + MIN);
      await send('hc-flood', 'k-flood', { depth: 5 }, NOW + MIN);
      await send('rl-cl-001', 'k-river', { level: 2.2 }, NOW + MIN); // Cẩm Lệ: BĐ2 2.0 m, BĐ3 2.5 m
      await send('rl-hv-001', 'k-river', { level: 3 }, NOW + MIN); // Ái Nghĩa: BĐ1 6.5 m
      await send('hc-clinic', 'k-clinic', { beds: 7 }, NOW + MIN);

      // hc-flood falls silent: offline after 3 × 60 s.
      now = NOW + 5 * MIN;
      t.services.engine.tick();
      await t.services.engine.drain();
      assert.ok(t.services.engine.isOffline('hc-flood'));

      // The rain alert of Hải Châu is acknowledged: still active.
      const rain = (await get<{ items: { id: string }[] }>(admin, '/api/v1/alerts?rule=rain-heavy&device=hc-rain')).items[0]!;
      assert.equal((await t.inject({ method: 'POST', url: `/api/v1/alerts/${rain.id}/acknowledge`, payload: {} })).statusCode, 200);
      // An alert on ward 20236 itself, not on a device.
      await t.services.alertStore.raise(
        {
          ruleId: 'rain-heavy', ruleVersion: 1, subject: 'area:20236', deviceId: null, unitCode: '20236', sector: null, ownerUnit: '492',
          severity: 'info', title: { vi: 'Mưa trên phường', en: 'Rain over the ward' }, ts: NOW, value: 12, upward: true, reopenMs: 0,
          evidence: { ruleId: 'rain-heavy', ruleVersion: 1, condition: { kind: 'threshold', attr: 'rain', op: '>', raise: 10, clear: 5 }, ts: NOW, leaves: [] },
        },
        now,
      );
      // The major PM2.5 alerts stay open past 30 minutes: they escalate. Minor ones wait 2 hours.
      now = NOW + 36 * MIN;
      assert.equal((await t.services.alerts.escalate()).length, 2);

      const person = async (username: string, assignments: { role: 'oc_operator'; unitCode: string; sector?: 'health' }[]) => {
        const u = await createPerson(admin, username, '492', assignments);
        return bearer(t.app, await tokenFor(t.app, u.username));
      };
      district = await person('op.haichau', [{ role: 'oc_operator', unitCode: '492' }]);
      health = await person('op.health', [{ role: 'oc_operator', unitCode: '48', sector: 'health' }]);
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    describe('GET /api/v1/map/devices', () => {
      it('gives a city admin every device as a GeoJSON Point feature, [lon, lat]', async () => {
        const body = await get<Collection<Feature>>(admin, '/api/v1/map/devices');
        assert.equal(body.type, 'FeatureCollection');
        assert.deepEqual(body.features.map((f) => f.id), ALL);
        const aq = body.features.find((f) => f.id === 'hc-aq')!;
        assert.deepEqual({ type: aq.type, geometry: aq.geometry }, { type: 'Feature', geometry: { type: 'Point', coordinates: [108.2215, 16.0678] } });
        assert.deepEqual(Object.keys(aq.properties), ['id', 'name', 'type', 'unitCode', 'sector', 'state', 'severity', 'activeAlerts', 'values']);
        assert.deepEqual([aq.properties.id, aq.properties.name, aq.properties.type, aq.properties.unitCode, aq.properties.sector], ['hc-aq', 'Thiết bị hc-aq', 'air_quality', '20233', 'environment']);
      });

      it('states: alert (major open), warning (minor acknowledged), offline (whatever its alerts), ok', async () => {
        const f = await byId(admin);
        const view = (id: string) => {
          const p = f.get(id)!.properties;
          return [p.state, p.severity, p.activeAlerts];
        };
        assert.deepEqual(view('hc-aq'), ['alert', 'major', 1]);
        assert.deepEqual(view('st-aq'), ['alert', 'major', 1]);
        assert.deepEqual(view('hc-rain'), ['warning', 'minor', 1], 'an acknowledged alert is still active');
        assert.deepEqual(view('st-rain'), ['warning', 'minor', 1]);
        assert.deepEqual(view('hc-flood'), ['offline', 'minor', 1], 'offline, with its absence alert');
        for (const id of ['rl-cl-001', 'rl-x', 'rl-hv-001', 'hc-clinic']) assert.deepEqual(view(id), ['ok', null, 0], id);
      });

      it('values: the type\'s map attributes, measured and derived, with instant and unit', async () => {
        const f = await byId(admin);
        const values = (id: string) => f.get(id)!.properties.values;
        const aq = values('hc-aq');
        assert.deepEqual(Object.keys(aq).sort(), ['aqi', 'pm25']);
        assert.deepEqual(aq.pm25, { value: 150, ts: iso(NOW + MIN), unit: 'µg/m³' });
        assert.equal(aq.aqi!.ts, iso(NOW), 'the hourly index of the hour ending at 10:00');
        assert.equal(aq.aqi!.unit, 'VN_AQI');
        assert.ok(aq.aqi!.value > 150 && values('st-aq').aqi!.value > aq.aqi!.value, `${aq.aqi!.value} < ${values('st-aq').aqi!.value}`);
        const rain = values('hc-rain');
        assert.deepEqual(Object.keys(rain).sort(), ['rain_1h', 'rain_24h', 'rain_class'], 'the raw `rain` is not a map attribute');
        assert.deepEqual([rain.rain_1h, rain.rain_24h], [12, 12].map((value) => ({ value, ts: iso(NOW + MIN), unit: 'mm' })));
        assert.equal(rain.rain_class!.unit, 'class');
        assert.deepEqual(Object.keys(values('hc-flood')).sort(), ['depth', 'depth_class']);
        assert.deepEqual(values('hc-flood').depth, { value: 5, ts: iso(NOW + MIN), unit: 'cm' });
        const river = values('rl-cl-001');
        assert.deepEqual(river.level, { value: 2.2, ts: iso(NOW + MIN), unit: 'm' });
        assert.deepEqual(river.alarm_level, { value: 2, ts: iso(NOW + MIN), unit: 'BĐ' });
        assert.deepEqual(values('rl-x'), {}, 'never reported');
        assert.deepEqual(values('hc-clinic'), {}, 'a type without map attributes');
      });

      it('a district operator sees only the devices of their district, with the same state', async () => {
        const f = await byId(district);
        assert.deepEqual([...f.keys()], HAI_CHAU);
        assert.equal(f.get('hc-aq')!.properties.state, 'alert');
        assert.equal(f.get('hc-flood')!.properties.state, 'offline');
        assert.deepEqual(await ids(district, '?unit=493'), [], 'another district: nothing');
        assert.deepEqual(await ids(district, '?type=air_quality'), ['hc-aq']);
      });

      it('a sector operator sees only their sector\'s devices, city-wide', async () => {
        assert.deepEqual(await ids(health), ['hc-clinic']);
      });

      it('filters by unit (subtree), type and sector', async () => {
        assert.deepEqual(await ids(admin, '?unit=20236'), ['hc-clinic', 'hc-flood', 'hc-rain']);
        assert.deepEqual(await ids(admin, '?unit=492&type=river_level'), ['rl-cl-001', 'rl-x']);
        assert.deepEqual(await ids(admin, '?type=river_level'), ['rl-cl-001', 'rl-hv-001', 'rl-x']);
        assert.deepEqual(await ids(admin, '?sector=construction'), ['hc-flood']);
        assert.deepEqual(await ids(admin, '?sector=health&unit=493'), []);
        assert.deepEqual(await ids(admin, '?type=no_such_type'), []);
      });

      it('answers 400 naming the field for a bad filter', async () => {
        for (const [q, field] of [
          ['sector=space', 'sector'],
          ['unit=no-such-unit', 'unit'],
          [`unit=${'9'.repeat(33)}`, 'unit'],
          [`type=${'x'.repeat(65)}`, 'type'],
        ]) {
          const r = await t.inject({ method: 'GET', url: `/api/v1/map/devices?${q}` });
          assert.equal(r.statusCode, 400, `${q}: ${r.body}`);
          const body = r.json<{ code: string; errors: { field: string }[] }>();
          assert.equal(body.code, 'IOC_ERR_VALIDATION');
          assert.ok(body.errors.some((e) => e.field === field), `${q}: ${r.body}`);
        }
      });

      it('answers 401 without credentials', async () => {
        assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/map/devices' })).statusCode, 401);
      });
    });

    describe('GET /api/v1/map/units', () => {
      it('gives the areas in scope as GeoJSON features; units without a geometry are left out', async () => {
        const body = await get<Collection<UnitFeature>>(admin, '/api/v1/map/units');
        assert.equal(body.type, 'FeatureCollection');
        assert.deepEqual(body.features.map((f) => f.id).sort(), ['20233', '20236', '20263', '48', '492', '493']);
        const ward = body.features.find((f) => f.id === '20233')!;
        const fixture = MAP_UNITS.find((u) => u.code === '20233')!;
        assert.deepEqual(ward, {
          type: 'Feature',
          id: '20233',
          geometry: fixture.geometry,
          properties: { code: '20233', name: { vi: 'Phường Thạch Thang', en: 'Thach Thang Ward' }, kind: 'ward', parent: '492' },
        });
      });

      it('a district operator sees their district and its wards only; a sector operator the areas of their subtree', async () => {
        assert.deepEqual((await get<Collection<UnitFeature>>(district, '/api/v1/map/units')).features.map((f) => f.id).sort(), ['20233', '20236', '492']);
        assert.deepEqual((await get<Collection<UnitFeature>>(health, '/api/v1/map/units')).features.map((f) => f.id).sort(), ['20233', '20236', '20263', '48', '492', '493']);
      });
    });

    describe('GET /api/v1/overview', () => {
      it('gives a city admin the figures of the whole city', async () => {
        const o = await get<Overview>(admin, '/api/v1/overview');
        assert.deepEqual(o.alerts, { info: 1, minor: 3, major: 2, critical: 0, extreme: 0, escalated: 2 });
        assert.deepEqual(o.devices, { total: 9, online: 8, offline: 1, inAlert: 5 });
        const map = await byId(admin);
        assert.deepEqual(o.worstAqi, { deviceId: 'st-aq', name: 'Thiết bị st-aq', value: map.get('st-aq')!.properties.values.aqi!.value, ts: iso(NOW) });
        assert.deepEqual(o.rainNow, { deviceId: 'st-rain', name: 'Thiết bị st-rain', value: 30, ts: iso(NOW + MIN) });
        assert.deepEqual(o.rivers, [
          { deviceId: 'rl-cl-001', name: 'Thiết bị rl-cl-001', level: 2.2, alarmLevel: 2, ts: iso(NOW + MIN) },
          { deviceId: 'rl-hv-001', name: 'Thiết bị rl-hv-001', level: 3, alarmLevel: 0, ts: iso(NOW + MIN) },
          { deviceId: 'rl-x', name: 'Thiết bị rl-x', level: null, alarmLevel: null, ts: null },
        ]);
      });

      it('gives a district operator the figures of their district only', async () => {
        const o = await get<Overview>(district, '/api/v1/overview');
        assert.deepEqual(o.alerts, { info: 1, minor: 2, major: 1, critical: 0, extreme: 0, escalated: 1 });
        assert.deepEqual(o.devices, { total: 6, online: 5, offline: 1, inAlert: 3 });
        assert.equal(o.worstAqi?.deviceId, 'hc-aq');
        assert.deepEqual(o.rainNow, { deviceId: 'hc-rain', name: 'Thiết bị hc-rain', value: 12, ts: iso(NOW + MIN) });
        assert.deepEqual(o.rivers.map((r) => r.deviceId), ['rl-cl-001', 'rl-x']);
      });

      it('gives a sector operator their sector\'s figures: no environment alerts, no area alerts', async () => {
        const o = await get<Overview>(health, '/api/v1/overview');
        assert.deepEqual(o.alerts, { info: 0, minor: 0, major: 0, critical: 0, extreme: 0, escalated: 0 });
        assert.deepEqual(o.devices, { total: 1, online: 1, offline: 0, inAlert: 0 });
        assert.deepEqual([o.worstAqi, o.rainNow, o.rivers], [null, null, []]);
      });

      it('counts a device back online once it reports again', async () => {
        await send('hc-flood', 'k-flood', { depth: 4 }, now);
        const o = await get<Overview>(district, '/api/v1/overview');
        assert.deepEqual(o.devices, { total: 6, online: 6, offline: 0, inAlert: 2 }, 'its absence alert resolved');
        const f = (await byId(district)).get('hc-flood')!.properties;
        assert.deepEqual([f.state, f.severity, f.activeAlerts], ['ok', null, 0]);
      });
    });
  });
}
