/**
 * The live alert stream (GET /api/v1/live/alerts, Server-Sent Events) through a real listening
 * server, on both backends: every event carries its `id:`; each subscriber sees only alerts in its
 * scope; a reconnect with Last-Event-ID (header or query) receives exactly what it missed, in
 * order, from memory or from the database; heartbeats; live readings of chosen devices; bad input.
 * And AlertStream itself: a slow client is dropped, a client too far behind while catching up is
 * dropped, memory stays bounded, resumption crosses pages of storage and the ring without gaps or
 * repeats.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ScopeFilter } from '@haidang/domain';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { AlertStream, type AlertSink, type StreamedEvent } from '../src/services/alert-stream.ts';
import type { AlertChange, AlertRecord, AlertStore } from '../src/services/ports.ts';
import { systemContext } from '../src/services/request-context.ts';
import { backends } from './support/databases.ts';
import { rainGauge } from './support/fixtures.ts';
import { createPerson, type Send, tokenFor } from './support/identity.ts';
import { eventually } from './support/ioc.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

// ── AlertStream on its own ────────────────────────────────────────────────────────────────────

/** An in-memory event log standing in for the alert store (the stream reads eventsSince and lastEventId). */
class FakeLog {
  readonly events: StreamedEvent[] = [];
  calls = 0;
  /** While set, eventsSince waits for it (a slow database). */
  gate: Promise<void> | undefined;

  add(unitCode = '20233'): AlertChange {
    const id = String(this.events.length + 1);
    const alert = { id: `a${unitCode}`, unitCode, sector: 'environment' } as unknown as AlertRecord;
    const event = { id, alertId: alert.id, at: 0, kind: 'commented' as const, actorId: null, actor: null, data: {} };
    this.events.push({ event, alert });
    return { alert, events: [event] };
  }

  store(): AlertStore {
    return {
      eventsSince: async (after: string, limit: number) => {
        this.calls++;
        await this.gate;
        await new Promise((r) => setImmediate(r));
        return this.events.filter((e) => BigInt(e.event.id) > BigInt(after)).slice(0, limit);
      },
      lastEventId: async () => (this.events.length ? this.events.at(-1)!.event.id : '0'),
    } as unknown as AlertStore;
  }
}

/** A sink that records ids; `accept` says whether each write is under the client's bound. */
function recorder(accept: (n: number) => boolean = () => true) {
  const ids: number[] = [];
  const drops: string[] = [];
  const sink: AlertSink = {
    write: (e) => {
      ids.push(Number(e.event.id));
      return accept(ids.length);
    },
    drop: (reason) => void drops.push(reason),
  };
  return { ids, drops, sink };
}

