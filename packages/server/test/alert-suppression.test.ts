/**
 * What keeps the early-warning engine from raising, end to end through the API, on both backends:
 * maintenance windows (a device's, a unit's) suppress raising while they last, and the next reading
 * that still holds after them raises; absence rules take a silent device offline on the engine's
 * tick and back online at its next reading, and an offline device's value rules do not raise;
 * anomaly rules judge a value against the history of the same hour of day, and say nothing before
 * minDays of history.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { systemContext } from '../src/services/request-context.ts';
import { backends } from './support/databases.ts';
import { rainGauge } from './support/fixtures.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

const MIN = 60_000;
const DAY = 86_400_000;
/** 10:00 in Đà Nẵng. */
const T0 = Date.parse('2026-11-25T03:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const device = (id: string, type: string, unitCode: string, apikey: string) => ({ id, type, name: `Thiết bị ${id}`, location: { lat: 16.05, lon: 108.2 }, unitCode, apikey });

const rule = (id: string, deviceType: string, condition: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  name: { vi: `Quy tắc ${id}`, en: `Rule ${id}` },
  unitCode: '48',
  deviceType,
  condition,
  severity: 'major',
  reopenMinutes: 0,
  ...extra,
});

interface AlertItem {
  id: string;
  ruleId: string;
  deviceId: string;
  state: string;
  count: number;
  firstTs: string;
  firstValue: number | null;
  clearedTs: string | null;
}

