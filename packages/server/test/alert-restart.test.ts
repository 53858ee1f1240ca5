/**
 * Restart safety of the early-warning engine (issue #4, point 6): rule state — sliding windows,
 * durations, active alerts — survives a restart or a SIGKILL: no duplicate alert, no lost alert,
 * no stuck alert.
 *
 * In process (both backends): a restart is the services closed and wired again over the same
 * database; "while the engine was down" is readings committed by a wiring whose engine never
 * started (a crash between the readings' commit and the alert's write looks the same).
 * Then the real thing: main.ts as a child process, SIGKILLed and started again on the same data,
 * embedded (PGlite) and in server mode (PostgreSQL, a fresh database).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { wireServices, type Services } from '../src/compose.ts';
import { systemContext } from '../src/services/request-context.ts';
import { backends } from './support/databases.ts';
import { rainGauge } from './support/fixtures.ts';
import { api, eventually, freePort, tempDir } from './support/ioc.ts';
import { spawnIoc, type IocProcess } from './support/process.ts';
import { PG_URL, postgresSkip, uniqueName } from './support/servers.ts';
import { buildTestApp, TEST_SCRYPT, type TestApp } from './support/test-app.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-11-25T03:00:00Z');
const at = (minutes: number) => T0 + minutes * MIN;

const RIVER = {
  id: 'rl-a',
  type: 'river_level',
  name: 'Trạm thủy văn Cẩm Lệ',
  location: { lat: 16.01, lon: 108.2 },
  unitCode: '20233',
  sector: 'environment' as const,
  apikey: 'key-river',
  attributes: [{ name: 'level', unit: 'm', min: -5, max: 20, periodS: 300 }],
};

/** Rain summed over a sliding hour: raise at 30 mm, clear below 10 mm. */
const WINDOW_RULE = {
  id: 'rain-hour',
  name: { vi: 'Mưa lớn trong 1 giờ', en: 'Heavy rain in an hour' },
  unitCode: '48',
  deviceType: 'rain_gauge',
  condition: { kind: 'window', attr: 'rain', agg: 'sum', minutes: 60, op: '>=', raise: 30, clear: 10 },
  severity: 'major',
  reopenMinutes: 0,
};

/** River level at or above 3 m for 20 minutes. */
const DURATION_RULE = {
  id: 'river-sustained',
  name: { vi: 'Mực nước cao kéo dài', en: 'River level high for long' },
  unitCode: '48',
  deviceType: 'river_level',
  condition: { kind: 'duration', attr: 'level', op: '>=', value: 3, minutes: 20 },
  severity: 'critical',
  reopenMinutes: 0,
};

interface AlertItem {
  id: string;
  ruleId: string;
  deviceId: string;
  state: string;
  count: number;
  firstTs: string;
  lastTs: string;
  clearedTs: string | null;
  firstValue: number | null;
  lastValue: number | null;
}

