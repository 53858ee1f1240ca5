/**
 * The early-warning engine end to end through HTTP: a rule saved through the API, readings sent
 * through the ingest API, alerts raised, repeated, resolved, reopened; operator actions; one
 * active alert per rule and subject under concurrency; escalation; maintenance suppression.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/databases.ts';
import { rainGauge } from './support/fixtures.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { systemContext } from '../src/services/request-context.ts';

const RIVER = {
  id: 'rl-1',
  type: 'river_level',
  name: 'Trạm thủy văn Cẩm Lệ',
  location: { lat: 16.01, lon: 108.2 },
  unitCode: '20233',
  sector: 'environment' as const,
  apikey: 'key-river',
  attributes: [{ name: 'level', unit: 'm', min: -5, max: 20, periodS: 300 }],
};

const levelRule = {
  id: 'river-high',
  name: { vi: 'Mực nước sông cao', en: 'River level high' },
  unitCode: '48',
  deviceType: 'river_level',
  condition: { kind: 'threshold', attr: 'level', op: '>=', raise: 2, clear: 1.8 },
  severity: 'major',
  severitySteps: [{ value: 2.5, severity: 'critical' }],
  reopenMinutes: 30,
};

for (const backend of await backends()) {
  describe(`alerts over HTTP (${backend.name})`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp;
    let now = Date.parse('2026-11-25T03:00:00Z');
    const clock = () => now;

    before(async () => {
      database = await backend.open();
      t = await buildTestApp(database, { clock });
      const sys = systemContext('48');
      await t.devices.import(sys, [RIVER, rainGauge('rg-1')].map((input, i) => ({ row: i + 1, input })), { mode: 'upsert' });
      await t.services.engine.devicesChanged();
      const r = await t.inject({ method: 'POST', url: '/api/v1/rules', payload: levelRule });
      assert.equal(r.statusCode, 201, r.body);
    });
    after(async () => {
      await t.close();
      await database.close();
    });

    const send = async (device: string, apikey: string, values: Record<string, number>, at = now) => {
      const r = await t.inject({ method: 'POST', url: `/iot/json?k=${apikey}&i=${device}`, payload: { ...values, TimeInstant: new Date(at).toISOString() } });
      assert.ok(r.statusCode < 300, r.body);
      await t.services.engine.drain();
    };
    const alerts = async (q = '') => (await t.inject({ method: 'GET', url: `/api/v1/alerts${q}` })).json() as { items: { id: string; state: string; count: number; severity: string; peakValue: number; lastValue: number; reopenCount: number; evidence: { ruleVersion: number } }[]; total: number };

    it('raises once, counts repeats with peak and severity, resolves with hysteresis, reopens within the window', async () => {
      await send('rl-1', 'key-river', { level: 1.5 });
      assert.equal((await alerts()).total, 0);
      now += 60_000;
      await send('rl-1', 'key-river', { level: 2.1 });
      let list = await alerts('?rule=river-high');
      assert.equal(list.total, 1);
      assert.equal(list.items[0]!.state, 'open');
      assert.equal(list.items[0]!.severity, 'major');
      assert.equal(list.items[0]!.evidence.ruleVersion, 1);
      now += 60_000;
      await send('rl-1', 'key-river', { level: 2.7 });
      now += 60_000;
      await send('rl-1', 'key-river', { level: 1.9 }); // between clear and raise: still active
      list = await alerts('?rule=river-high');
      assert.equal(list.total, 1);
      assert.equal(list.items[0]!.count, 3);
      assert.equal(list.items[0]!.peakValue, 2.7);
      assert.equal(list.items[0]!.lastValue, 1.9);
      assert.equal(list.items[0]!.severity, 'critical');
      now += 60_000;
      await send('rl-1', 'key-river', { level: 1.7 });
      list = await alerts('?rule=river-high');
      assert.equal(list.items[0]!.state, 'resolved');
      now += 60_000;
      await send('rl-1', 'key-river', { level: 2.2 });
      list = await alerts('?rule=river-high');
      assert.equal(list.total, 1, 'reopened, not a second alert');
      assert.equal(list.items[0]!.state, 'open');
      assert.equal(list.items[0]!.reopenCount, 1);
      const detail = (await t.inject({ method: 'GET', url: `/api/v1/alerts/${list.items[0]!.id}` })).json() as { timeline: { kind: string }[] };
      assert.deepEqual(detail.timeline.map((e) => e.kind), ['raised', 'severity', 'resolved', 'reopened']);
    });

    it('operators acknowledge, assign, comment and close; refused transitions are 409', async () => {
      const [a] = (await alerts('?rule=river-high&state=active')).items;
      assert.ok(a);
      const ack = await t.inject({ method: 'POST', url: `/api/v1/alerts/${a.id}/acknowledge`, payload: {} });
      assert.equal(ack.statusCode, 200, ack.body);
      assert.equal(ack.json().state, 'acknowledged');
      assert.equal((await t.inject({ method: 'POST', url: `/api/v1/alerts/${a.id}/acknowledge`, payload: {} })).statusCode, 409);
      assert.equal((await t.inject({ method: 'POST', url: `/api/v1/alerts/${a.id}/assign`, payload: { assignee: 'nguyen.van.a' } })).json().assignee, 'nguyen.van.a');
      assert.equal((await t.inject({ method: 'POST', url: `/api/v1/alerts/${a.id}/comments`, payload: { note: '<script>alert(1)</script> đã cử đội ứng cứu' } })).statusCode, 200);
      const noNote = await t.inject({ method: 'POST', url: `/api/v1/alerts/${a.id}/close`, payload: {} });
      assert.equal(noNote.statusCode, 400);
      const closed = await t.inject({ method: 'POST', url: `/api/v1/alerts/${a.id}/close`, payload: { note: 'Đã xử lý' } });
      assert.equal(closed.json().state, 'closed');
      // The condition still holds: no new alert while the episode lasts.
      now += 60_000;
      await send('rl-1', 'key-river', { level: 2.3 });
      assert.equal((await alerts('?rule=river-high&state=active')).total, 0);
      const detail = (await t.inject({ method: 'GET', url: `/api/v1/alerts/${a.id}` })).json() as { timeline: { kind: string; data: { note?: string } }[] };
      assert.equal(detail.timeline.find((e) => e.kind === 'commented')!.data.note, '<script>alert(1)</script> đã cử đội ứng cứu');
      for (const bad of [{ note: { a: 1 } }, { note: 'x'.repeat(4001) }, { extra: true, note: 'a' }]) {
        assert.equal((await t.inject({ method: 'POST', url: `/api/v1/alerts/${a.id}/comments`, payload: bad })).statusCode, 400, JSON.stringify(bad));
      }
      assert.equal((await t.inject({ method: 'GET', url: '/api/v1/alerts/999999' })).statusCode, 404);
      assert.equal((await t.inject({ method: 'GET', url: "/api/v1/alerts/1' OR 1=1" })).statusCode, 404);
      assert.equal((await t.inject({ method: 'GET', url: '/api/v1/alerts?state=bogus' })).statusCode, 400);
      // The episode ends (clear), then a new one opens a new alert (closed alerts do not reopen).
      now += 60_000;
      await send('rl-1', 'key-river', { level: 1.0 });
      now += 60_000;
      await send('rl-1', 'key-river', { level: 2.4 });
      assert.equal((await alerts('?rule=river-high&state=active')).total, 1);
    });

    it('a burst of concurrent readings for one subject makes exactly one active alert', async () => {
      const r = await t.inject({
        method: 'POST',
        url: '/api/v1/rules',
        payload: { id: 'rain-burst', name: { vi: 'Mưa', en: 'Rain' }, unitCode: '48', deviceType: 'rain_gauge', condition: { kind: 'threshold', attr: 'rain', op: '>', raise: 10, clear: 5 }, severity: 'minor' },
      });
      assert.equal(r.statusCode, 201, r.body);
      const base = now;
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => t.inject({ method: 'POST', url: `/iot/json?k=key-rain&i=rg-1`, payload: { rain: 20 + i, TimeInstant: new Date(base + i).toISOString() } })),
      );
      await t.services.engine.drain();
      const list = await alerts('?rule=rain-burst');
      assert.equal(list.total, 1);
      assert.equal(list.items[0]!.count, 40);
      assert.equal(list.items[0]!.peakValue, 59);
    });

    it('two stores racing to raise the same subject leave one active alert (the unique index decides)', async () => {
      const store = t.services.alertStore;
      const input = {
        ruleId: 'rain-burst', ruleVersion: 1, subject: 'device:race', deviceId: null, unitCode: '20233', sector: null, ownerUnit: '492',
        severity: 'minor' as const, title: { vi: 'x', en: 'x' }, ts: now, value: 1, upward: true, reopenMs: 0,
        evidence: { ruleId: 'rain-burst', ruleVersion: 1, condition: { kind: 'absence' as const, factor: 2 }, ts: now, leaves: [] },
      };
      const results = await Promise.all(Array.from({ length: 8 }, () => store.raise(input, now)));
      assert.equal(new Set(results.map((r) => r.alert.id)).size, 1);
      assert.equal(results.filter((r) => r.events.some((e) => e.kind === 'raised')).length, 1);
      const list = await alerts('?rule=rain-burst');
      assert.equal(list.items.find((a) => a.id === results[0]!.alert.id)!.count, 8);
    });

    it('an unacknowledged alert escalates to the parent unit after the policy minutes; the city sees escalated alerts', async () => {
      const [a] = (await alerts('?rule=river-high&state=open')).items;
      assert.ok(a);
      assert.equal((await t.services.alerts.escalate()).length, 0, 'not yet');
      now += 31 * 60_000; // major: 30 minutes
      const changes = await t.services.alerts.escalate();
      const mine = changes.find((c) => c.alert.id === a.id);
      assert.ok(mine, 'escalated');
      assert.equal(mine.alert.escalatedTo, '48', 'owner is district 492; its parent is the city');
      const escalated = await alerts('?escalated=true');
      assert.ok(escalated.items.some((x) => x.id === a.id));
    });
  });
}