for (const backend of await backends()) {
  describe(`alert suppression, absence and anomaly (${backend.name})`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp;
    let now = T0;
    const clock = () => now;

    before(async () => {
      database = await backend.open();
      // The engine's own absence tick would run at whatever the test clock says: the tests tick it themselves.
      t = await buildTestApp(database, { clock, engineTickMs: 3_600_000 });
      const devices = [
        rainGauge('rg-m1'), // device window
        rainGauge('rg-ctl'), // no window
        rainGauge('rg-m2', '20236'), // unit window on 492
        rainGauge('rg-st', '20263'), // outside that unit window
        rainGauge('rg-off'), // absence, whole device
        device('aq-off', 'air_quality', '20233', 'key-aq'), // absence, whole device, with derived (hourly, daily) series
        device('aq-pm', 'air_quality', '20233', 'key-aq'), // absence of one attribute
        device('rl-an', 'river_level', '20233', 'key-river'), // anomaly: 5 days of history
        device('rl-new', 'river_level', '20233', 'key-river'), // anomaly: 2 days of history
      ];
      await t.devices.import(systemContext('48'), devices.map((input, i) => ({ row: i + 1, input })), { mode: 'upsert' });
      await t.services.engine.devicesChanged();
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    const post = async (url: string, payload: Record<string, unknown>, status = 201) => {
      const r = await t.inject({ method: 'POST', url, payload });
      assert.equal(r.statusCode, status, r.body);
      return r.json<Record<string, unknown>>();
    };
    /** One reading at `ts` (the clock moves there) through the ingest API; waits for its alerts. */
    const send = async (id: string, values: Record<string, number>, ts = now) => {
      now = Math.max(now, ts);
      const key = id.startsWith('rg-') ? 'key-rain' : id.startsWith('aq-') ? 'key-aq' : 'key-river';
      const r = await t.inject({ method: 'POST', url: `/iot/json?k=${key}&i=${id}`, payload: { ...values, TimeInstant: iso(ts) } });
      assert.equal(r.statusCode, 200, r.body);
      await t.services.engine.drain();
    };
    const alerts = async (ruleId: string, deviceId: string): Promise<AlertItem[]> => {
      const r = await t.inject({ method: 'GET', url: `/api/v1/alerts?rule=${ruleId}&device=${deviceId}` });
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{ items: AlertItem[] }>().items;
    };
    const states = async (ruleId: string, deviceId: string) => (await alerts(ruleId, deviceId)).map((a) => a.state);
    const tick = async (ts: number) => {
      now = ts;
      t.services.engine.tick();
      await t.services.engine.drain();
    };

    describe('maintenance windows', () => {
      before(async () => {
        await post('/api/v1/rules', rule('rain-heavy', 'rain_gauge', { kind: 'threshold', attr: 'rain', op: '>', raise: 10, clear: 5 }));
      });

      it('a device window suppresses raising for that device while it lasts; the next reading that holds after it raises', async () => {
        now = T0;
        const w = await post('/api/v1/maintenance-windows', { deviceId: 'rg-m1', endsAt: iso(T0 + 30 * MIN), reason: 'Thay cảm biến đo mưa' });
        assert.equal(w.status, 'active');
        await send('rg-m1', { rain: 20 }, T0 + 1 * MIN);
        await send('rg-ctl', { rain: 20 }, T0 + 1 * MIN);
        await send('rg-m1', { rain: 25 }, T0 + 10 * MIN);
        await send('rg-m1', { rain: 22 }, T0 + 30 * MIN - 1);
        assert.deepEqual(await states('rain-heavy', 'rg-m1'), [], 'suppressed during the window');
        assert.deepEqual(await states('rain-heavy', 'rg-ctl'), ['open'], 'another device of the same unit is not');
        await send('rg-m1', { rain: 21 }, T0 + 30 * MIN); // the end is exclusive
        const [a, ...more] = await alerts('rain-heavy', 'rg-m1');
        assert.equal(more.length, 0);
        assert.deepEqual([a?.state, a?.count, Date.parse(a!.firstTs), a?.firstValue], ['open', 1, T0 + 30 * MIN, 21]);
      });

      it('a unit window suppresses every device of its subtree, not the devices outside it', async () => {
        now = T0 + 40 * MIN;
        await post('/api/v1/maintenance-windows', { unitCode: '492', startsAt: iso(T0 + 45 * MIN), endsAt: iso(T0 + 60 * MIN), reason: 'Bảo trì hệ thống quận Hải Châu' });
        await send('rg-m2', { rain: 3 }, T0 + 41 * MIN); // before the window: below the level
        await send('rg-m2', { rain: 30 }, T0 + 45 * MIN);
        await send('rg-st', { rain: 30 }, T0 + 45 * MIN);
        await send('rg-m2', { rain: 35 }, T0 + 50 * MIN);
        assert.deepEqual(await states('rain-heavy', 'rg-m2'), [], 'ward 20236 lies in district 492');
        assert.deepEqual(await states('rain-heavy', 'rg-st'), ['open'], 'ward 20263 does not');
        // rg-ctl (ward 20233, in 492) keeps its alert: a window stops raising, it does not resolve.
        await send('rg-ctl', { rain: 2 }, T0 + 50 * MIN);
        assert.deepEqual(await states('rain-heavy', 'rg-ctl'), ['resolved'], 'clearing is not suppressed');
        await send('rg-m2', { rain: 33 }, T0 + 61 * MIN);
        const [a] = await alerts('rain-heavy', 'rg-m2');
        assert.deepEqual([a?.state, Date.parse(a!.firstTs), a?.firstValue], ['open', T0 + 61 * MIN, 33]);
      });

      it('a condition that ended during the window raises nothing after it', async () => {
        now = T0 + 70 * MIN;
        await post('/api/v1/maintenance-windows', { deviceId: 'rg-ctl', endsAt: iso(T0 + 80 * MIN), reason: 'Hiệu chuẩn' });
        await send('rg-ctl', { rain: 40 }, T0 + 71 * MIN);
        await send('rg-ctl', { rain: 1 }, T0 + 75 * MIN);
        await send('rg-ctl', { rain: 4 }, T0 + 81 * MIN);
        assert.deepEqual(await states('rain-heavy', 'rg-ctl'), ['resolved'], 'only the alert from before');
      });
    });

    describe('absence', () => {
      const OFFLINE = 'offline';
      before(async () => {
        now = T0 + 100 * MIN;
        // The absence rule first, the value rules after it.
        await post('/api/v1/rules', rule(OFFLINE, 'rain_gauge', { kind: 'absence', factor: 3 }, { devices: ['rg-off'], deviceType: undefined }));
        await post('/api/v1/rules', rule('rain-off', 'rain_gauge', { kind: 'threshold', attr: 'rain', op: '>', raise: 10, clear: 5 }, { devices: ['rg-off'] }));
      });

      it('a device silent for longer than factor × its period goes offline on the tick, and back online at its next reading', async () => {
        const t1 = T0 + 101 * MIN;
        await send('rg-off', { rain: 1 }, t1);
        await tick(t1 + 15 * MIN); // 3 × 300 s: not more
        assert.deepEqual(await states(OFFLINE, 'rg-off'), []);
        assert.equal(t.services.engine.status().offlineDevices, 0);
        await tick(t1 + 15 * MIN + 1000);
        const [a] = await alerts(OFFLINE, 'rg-off');
        assert.deepEqual([a?.state, Date.parse(a!.firstTs)], ['open', t1 + 15 * MIN + 1000]);
        assert.equal(t.services.engine.status().offlineDevices, 1);
        await tick(t1 + 30 * MIN);
        assert.deepEqual((await alerts(OFFLINE, 'rg-off')).map((x) => [x.state, x.count]), [['open', 1]], 'still offline: one alert');
        // Back: the offline alert resolves by itself, and the reading is judged as an online one.
        await send('rg-off', { rain: 20 }, t1 + 31 * MIN);
        const [b] = await alerts(OFFLINE, 'rg-off');
        assert.deepEqual([b?.state, Date.parse(b!.clearedTs!)], ['resolved', t1 + 31 * MIN]);
        assert.equal(t.services.engine.status().offlineDevices, 0);
        assert.deepEqual(await states('rain-off', 'rg-off'), ['open'], 'the value rule raises at the reading that brought the device back');
      });

      it('the reading that brings a device back is judged online whichever rule was made first', async () => {
        // A value rule made before the absence rule that watches the same device.
        await post('/api/v1/rules', rule('aq-pm25-high', 'air_quality', { kind: 'threshold', attr: 'pm25', op: '>', raise: 100, clear: 80 }, { devices: ['aq-off'] }));
        await post('/api/v1/rules', rule('aq-offline', 'air_quality', { kind: 'absence', factor: 3 }, { devices: ['aq-off'], deviceType: undefined }));
        const t1 = now + MIN;
        await send('aq-off', { pm25: 20, pm10: 30 }, t1);
        // The station reports every minute: silent for more than 3 minutes is offline (its derived
        // hourly and daily indices do not stretch its reporting period).
        await tick(t1 + 3 * MIN + 1000);
        assert.deepEqual(await states('aq-offline', 'aq-off'), ['open'], 'offline after 3 × 60 s');
        await send('aq-off', { pm25: 150, pm10: 30 }, t1 + 10 * MIN);
        assert.deepEqual(await states('aq-offline', 'aq-off'), ['resolved']);
        assert.deepEqual(await states('aq-pm25-high', 'aq-off'), ['open']);
      });

      it('while one attribute is silent the device is offline: its value rules on the others raise nothing', async () => {
        await post('/api/v1/rules', rule('pm25-silent', 'air_quality', { kind: 'absence', attr: 'pm25', factor: 3 }, { devices: ['aq-pm'] }));
        await post('/api/v1/rules', rule('pm10-high', 'air_quality', { kind: 'threshold', attr: 'pm10', op: '>', raise: 150, clear: 100 }, { devices: ['aq-pm'] }));
        const t1 = now + MIN;
        await send('aq-pm', { pm25: 20, pm10: 30 }, t1);
        await send('aq-pm', { pm10: 40 }, t1 + 2 * MIN);
        await send('aq-pm', { pm10: 45 }, t1 + 4 * MIN);
        await tick(t1 + 4 * MIN);
        assert.deepEqual(await states('pm25-silent', 'aq-pm'), ['open'], 'PM2.5 silent for 4 minutes');
        await send('aq-pm', { pm10: 300 }, t1 + 5 * MIN);
        await send('aq-pm', { pm10: 320 }, t1 + 6 * MIN);
        assert.deepEqual(await states('pm10-high', 'aq-pm'), [], 'no value alert while offline');
        await send('aq-pm', { pm25: 25 }, t1 + 7 * MIN);
        assert.deepEqual(await states('pm25-silent', 'aq-pm'), ['resolved'], 'back online');
        await send('aq-pm', { pm10: 310 }, t1 + 8 * MIN);
        const [a] = await alerts('pm10-high', 'aq-pm');
        assert.deepEqual([a?.state, Date.parse(a!.firstTs)], ['open', t1 + 8 * MIN], 'raised at the first reading once online');
      });

      it('a device in a maintenance window going silent raises when the window ends, if it is still silent', async () => {
        const t1 = now + MIN;
        await send('rg-off', { rain: 0 }, t1); // online (the ticks of the tests above may have found it silent)
        const before = await states(OFFLINE, 'rg-off');
        assert.ok(before.every((s) => s === 'resolved'));
        await post('/api/v1/maintenance-windows', { deviceId: 'rg-off', endsAt: iso(t1 + 30 * MIN), reason: 'Di dời trạm' });
        await tick(t1 + 20 * MIN);
        assert.deepEqual(await states(OFFLINE, 'rg-off'), before, 'silent, but in maintenance');
        await tick(t1 + 30 * MIN + 1000);
        const list = await alerts(OFFLINE, 'rg-off');
        assert.deepEqual(list.map((a) => a.state), ['open', ...before], 'raised once the window is over');
        assert.equal(Date.parse(list[0]!.firstTs), t1 + 30 * MIN + 1000);
      });
    });

    describe('anomaly', () => {
      /** The next full hour and 5 minutes: every reading of these tests falls within that hour of the day. */
      let hour = 0;
      /** Readings at the same hour of the previous days. */
      const history = async (id: string, values: number[]) => {
        const seriesId = t.directory.get(id)!.series.level!;
        await t.writer.write(values.map((value, i) => ({ seriesId, ts: hour - (i + 1) * DAY, value })));
        await t.writer.drain();
      };

      before(async () => {
        hour = Math.ceil((now + 1) / 3_600_000) * 3_600_000 + 5 * MIN;
        await history('rl-an', [2.0, 2.1, 1.9, 2.05, 1.95]);
        await history('rl-new', [2.0, 2.1]);
        await post('/api/v1/rules', rule('level-unusual', 'river_level', { kind: 'anomaly', attr: 'level', k: 4, minDays: 3, days: 7 }));
      });

      it('a value far from the same hour of the previous days raises; a usual one does not; it clears when back to usual', async () => {
        // The hour's history: median 2.0 m, MAD 0.05 m → robust σ 0.074 m.
        await send('rl-an', { level: 2.08 }, hour);
        assert.deepEqual(await states('level-unusual', 'rl-an'), [], 'about 1 robust σ: usual');
        await send('rl-an', { level: 3.5 }, hour + 5 * MIN);
        const [a] = await alerts('level-unusual', 'rl-an');
        assert.deepEqual([a?.state, Date.parse(a!.firstTs)], ['open', hour + 5 * MIN]);
        assert.ok(Math.abs(a!.firstValue! - 1.5 / (1.4826 * 0.05)) < 0.01, `the robust z-score is the alert's value: ${a!.firstValue}`);
        await send('rl-an', { level: 2.02 }, hour + 10 * MIN);
        assert.deepEqual(await states('level-unusual', 'rl-an'), ['resolved']);
      });

      it('says nothing before minDays of history at that hour', async () => {
        await send('rl-new', { level: 9 }, hour + 15 * MIN);
        await send('rl-new', { level: 12 }, hour + 20 * MIN);
        assert.deepEqual(await states('level-unusual', 'rl-new'), [], 'two days of history: no opinion');
        // Nor at an hour without history, for the device that has some at the hour before.
        await send('rl-an', { level: 9 }, hour + 60 * MIN);
        assert.deepEqual(await states('level-unusual', 'rl-an'), ['resolved'], 'no history at the next hour');
      });
    });
  });
}