for (const backend of await backends()) {
  describe(`alert engine restart in process (${backend.name})`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp | undefined;
    let now = T0;
    const clock = () => now;

    /** A restart: the running services stop (everything they accepted is written), new ones start over the same database. */
    const restart = async () => {
      await t?.close();
      t = await buildTestApp(database, { clock });
      await t.services.engine.drain();
      return t;
    };
    /** Services over the database whose engine never starts: readings committed while the engine was down. */
    const engineDown = async (): Promise<Services> => {
      const s = wireServices(database, { clock, maxPayloadBytes: 1_048_576, scrypt: TEST_SCRYPT, log: pino({ level: 'silent' }) });
      await s.loadState();
      return s;
    };

    before(async () => {
      database = await backend.open();
      t = await restart();
      await t.devices.import(systemContext('48'), [rainGauge('rg-a'), rainGauge('rg-b'), rainGauge('rg-c'), RIVER].map((input, i) => ({ row: i + 1, input })), { mode: 'upsert' });
      await t.services.engine.devicesChanged();
      for (const rule of [WINDOW_RULE, DURATION_RULE]) {
        const r = await t.inject({ method: 'POST', url: '/api/v1/rules', payload: rule });
        assert.equal(r.statusCode, 201, r.body);
      }
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    /** One reading through the ingest API at `ts` (the clock moves there); waits for the alerts it causes. */
    const send = async (device: string, values: Record<string, number>, ts: number) => {
      now = Math.max(now, ts);
      const apikey = device.startsWith('rl-') ? 'key-river' : 'key-rain';
      const r = await t!.inject({ method: 'POST', url: `/iot/json?k=${apikey}&i=${device}`, payload: { ...values, TimeInstant: new Date(ts).toISOString() } });
      assert.equal(r.statusCode, 200, r.body);
      await t!.services.engine.drain();
    };
    const alertsOf = async (device: string): Promise<AlertItem[]> => {
      const r = await t!.inject({ method: 'GET', url: `/api/v1/alerts?device=${device}` });
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{ items: AlertItem[] }>().items;
    };
    const timeline = async (id: string) => (await t!.inject({ method: 'GET', url: `/api/v1/alerts/${id}` })).json<{ timeline: { kind: string }[] }>().timeline.map((e) => e.kind);
    const lastEventId = async () => String((await t!.database.db.selectFrom('alert_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? '0');

    it('a window and a duration half seen before the restart raise once, at the right reading, after it', async () => {
      // Before: 15 mm of the 30 (window) and 10 of the 20 minutes at or above 3 m (duration).
      for (const m of [5, 10, 15]) {
        await send('rg-a', { rain: 5 }, at(m));
        await send('rl-a', { level: 3.2 }, at(m));
      }
      // Another gauge raises now: it is active across the restart.
      await send('rg-c', { rain: 20 }, at(5));
      await send('rg-c', { rain: 15 }, at(10));
      assert.equal((await alertsOf('rg-a')).length, 0);
      assert.equal((await alertsOf('rl-a')).length, 0);
      assert.equal((await alertsOf('rg-c')).length, 1);

      await restart();
      await send('rg-a', { rain: 5 }, at(20));
      await send('rl-a', { level: 3.1 }, at(20));
      await send('rg-a', { rain: 5 }, at(25));
      assert.equal((await alertsOf('rg-a')).length, 0, '25 mm in the hour: not yet');
      await send('rl-a', { level: 3.3 }, at(25));
      await send('rg-a', { rain: 5 }, at(30));

      const [rain, ...moreRain] = await alertsOf('rg-a');
      assert.ok(rain, 'the window (15 mm before the restart + 15 after) raised');
      assert.equal(moreRain.length, 0);
      assert.deepEqual([rain.ruleId, rain.state, rain.count, Date.parse(rain.firstTs), rain.firstValue], ['rain-hour', 'open', 1, at(30), 30]);
      const [river, ...moreRiver] = await alertsOf('rl-a');
      assert.ok(river, 'the duration (10 minutes before the restart + 10 after) raised');
      assert.equal(moreRiver.length, 0);
      assert.deepEqual([river.ruleId, river.state, river.count, Date.parse(river.firstTs)], ['river-sustained', 'open', 1, at(25)]);
    });

    it('an alert active before the restart is not raised again: its count goes on', async () => {
      await send('rg-c', { rain: 2 }, at(15)); // 37 mm in the hour: still holds
      const list = await alertsOf('rg-c');
      assert.equal(list.length, 1, 'no second alert');
      assert.deepEqual([list[0]!.state, list[0]!.count, Date.parse(list[0]!.firstTs), Date.parse(list[0]!.lastTs)], ['open', 2, at(10), at(15)]);
      assert.deepEqual(await timeline(list[0]!.id), ['raised']);
    });

    it('resolves after the restart what cleared while the engine was down, and raises what was committed but never written', async () => {
      await t!.close();
      t = undefined;
      const down = await engineDown();
      const series = (device: string) => down.directory.get(device)!.series.rain!;
      now = at(90);
      // rg-c: dry from minute 30. The hour (T+10, T+70] holds 2 mm: below 10, the episode ends at T+70.
      await down.writer.write([30, 40, 50, 60, 70, 80, 90].map((m) => ({ seriesId: series('rg-c'), ts: at(m), value: 0 })));
      // rg-b: 35 mm in the hour at T+65 — committed, but the engine never saw it (a crash before the alert was written).
      await down.writer.write([
        { seriesId: series('rg-b'), ts: at(60), value: 10 },
        { seriesId: series('rg-b'), ts: at(65), value: 25 },
        { seriesId: series('rg-b'), ts: at(70), value: 1 },
      ]);
      await down.writer.drain();

      await restart();
      const [c] = await alertsOf('rg-c');
      assert.equal(c?.state, 'resolved', 'not stuck open');
      assert.equal(Date.parse(c.clearedTs!), at(70), 'cleared at the reading that ended it');
      assert.deepEqual(await timeline(c.id), ['raised', 'resolved']);
      const b = await alertsOf('rg-b');
      assert.equal(b.length, 1, 'not lost, and raised once');
      assert.deepEqual([b[0]!.state, b[0]!.count, Date.parse(b[0]!.firstTs), b[0]!.firstValue], ['open', 2, at(65), 35], 'raised at T+65, repeated at T+70');
      assert.deepEqual(await timeline(b[0]!.id), ['raised']);
      // The others did not move.
      assert.deepEqual((await alertsOf('rg-a')).map((a) => [a.state, a.count]), [['open', 1]]);
      assert.deepEqual((await alertsOf('rl-a')).map((a) => [a.state, a.count]), [['open', 1]]);
    });

    it('a restart with nothing new changes nothing; the hysteresis state of a window survives it', async () => {
      const before = { id: await lastEventId(), a: await alertsOf('rg-a'), b: await alertsOf('rg-b'), c: await alertsOf('rg-c'), river: await alertsOf('rl-a') };
      now = at(95);
      await restart();
      await restart();
      assert.equal(await lastEventId(), before.id, 'no event written by replaying');
      assert.deepEqual({ a: await alertsOf('rg-a'), b: await alertsOf('rg-b'), c: await alertsOf('rg-c'), river: await alertsOf('rl-a') }, { a: before.a, b: before.b, c: before.c, river: before.river });
      // rg-a's window held at T+30 (30 mm). 12 mm in (T+35, T+95] is above the clear level (10):
      // the episode goes on — a window rebuilt from scratch would not hold and would clear it.
      await send('rg-a', { rain: 12 }, at(95));
      const [a] = await alertsOf('rg-a');
      assert.deepEqual([a!.state, a!.count, a!.lastValue], ['open', 2, 12]);
      await send('rg-a', { rain: 0 }, at(100));
      assert.equal((await alertsOf('rg-a'))[0]!.state, 'open', '12 mm in (T+40, T+100]: still above the clear level');
      await send('rg-a', { rain: 0 }, at(160));
      assert.equal((await alertsOf('rg-a'))[0]!.state, 'resolved', '0 mm in (T+100, T+160]: below the clear level');
      // The duration: a reading below 3 m ends it.
      await send('rl-a', { level: 2.5 }, at(160));
      assert.equal((await alertsOf('rl-a'))[0]!.state, 'resolved');
    });
  });
}

// ── SIGKILL: the real main.ts ─────────────────────────────────────────────────────────────────

/** A sliding minute of rain: raise at 30 mm, clear below 10 (short, so that real time can pass it). */
const KILL_RULE = {
  id: 'rain-minute',
  name: { vi: 'Mưa dồn dập', en: 'Rain burst' },
  unitCode: '48',
  deviceType: 'rain_gauge',
  condition: { kind: 'window', attr: 'rain', agg: 'sum', minutes: 1, op: '>=', raise: 30, clear: 10 },
  severity: 'major',
  reopenMinutes: 0,
};
const killGauge = (id: string) => ({ id, type: 'rain_gauge', name: `Đo mưa ${id}`, location: { lat: 16.05, lon: 108.2 }, unitCode: '20233', apikey: 'kill' });

interface Mode {
  name: string;
  skip: string | false;
  env(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
}

const modes: Mode[] = [
  {
    name: 'embedded',
    skip: false,
    async env() {
      const dir = await tempDir('ioc-alert-kill-');
      return { env: { IOC_DATA_DIR: dir.path }, cleanup: () => dir.remove() };
    },
  },
  {
    name: 'server (PostgreSQL)',
    skip: await postgresSkip(),
    async env() {
      const dir = await tempDir('ioc-alert-kill-pg-');
      const name = uniqueName('ioc_kill');
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(PG_URL);
      url.pathname = `/${name}`;
      return {
        env: { IOC_DATA_DIR: dir.path, DATABASE_URL: url.toString() },
        async cleanup() {
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
          await dir.remove();
        },
      };
    },
  },
];

for (const mode of modes) {
  describe(`alert engine across SIGKILL (${mode.name})`, { skip: mode.skip, timeout: 400_000 }, () => {
    const procs: IocProcess[] = [];
    let setup: Awaited<ReturnType<Mode['env']>> | undefined;
    after(async () => {
      for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      await setup?.cleanup();
    });

    const start = async () => {
      // Generous: a first start on a busy machine (initdb, migrations) can take long.
      const p = await spawnIoc({ ...setup!.env, IOC_MQTT_PORT: '0', IOC_DEMO: '0' }, { httpPort: await freePort(), readyMs: 120_000 });
      procs.push(p);
      return p;
    };
    const kill = async (p: IocProcess) => {
      p.child.kill('SIGKILL');
      assert.equal(await p.exited, null, 'killed by a signal');
    };
    const send = async (p: IocProcess, device: string, rain: number, ts: number) => {
      const r = await fetch(`${p.httpUrl}/iot/json?k=kill&i=${device}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rain, TimeInstant: new Date(ts).toISOString() }) });
      assert.equal(r.status, 200, await r.text());
    };
    const alertsOf = async (p: IocProcess, device: string) => {
      const r = await api<{ items: AlertItem[] }>(p.httpUrl, `/api/v1/alerts?rule=rain-minute&device=${device}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.items;
    };

    it('keeps one alert per episode: counted on after the kill, resolved when the condition clears, raised when the kill came before its write', async () => {
      setup = await mode.env();
      let p = await start();
      assert.equal((await api(p.httpUrl, '/api/v1/devices/import', { body: [killGauge('rg-k1'), killGauge('rg-k2')] })).status, 200);
      const created = await api(p.httpUrl, '/api/v1/rules', { body: KILL_RULE });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      // Reading instants after the rule's creation (it evaluates from then on), a second apart.
      const base = Date.now() + 1000;
      const sec = (n: number) => base + n * 1000;

      // rg-k1: 35 mm in the minute → raised, and seen written before the kill.
      await send(p, 'rg-k1', 10, sec(0));
      await send(p, 'rg-k1', 10, sec(1));
      await send(p, 'rg-k1', 15, sec(2));
      const raised = await eventually(async () => (await alertsOf(p, 'rg-k1'))[0], 10_000, 'the alert of rg-k1');
      assert.deepEqual([raised.state, raised.count, Date.parse(raised.firstTs)], ['open', 1, sec(2)]);
      // rg-k2: 40 mm; killed as soon as the reading is acknowledged — the alert may or may not be written yet.
      await send(p, 'rg-k2', 20, sec(0));
      await send(p, 'rg-k2', 20, sec(1));
      await kill(p);

      p = await start();
      const k2 = await eventually(async () => (await alertsOf(p, 'rg-k2')).length > 0 && alertsOf(p, 'rg-k2'), 10_000, 'the alert of rg-k2');
      assert.equal(k2.length, 1, 'rg-k2: one alert, written before the kill or raised again from the readings, never both');
      assert.deepEqual([k2[0]!.state, k2[0]!.count, Date.parse(k2[0]!.firstTs)], ['open', 1, sec(1)]);
      let k1 = await alertsOf(p, 'rg-k1');
      assert.deepEqual(k1.map((a) => [a.id, a.state, a.count]), [[raised.id, 'open', 1]], 'rg-k1: not raised again by the replay');

      // Still 40 mm in the minute: the same alert counts on.
      await send(p, 'rg-k1', 5, sec(3));
      k1 = await eventually(async () => {
        const list = await alertsOf(p, 'rg-k1');
        return list[0]?.count === 2 && list;
      }, 10_000, 'the repeat on rg-k1');
      assert.deepEqual(k1.map((a) => [a.id, a.state]), [[raised.id, 'open']]);
      // A dry reading more than a minute later: the window is empty, the episode ends.
      await send(p, 'rg-k1', 0, sec(70));
      k1 = await eventually(async () => {
        const list = await alertsOf(p, 'rg-k1');
        return list[0]?.state === 'resolved' && list;
      }, 10_000, 'rg-k1 resolved');
      assert.deepEqual(k1.map((a) => [a.id, a.count, Date.parse(a.clearedTs!)]), [[raised.id, 2, sec(70)]]);
      const all = await api<{ items: AlertItem[] }>(p.httpUrl, '/api/v1/alerts?rule=rain-minute');
      assert.deepEqual(all.body.items.map((a) => [a.deviceId, a.state, a.count]).sort(), [['rg-k1', 'resolved', 2], ['rg-k2', 'open', 1]]);
      await kill(p);
    });
  });
}
