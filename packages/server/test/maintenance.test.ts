/**
 * Maintenance windows, on PGlite and on PostgreSQL: create for a device or a unit, list current and
 * upcoming within scope, cancel; what `suppressed()` answers (device, unit subtree, before, during,
 * after, cancelled); loading at start and picking up windows made on another node; validation
 * naming the field, scope, audit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { MaintenanceService, MAINTENANCE_REFRESH_MS } from '../src/services/maintenance.service.ts';
import { backends } from './support/databases.ts';
import { buildEarlyWarningApp, type EarlyWarningTestApp } from './support/early-warning.ts';
import { bearer, createPerson, type Send, tokenFor } from './support/identity.ts';

const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const KEY = 'k-maint';

interface Win {
  id: string;
  deviceId: string | null;
  unitCode: string | null;
  startsAt: string;
  endsAt: string;
  reason: string;
  status: string;
  cancelledAt: string | null;
  createdBy: string | null;
}
const fields = (r: { json<T>(): T }) => (r.json<{ errors?: { field: string; reason: string }[] }>().errors ?? []).map((e) => `${e.field} ${e.reason}`);

for (const backend of await backends()) {
  describe(`maintenance windows on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let t: EarlyWarningTestApp;
    let admin: Send;
    let clock = NOW;
    const as: Record<string, Send> = {};

    const create = async (send: Send, body: Record<string, unknown>): Promise<Win> => {
      const r = await send({ method: 'POST', url: '/api/v1/maintenance-windows', payload: body });
      assert.equal(r.statusCode, 201, r.body);
      return r.json<Win>();
    };
    const ids = async (send: Send, query = ''): Promise<string[]> => {
      const r = await send({ method: 'GET', url: `/api/v1/maintenance-windows${query}` });
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{ items: Win[] }>().items.map((w) => w.id);
    };

    before(async () => {
      database = await backend.open();
      t = await buildEarlyWarningApp(database, { clock: () => clock });
      admin = (o) => t.inject(o);
      for (const [id, type, unitCode] of [['fd-hc-1', 'flood_depth', '20233'], ['fd-hc-2', 'flood_depth', '20233'], ['rg-hc-9', 'rain_gauge', '20236'], ['fd-st-1', 'flood_depth', '20263']]) {
        const r = await admin({ method: 'POST', url: '/api/v1/devices', payload: { id, type, name: `Thiết bị ${id}`, location: { lat: 16.05, lon: 108.2 }, unitCode, apikey: KEY } });
        assert.equal(r.statusCode, 201, r.body);
      }
      const people: [string, string, Parameters<typeof createPerson>[3]][] = [
        ['mw.hc', '492', [{ role: 'oc_operator', unitCode: '492' }]],
        ['mw.st', '493', [{ role: 'oc_operator', unitCode: '493' }]],
        ['mw.build', '48', [{ role: 'oc_operator', unitCode: '48', sector: 'construction' }]],
        ['mw.analyst', '492', [{ role: 'analyst', unitCode: '492' }]],
      ];
      for (const [username, unitCode, assignments] of people) {
        await createPerson(admin, username, unitCode, assignments);
        as[username] = bearer(t.app, await tokenFor(t.app, username));
      }
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    it('a device window suppresses that device only, from its start to its end (exclusive)', async () => {
      const w = await create(as['mw.hc']!, { deviceId: 'fd-hc-1', startsAt: iso(NOW + HOUR), endsAt: iso(NOW + 3 * HOUR), reason: 'Hiệu chuẩn cảm biến' });
      assert.deepEqual([w.deviceId, w.unitCode, w.status, w.createdBy], ['fd-hc-1', null, 'scheduled', 'mw.hc']);
      const m = t.maintenance;
      assert.equal(m.suppressed('fd-hc-1', '20233', NOW + HOUR - 1), false, 'before');
      assert.equal(m.suppressed('fd-hc-1', '20233', NOW + HOUR), true, 'at the start');
      assert.equal(m.suppressed('fd-hc-1', '20233', NOW + 2 * HOUR), true, 'during');
      assert.equal(m.suppressed('fd-hc-1', '20233', NOW + 3 * HOUR), false, 'at the end');
      assert.equal(m.suppressed('fd-hc-2', '20233', NOW + 2 * HOUR), false, 'another device of the same ward');
      assert.equal(m.suppressed(null, '20233', NOW + 2 * HOUR), false, 'an area subject');
    });

    it('a unit window suppresses every device of its subtree, and area subjects within it', async () => {
      const w = await create(admin, { unitCode: '492', endsAt: iso(NOW + 2 * HOUR), reason: 'Thi công cống thoát nước' });
      assert.deepEqual([w.startsAt, w.status], [iso(NOW), 'active'], 'from now by default');
      const m = t.maintenance;
      for (const [device, unit] of [['fd-hc-2', '20233'], ['rg-hc-9', '20236'], [null, '492'], [null, '20236']] as const) assert.equal(m.suppressed(device, unit, NOW + HOUR), true, `${device} ${unit}`);
      assert.equal(m.suppressed('fd-st-1', '20263', NOW + HOUR), false, 'Sơn Trà');
      assert.equal(m.suppressed(null, '48', NOW + HOUR), false, 'the city as a whole is not below 492');
      assert.equal(m.suppressed('fd-hc-2', '20233', NOW + 2 * HOUR), false, 'ended');
    });

    it('lists current and upcoming windows within scope, with the windows of the units above', async () => {
      const st = await create(admin, { deviceId: 'fd-st-1', endsAt: iso(NOW + HOUR), reason: 'Thay pin' });
      const city = await create(admin, { unitCode: '48', startsAt: iso(NOW + DAY), endsAt: iso(NOW + DAY + HOUR), reason: 'Nâng cấp hệ thống' });
      const past = await create(admin, { unitCode: '20236', startsAt: iso(NOW - HOUR), endsAt: iso(NOW + MIN), reason: 'Đã xong' });
      clock = NOW + 2 * MIN;
      try {
        const hc = await ids(as['mw.hc']!);
        assert.ok(hc.includes(city.id), 'the city-wide window affects them');
        assert.ok(!hc.includes(st.id), 'a Sơn Trà device window is not theirs');
        assert.ok(!hc.includes(past.id), 'ended windows are not listed');
        assert.ok((await ids(as['mw.st']!)).includes(st.id));
        assert.ok(!(await ids(as['mw.st']!)).some((id) => hc.includes(id) && id !== city.id), 'the Sơn Trà operator sees no Hải Châu window');
        assert.deepEqual(await ids(admin, '?device=fd-st-1'), [st.id]);
        assert.ok(!(await ids(admin, '?unit=492')).includes(st.id));
        assert.equal((await as['mw.analyst']!({ method: 'GET', url: '/api/v1/maintenance-windows' })).statusCode, 200, 'alert.read lists');
      } finally {
        clock = NOW;
      }
    });

    it('cancels: suppression stops from the cancellation on (earlier instants stay suppressed for replays)', async () => {
      const w = await create(as['mw.hc']!, { deviceId: 'fd-hc-2', startsAt: iso(NOW - HOUR), endsAt: iso(NOW + 5 * HOUR), reason: 'Sửa chữa' });
      assert.equal(t.maintenance.suppressed('fd-hc-2', '20233', NOW + 4 * HOUR), true);
      clock = NOW + 10 * MIN;
      try {
        assert.equal((await as['mw.st']!({ method: 'DELETE', url: `/api/v1/maintenance-windows/${w.id}` })).statusCode, 404, 'out of scope: not found');
        const r = await as['mw.hc']!({ method: 'DELETE', url: `/api/v1/maintenance-windows/${w.id}` });
        assert.equal(r.statusCode, 204, r.body);
        assert.equal(t.maintenance.suppressed('fd-hc-2', '20233', NOW + 4 * HOUR), false);
        assert.equal(t.maintenance.suppressed('fd-hc-2', '20233', NOW + 5 * MIN), true, 'before the cancellation');
        assert.ok(!(await ids(admin)).includes(w.id));
        const again = await as['mw.hc']!({ method: 'DELETE', url: `/api/v1/maintenance-windows/${w.id}` });
        assert.equal(again.statusCode, 409, again.body);
        assert.equal((await admin({ method: 'DELETE', url: `/api/v1/maintenance-windows/${crypto.randomUUID()}` })).statusCode, 404);
        assert.equal((await admin({ method: 'DELETE', url: '/api/v1/maintenance-windows/not-a-uuid' })).statusCode, 404);
      } finally {
        clock = NOW;
      }
    });

    it('is loaded at start, and picks up windows made on another node within the refresh interval', async () => {
      // Later than every window above, so that nothing else covers these instants.
      const at = NOW + 6 * HOUR;
      await create(admin, { deviceId: 'rg-hc-9', startsAt: iso(at), endsAt: iso(at + HOUR), reason: 'Vệ sinh phễu' });
      const fresh = new MaintenanceService(t.maintenanceStore, t.units, t.directory, t.services.access, t.services.audit, () => clock);
      assert.equal(fresh.suppressed('rg-hc-9', '20236', at + MIN), false, 'nothing before load()');
      await fresh.load();
      assert.equal(fresh.suppressed('rg-hc-9', '20236', at + MIN), true, 'loaded');
      // Another node writes a window straight to the database.
      await t.maintenanceStore.insert({ id: crypto.randomUUID(), deviceId: 'fd-st-1', unitCode: null, startsAt: at, endsAt: at + HOUR, reason: 'Nút khác', createdBy: 'other-node' });
      assert.equal(fresh.suppressed('fd-st-1', '20263', at + MIN), false, 'not yet');
      clock = NOW + MAINTENANCE_REFRESH_MS + 1;
      try {
        fresh.suppressed('fd-st-1', '20263', at + MIN); // starts a background refresh
        for (let i = 0; i < 100 && !fresh.suppressed('fd-st-1', '20263', at + MIN); i++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(fresh.suppressed('fd-st-1', '20263', at + MIN), true, 'seen after the refresh');
      } finally {
        clock = NOW;
      }
    });

    describe('validation and scope', () => {
      const post = (send: Send, payload: Record<string, unknown>) => send({ method: 'POST', url: '/api/v1/maintenance-windows', payload });
      const ok = { endsAt: iso(NOW + HOUR), reason: 'Bảo trì định kỳ' };

      it('refuses bad bodies, naming the field', async () => {
        const cases: [Record<string, unknown>, string[]][] = [
          [{ ...ok }, ['deviceId required']],
          [{ ...ok, deviceId: 'fd-hc-1', unitCode: '492' }, ['unitCode conflict']],
          [{ ...ok, unitCode: '999' }, ['unitCode unknown_unit']],
          [{ ...ok, deviceId: 'nope' }, ['deviceId unknown_device']],
          [{ ...ok, unitCode: '492', startsAt: iso(NOW + 2 * HOUR) }, ['endsAt out_of_range']],
          [{ ...ok, unitCode: '492', endsAt: iso(NOW - MIN), startsAt: iso(NOW - HOUR) }, ['endsAt out_of_range']],
          [{ ...ok, unitCode: '492', endsAt: iso(NOW + 32 * DAY) }, ['endsAt out_of_range']],
          [{ ...ok, unitCode: '492', reason: ' x ' }, ['reason invalid']],
          [{ ...ok, unitCode: '492', endsAt: 'tomorrow' }, ['endsAt bad_timestamp']],
          [{ ...ok, unitCode: '492', colour: 'red' }, ['colour unknown_field']],
          [{ ...ok, unitCode: 492 }, ['unitCode wrong_type']],
          [{ unitCode: '492' }, ['endsAt required', 'reason required']],
        ];
        for (const [payload, want] of cases) {
          const r = await post(admin, payload);
          assert.equal(r.statusCode, 400, `${JSON.stringify(payload)}: ${r.body}`);
          assert.deepEqual(fields(r), want, JSON.stringify(payload));
        }
      });

      it('keeps operators to their scope: another district is unknown (device) or forbidden (unit)', async () => {
        const hc = as['mw.hc']!;
        assert.deepEqual(fields(await post(hc, { ...ok, deviceId: 'fd-st-1' })), ['deviceId unknown_device'], 'a hidden device is as unknown as a missing one');
        assert.equal((await post(hc, { ...ok, unitCode: '493' })).statusCode, 403);
        assert.equal((await post(hc, { ...ok, unitCode: '48' })).statusCode, 403, 'not above their own unit');
        assert.equal((await post(as['mw.analyst']!, { ...ok, unitCode: '20233' })).statusCode, 403, 'an analyst has no alert.handle');
      });

      it('lets a sector operator schedule windows for devices of its sector only, never for a whole unit', async () => {
        const build = as['mw.build']!;
        assert.equal((await post(build, { ...ok, deviceId: 'fd-st-1' })).statusCode, 201, 'a flood sensor (construction) anywhere in the city');
        assert.deepEqual(fields(await post(build, { ...ok, deviceId: 'rg-hc-9' })), ['deviceId unknown_device'], 'a rain gauge (environment) is not theirs');
        assert.equal((await post(build, { ...ok, unitCode: '492' })).statusCode, 403, 'a unit window would silence every sector');
      });
    });

    it('audits creations and cancellations', async () => {
      const w = await create(as['mw.hc']!, { unitCode: '20233', endsAt: iso(NOW + HOUR), reason: 'Kiểm tra trạm bơm' });
      assert.equal((await as['mw.hc']!({ method: 'DELETE', url: `/api/v1/maintenance-windows/${w.id}` })).statusCode, 204);
      const items = (await admin({ method: 'GET', url: '/api/v1/audit?action=maintenance.*&limit=1000' })).json<{ items: { action: string; actorName: string; unitCode: string; target: string; details: Record<string, unknown> }[] }>().items;
      const mine = items.filter((e) => e.target === `maintenance:${w.id}`).reverse();
      assert.deepEqual(mine.map((e) => [e.action, e.actorName, e.unitCode]), [
        ['maintenance.create', 'mw.hc', '20233'],
        ['maintenance.cancel', 'mw.hc', '20233'],
      ]);
      assert.equal(mine[0]!.details.reason, 'Kiểm tra trạm bơm');
    });
  });
}