const ALL: ScopeFilter = { kind: 'all' };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('AlertStream', () => {
  it('drops a client whose buffer is over its bound, once, and stops writing to it', async () => {
    const log = new FakeLog();
    const stream = new AlertStream(log.store());
    const slow = recorder((n) => n < 3);
    const fine = recorder();
    await stream.subscribe(ALL, slow.sink);
    await stream.subscribe(ALL, fine.sink);
    assert.equal(stream.size, 2);
    for (let i = 0; i < 10; i++) stream.publish(log.add());
    assert.deepEqual(slow.ids, [1, 2, 3], 'nothing after the write that went over');
    assert.deepEqual(slow.drops, ['slow_consumer']);
    assert.deepEqual(fine.ids, range(1, 10));
    assert.equal(stream.size, 1, 'the subscription is gone');
  });

  it('drops a client that falls more than maxBehind events behind while it catches up; its backlog is let go', async () => {
    const log = new FakeLog();
    for (let i = 0; i < 5; i++) log.add();
    const stream = new AlertStream(log.store(), { maxBehind: 50 });
    let open!: () => void;
    log.gate = new Promise((r) => (open = r));
    const c = recorder();
    const subscribed = stream.subscribe(ALL, c.sink, '0'); // the ring is empty: storage
    await new Promise((r) => setImmediate(r));
    assert.equal(stream.size, 1);
    for (let i = 0; i < 60; i++) stream.publish(log.add());
    assert.deepEqual(c.drops, ['too_far_behind']);
    assert.equal(stream.size, 0, 'dropped at once, not when the database answers');
    open();
    await subscribed;
    assert.deepEqual(c.ids, [], 'nothing written after the drop');
    // Published events still reach the others; the dropped client's backlog is not kept anywhere.
    const other = recorder();
    await stream.subscribe(ALL, other.sink);
    stream.publish(log.add());
    assert.deepEqual(other.ids, [66]);
    assert.deepEqual(c.ids, []);
  });

  it('keeps at most ringSize events in memory', () => {
    const log = new FakeLog();
    const stream = new AlertStream(log.store(), { ringSize: 10 });
    for (let i = 0; i < 1000; i++) stream.publish(log.add());
    const ring = (stream as unknown as { ring: unknown[] }).ring;
    assert.equal(ring.length, 10);
  });

  it('resumes from storage across pages, then the ring, then what arrived meanwhile: every missed event once, in order', async () => {
    const log = new FakeLog();
    const stream = new AlertStream(log.store(), { ringSize: 100 });
    for (let i = 0; i < 2500; i++) stream.publish(log.add());
    let open!: () => void;
    log.gate = new Promise((r) => (open = r));
    const c = recorder();
    const subscribed = stream.subscribe(ALL, c.sink, '5');
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 10; i++) stream.publish(log.add()); // live while catching up
    open();
    await subscribed;
    for (let i = 0; i < 3; i++) stream.publish(log.add()); // live after
    assert.deepEqual(c.ids, range(6, 2513));
    assert.deepEqual(c.drops, []);
    assert.ok(log.calls >= 3, `paged through storage (${log.calls} pages)`);
  });

  it('resumes from the ring alone when it still holds the next event', async () => {
    const log = new FakeLog();
    const stream = new AlertStream(log.store(), { ringSize: 100 });
    for (let i = 0; i < 150; i++) stream.publish(log.add());
    const c = recorder();
    await stream.subscribe(ALL, c.sink, '120');
    assert.deepEqual(c.ids, range(121, 150));
    assert.equal(log.calls, 0, 'no database query');
  });

  it('filters by scope while catching up and live', async () => {
    const log = new FakeLog();
    const stream = new AlertStream(log.store(), { ringSize: 4 });
    for (let i = 0; i < 20; i++) stream.publish(log.add(i % 2 ? '20263' : '20233'));
    const c = recorder();
    await stream.subscribe({ kind: 'some', scopes: [{ unitCodes: new Set(['492', '20233', '20236']), sector: null }] }, c.sink, '0');
    stream.publish(log.add('20263'));
    stream.publish(log.add('20233'));
    assert.deepEqual(c.ids, [...range(1, 20).filter((i) => i % 2 === 1), 22]);
  });
});

// ── Through HTTP ──────────────────────────────────────────────────────────────────────────────

interface SseMessage {
  id?: string;
  event?: string;
  data?: unknown;
  comment?: string;
}

interface AlertPayload {
  event: { id: string; alertId: string; kind: string };
  alert: { id: string; unitCode: string; deviceId: string; state: string };
}

/** Opens an SSE stream and collects its messages (events and comments) until closed. */
async function openStream(url: string, headers: Record<string, string>) {
  const ctl = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ctl.signal });
  assert.equal(res.status, 200, `${url}: ${res.status}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const messages: SseMessage[] = [];
  const done = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const m: SseMessage = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) m.comment = line.slice(1).trim();
            else if (line.startsWith('id: ')) m.id = line.slice(4);
            else if (line.startsWith('event: ')) m.event = line.slice(7);
            else if (line.startsWith('data: ')) m.data = JSON.parse(line.slice(6));
          }
          messages.push(m);
        }
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e;
    }
  })();
  const alerts = () => messages.filter((m) => m.event === 'alert') as (SseMessage & { id: string; data: AlertPayload })[];
  return {
    messages,
    alerts,
    ids: () => alerts().map((m) => m.id),
    ready: () => eventually(async () => messages.some((m) => m.event === 'ready'), 5000, 'the ready event'),
    async close() {
      ctl.abort();
      await done;
    },
  };
}
type Stream = Awaited<ReturnType<typeof openStream>>;

const RULE = {
  id: 'rain-now',
  name: { vi: 'Mưa lớn', en: 'Heavy rain' },
  unitCode: '48',
  deviceType: 'rain_gauge',
  condition: { kind: 'threshold', attr: 'rain', op: '>', raise: 10, clear: 5 },
  severity: 'major',
  reopenMinutes: 0,
};

for (const backend of await backends()) {
  describe(`live alert stream over HTTP (${backend.name})`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp;
    let base: string;
    let now = Date.parse('2026-11-25T03:00:00Z');
    const clock = () => now;
    const open: Stream[] = [];
    const tokens: Record<string, string> = {};

    const start = async () => {
      t = await buildTestApp(database, { clock, alertStreamOptions: { heartbeatMs: 100 } });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    };
    const stream = async (as: string, query = '', headers: Record<string, string> = {}) => {
      const s = await openStream(`${base}/api/v1/live/alerts${query}`, { authorization: `Bearer ${tokens[as]}`, ...headers });
      open.push(s);
      await s.ready();
      return s;
    };
    /** A reading; waits until the alert events it causes are written (and published). */
    const send = async (device: string, rain: number) => {
      now += 60_000;
      const r = await t.inject({ method: 'POST', url: `/iot/json?k=key-rain&i=${device}`, payload: { rain, TimeInstant: new Date(now).toISOString() } });
      assert.equal(r.statusCode, 200, r.body);
      await t.services.engine.drain();
    };
    const eventIdsSince = async (after: string) => (await t.services.alertStore.eventsSince(after, 1000)).map((e) => e.event.id);
    const activeAlert = async (device: string) => (await t.inject({ method: 'GET', url: `/api/v1/alerts?device=${device}&state=active` })).json<{ items: { id: string }[] }>().items[0]!.id;

    before(async () => {
      database = await backend.open();
      await start();
      await t.devices.import(systemContext('48'), [rainGauge('rg-hc'), rainGauge('rg-st', '20263')].map((input, i) => ({ row: i + 1, input })), { mode: 'upsert' });
      await t.services.engine.devicesChanged();
      assert.equal((await t.inject({ method: 'POST', url: '/api/v1/rules', payload: RULE })).statusCode, 201);
      const admin: Send = (o) => t.inject(o);
      await createPerson(admin, 'op.haichau', '492', [{ role: 'oc_operator', unitCode: '492' }]);
      await createPerson(admin, 'op.sontra', '493', [{ role: 'oc_operator', unitCode: '493' }]);
      tokens.admin = t.adminToken;
      tokens.hc = await tokenFor(t.app, 'op.haichau');
      tokens.st = await tokenFor(t.app, 'op.sontra');
    });
    after(async () => {
      for (const s of open) await s.close();
      await t?.close();
      await database?.close();
    });

    it('streams alert events with their ids, each operator only those of its district', async () => {
      const all = await stream('admin');
      const hc = await stream('hc');
      const st = await stream('st');
      await send('rg-hc', 20);
      await send('rg-st', 25);
      await t.inject({ method: 'POST', url: `/api/v1/alerts/${await activeAlert('rg-hc')}/acknowledge`, payload: {} });
      await send('rg-st', 1); // resolved
      const written = await eventIdsSince('0');
      assert.equal(written.length, 4);
      await eventually(async () => all.alerts().length === 4, 5000, 'four events for the admin');
      assert.deepEqual(all.ids(), written, 'ids are the timeline ids, in order');
      assert.deepEqual(all.alerts().map((m) => m.data.event.id), written);
      assert.deepEqual(all.alerts().map((m) => `${m.data.alert.deviceId} ${m.data.event.kind}`), ['rg-hc raised', 'rg-st raised', 'rg-hc acknowledged', 'rg-st resolved']);
      await eventually(async () => hc.alerts().length === 2 && st.alerts().length === 2, 5000, 'the district streams');
      await new Promise((r) => setTimeout(r, 200)); // nothing else may come
      assert.deepEqual(hc.alerts().map((m) => `${m.data.alert.unitCode} ${m.data.event.kind}`), ['20233 raised', '20233 acknowledged'], 'Hải Châu never sees Sơn Trà');
      assert.deepEqual(st.alerts().map((m) => `${m.data.alert.unitCode} ${m.data.event.kind}`), ['20263 raised', '20263 resolved'], 'Sơn Trà never sees Hải Châu');
      for (const s of [all, hc, st]) await s.close();
    });

    it('sends heartbeat comments', async () => {
      const s = await stream('hc');
      await eventually(async () => s.messages.filter((m) => m.comment === 'keep-alive').length >= 2, 5000, 'two heartbeats');
      await s.close();
    });

    it('a reconnect with Last-Event-ID (header or query) receives exactly the missed events, in order (from memory)', async () => {
      const s = await stream('admin');
      const id = await activeAlert('rg-hc');
      await t.inject({ method: 'POST', url: `/api/v1/alerts/${id}/comments`, payload: { note: 'Đã cử người' } });
      await eventually(async () => s.alerts().length === 1, 5000, 'one event');
      const last = s.ids().at(-1)!;
      await s.close();
      // Missed while away: a comment, an assignment, the other district's new alert.
      await t.inject({ method: 'POST', url: `/api/v1/alerts/${id}/comments`, payload: { note: 'Đang theo dõi' } });
      await t.inject({ method: 'POST', url: `/api/v1/alerts/${id}/assign`, payload: { assignee: 'tran.thi.b' } });
      await send('rg-st', 40);
      const missed = await eventIdsSince(last);
      assert.equal(missed.length, 3);

      const byHeader = await stream('admin', '', { 'last-event-id': last });
      await eventually(async () => byHeader.alerts().length >= 3, 5000, 'the missed events');
      const byQuery = await stream('admin', `?lastEventId=${last}`);
      await eventually(async () => byQuery.alerts().length >= 3, 5000, 'the missed events (query)');
      // And then live.
      await t.inject({ method: 'POST', url: `/api/v1/alerts/${id}/comments`, payload: { note: 'Đã xong' } });
      const live = (await eventIdsSince(missed.at(-1)!))[0]!;
      await eventually(async () => byHeader.alerts().length === 4 && byQuery.alerts().length === 4, 5000, 'the live event');
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(byHeader.ids(), [...missed, live]);
      assert.deepEqual(byQuery.ids(), [...missed, live]);
      // The operator resuming from the same point gets the missed events of its district only.
      const hc = await stream('hc', '', { 'last-event-id': last });
      await eventually(async () => hc.alerts().length >= 3, 5000, 'the Hải Châu events');
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(hc.alerts().map((m) => m.data.event.kind), ['commented', 'assigned', 'commented']);
      for (const x of [byHeader, byQuery, hc]) await x.close();
    });

    it('after a restart (an empty ring) a reconnect catches up from the database', async () => {
      const written = await eventIdsSince('0');
      const from = written[1]!;
      for (const s of open) await s.close();
      await t.close();
      await start();
      const s = await stream('admin', '', { 'last-event-id': from });
      await eventually(async () => s.alerts().length >= written.length - 2, 5000, 'the events since');
      await send('rg-hc', 2); // live: resolves rg-hc
      await eventually(async () => s.alerts().length === written.length - 1, 5000, 'the live event');
      const after = await eventIdsSince(from);
      assert.equal(after.length, written.length - 1);
      assert.deepEqual(s.ids(), after);
      assert.equal(s.alerts().at(-1)!.data.event.kind, 'resolved');
      // The Sơn Trà operator, from the start, from the database: its district only.
      const st = await stream('st', '?lastEventId=0');
      const mine = (await t.services.alertStore.eventsSince('0', 1000)).filter((e) => e.alert.unitCode === '20263').map((e) => e.event.id);
      await eventually(async () => st.alerts().length >= mine.length, 5000, 'the Sơn Trà events');
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(st.ids(), mine);
      await s.close();
      await st.close();
    });

    it('resumes across the database and a ring smaller than the gap, over the real store', async () => {
      const rows = await t.services.alertStore.eventsSince('0', 1000);
      assert.ok(rows.length >= 6);
      const small = new AlertStream(t.services.alertStore, { ringSize: 2 });
      for (const r of rows) small.publish({ alert: r.alert, events: [r.event] });
      const c = recorder();
      await small.subscribe(ALL, c.sink, rows[0]!.event.id);
      assert.deepEqual(c.ids, rows.slice(1).map((r) => Number(r.event.id)));
    });

    it('streams live readings of the chosen devices', async () => {
      const s = await stream('hc', '?devices=rg-hc,rg-st');
      await send('rg-hc', 3);
      await send('rg-st', 4);
      t.services.live.flush();
      await eventually(async () => s.messages.some((m) => m.event === 'readings'), 5000, 'a readings event');
      await new Promise((r) => setTimeout(r, 100));
      t.services.live.flush();
      const readings = s.messages.filter((m) => m.event === 'readings').flatMap((m) => m.data as { deviceId: string; attr: string; value: number }[]);
      assert.deepEqual([...new Set(readings.map((r) => r.deviceId))], ['rg-hc'], 'only a device in scope');
      assert.ok(readings.some((r) => r.attr === 'rain' && r.value === 3));
      await s.close();
    });

    it('refuses bad input (400) and a missing session (401)', async () => {
      const get = (query: string, headers: Record<string, string> = { authorization: `Bearer ${tokens.admin}` }) => fetch(`${base}/api/v1/live/alerts${query}`, { headers });
      const cases: [string, Response][] = [
        ['lastEventId not numeric', await get('?lastEventId=abc')],
        ['lastEventId negative', await get('?lastEventId=-1')],
        ['Last-Event-ID not numeric', await get('', { authorization: `Bearer ${tokens.admin}`, 'last-event-id': '12; DROP TABLE alerts' })],
        ['51 devices', await get(`?devices=${range(1, 51).map((i) => `d${i}`).join(',')}`)],
      ];
      for (const [what, r] of cases) {
        assert.equal(r.status, 400, what);
        assert.equal(((await r.json()) as { code: string }).code, 'IOC_ERR_VALIDATION', what);
      }
      const anonymous = await get('', {});
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
      await eventually(async () => t.services.alertStream.size === 0, 5000, 'no subscription left behind');
    });
  });
}
