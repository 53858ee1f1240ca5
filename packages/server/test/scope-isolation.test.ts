/**
 * Scope isolation over HTTP, on PGlite and on PostgreSQL: users of one district (Hải Châu, 492)
 * never see, count, find, read, export, change or ingest for a record of another (Sơn Trà, 493); a
 * sector operator sees only their sector, city-wide; a data provider acts only inside its ward;
 * a district admin manages only the users and reads only the audit entries of their district.
 * Out-of-scope records answer exactly as records that do not exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { backends } from './support/databases.ts';
import { deviceInput } from './support/fixtures.ts';
import { bearer, createPerson, createService, type CreatedUser, freshIp, type Send, tokenFor, USER_PASSWORD } from './support/identity.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

/** The services' "now": 2026-11-25 10:00 in Đà Nẵng. */
const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const READ_AT = NOW - 10 * 60_000;

/** Hải Châu (492: wards 20233, 20236) and everything under it. */
const HAI_CHAU = new Set(['492', '20233', '20236']);
const KEY = 'k-scope';

const clinic = (id: string, unitCode: string, name: string) => ({
  id,
  type: 'clinic_beds',
  name,
  location: { lat: 16.06, lon: 108.22 },
  unitCode,
  sector: 'health',
  apikey: KEY,
  attributes: [{ name: 'beds', unit: 'giường', min: 0, max: 500, periodS: 300 }],
});

/** Hải Châu: hc-aq (20233), hc-rain (20236), hc-clinic (20236, health); Sơn Trà: st-aq, st-clinic (20263). */
const DEVICES = [
  deviceInput({ id: 'hc-aq', name: 'Trạm không khí Thạch Thang', unitCode: '20233', apikey: KEY }),
  deviceInput({ id: 'hc-rain', type: 'rain_gauge', name: 'Trạm đo mưa Hải Châu', unitCode: '20236', apikey: KEY }),
  clinic('hc-clinic', '20236', 'Giường trống Trạm y tế Hải Châu'),
  deviceInput({ id: 'st-aq', name: 'Trạm không khí Sơn Trà', unitCode: '20263', apikey: KEY }),
  clinic('st-clinic', '20263', 'Giường trống Trạm y tế Thọ Quang'),
];
const READINGS: Record<string, Record<string, number>> = { 'hc-aq': { pm25: 10 }, 'hc-rain': { rain: 1.5 }, 'hc-clinic': { beds: 12 }, 'st-aq': { pm25: 40 }, 'st-clinic': { beds: 3 } };

/** An error body without its correlation id, and with the record's id in the message masked. */
const hidden = (r: LightMyRequestResponse, id: string): Record<string, unknown> => {
  const { correlationId, message, ...rest } = r.json<Record<string, unknown>>();
  assert.equal(typeof correlationId, 'string');
  return { ...rest, message: String(message).split(id).join('<id>') };
};
const reasons = (r: LightMyRequestResponse): string[] =>
  (r.json<{ errors?: { row?: number; field: string; reason: string }[] }>().errors ?? []).map((e) => `${e.row === undefined ? '' : `${e.row} `}${e.field} ${e.reason}`);

interface AuditItem {
  actorName: string;
  action: string;
  outcome: string;
  unitCode: string | null;
  target: string | null;
  details: Record<string, unknown>;
}

for (const backend of await backends()) {
  describe(`scope isolation on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp;
    let admin: Send;
    const users: Record<string, CreatedUser> = {};
    /** Requests as each user, by username. */
    const as: Record<string, Send> = {};
    let provider: CreatedUser & { apiKey: string };

    const ids = async (send: Send, url: string): Promise<{ ids: string[]; total: number }> => {
      const r = await send({ method: 'GET', url });
      assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
      const body = r.json<{ items: { id: string }[]; total: number }>();
      return { ids: body.items.map((d) => d.id), total: body.total };
    };
    const latest = async (send: Send, query: string): Promise<string[]> => {
      const r = await send({ method: 'GET', url: `/api/v1/latest?${query}` });
      assert.equal(r.statusCode, 200, `latest ${query}: ${r.body}`);
      return r.json<{ items: { deviceId: string }[] }>().items.map((i) => i.deviceId);
    };

    before(async () => {
      database = await backend.open();
      t = await buildTestApp(database, { clock: () => NOW });
      admin = (o) => t.inject(o);
      for (const d of DEVICES) {
        const r = await admin({ method: 'POST', url: '/api/v1/devices', payload: d });
        assert.equal(r.statusCode, 201, r.body);
        // Readings as an anonymous FIWARE device: the API key group and device id are the credential.
        const m = await t.app.inject({ method: 'POST', url: `/iot/json?k=${KEY}&i=${d.id}`, payload: { ...READINGS[d.id as string], TimeInstant: iso(READ_AT) } });
        assert.equal(m.statusCode, 200, m.body);
      }
      const people: [string, string, Parameters<typeof createPerson>[3]][] = [
        ['hc.op', '492', [{ role: 'oc_operator', unitCode: '492' }]],
        ['st.op', '493', [{ role: 'oc_operator', unitCode: '493' }]],
        ['health.op', '48-health', [{ role: 'oc_operator', unitCode: '48', sector: 'health' }]],
        ['hc.analyst', '492', [{ role: 'analyst', unitCode: '492' }]],
        ['hc.admin', '492', [{ role: 'system_admin', unitCode: '492' }]],
      ];
      for (const [username, unitCode, assignments] of people) {
        users[username] = await createPerson(admin, username, unitCode, assignments);
        as[username] = bearer(t.app, await tokenFor(t.app, username));
      }
      provider = await createService(admin, 'provider.hc', '20233', [{ role: 'data_provider', unitCode: '20233' }]);
      users['provider.hc'] = provider;
      as['provider.hc'] = bearer(t.app, provider.apiKey);
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    describe('reads: the Hải Châu operator', () => {
      const HC_IDS = ['hc-aq', 'hc-clinic', 'hc-rain'];

      it('lists and counts only Hải Châu devices, whatever the filter, search or page', async () => {
        const op = as['hc.op']!;
        assert.deepEqual(await ids(op, '/api/v1/devices'), { ids: HC_IDS, total: 3 });
        assert.deepEqual(await ids(op, '/api/v1/devices?limit=1'), { ids: ['hc-aq'], total: 3 }, 'the total counts only what is in scope');
        assert.deepEqual(await ids(op, '/api/v1/devices?offset=3'), { ids: [], total: 3 });
        assert.deepEqual(await ids(op, '/api/v1/devices?unit=48'), { ids: HC_IDS, total: 3 }, 'the whole city, as far as they can see');
        for (const unit of ['493', '20263']) assert.deepEqual(await ids(op, `/api/v1/devices?unit=${unit}`), { ids: [], total: 0 }, `unit=${unit}: empty, not an error`);
        for (const q of ['Sơn Trà', 'son tra', 'SƠN TRÀ', 'Thọ Quang', 'tho quang', 'st-', 'st-aq']) {
          assert.deepEqual(await ids(op, `/api/v1/devices?q=${encodeURIComponent(q)}`), { ids: [], total: 0 }, `q=${q}`);
        }
        assert.deepEqual(await ids(op, `/api/v1/devices?q=${encodeURIComponent('trạm không khí')}`), { ids: ['hc-aq'], total: 1 }, 'the search still finds their own');
        assert.deepEqual(await ids(op, '/api/v1/devices?sector=health'), { ids: ['hc-clinic'], total: 1 });
        assert.deepEqual(await ids(op, '/api/v1/devices?type=air_quality'), { ids: ['hc-aq'], total: 1 });
        assert.deepEqual(await ids(op, `/api/v1/devices?apikey=${KEY}&limit=1000`), { ids: HC_IDS, total: 3 });
        // The Sơn Trà operator, the other way round.
        assert.deepEqual(await ids(as['st.op']!, '/api/v1/devices'), { ids: ['st-aq', 'st-clinic'], total: 2 });
        assert.deepEqual(await ids(as['st.op']!, '/api/v1/devices?unit=492'), { ids: [], total: 0 });
      });

      it('gets no Sơn Trà record in the latest values, with any filter', async () => {
        const op = as['hc.op']!;
        assert.deepEqual(await latest(op, ''), HC_IDS);
        assert.deepEqual(await latest(op, 'unit=48'), HC_IDS);
        for (const q of ['unit=493', 'unit=20263', 'device=st-aq', 'device=st-clinic', 'device=st-aq&unit=493', 'device=st-aq&type=air_quality&sector=environment']) {
          assert.deepEqual(await latest(op, q), [], q);
        }
        assert.deepEqual(await latest(op, 'type=air_quality'), ['hc-aq']);
        assert.deepEqual(await latest(op, 'type=clinic_beds'), ['hc-clinic']);
        assert.deepEqual(await latest(op, 'sector=health'), ['hc-clinic']);
        assert.deepEqual(await latest(op, 'sector=environment'), ['hc-aq', 'hc-rain']);
        const body = (await op({ method: 'GET', url: '/api/v1/latest' })).body;
        for (const leak of ['st-aq', 'st-clinic', '20263', 'Sơn Trà', 'Thọ Quang']) assert.ok(!body.includes(leak), `no ${leak}`);
        assert.deepEqual(await latest(admin, 'unit=493'), ['st-aq', 'st-clinic'], 'the city admin sees them');
      });

      it('gets a Sơn Trà device, its series and its attributes as "not found", exactly as an unknown id', async () => {
        const op = as['hc.op']!;
        const cases: [string, string, string][] = [
          ['/api/v1/devices/st-aq', '/api/v1/devices/zz-unknown', 'device'],
          ['/api/v1/devices/st-aq/series/pm25', '/api/v1/devices/zz-unknown/series/pm25', 'series'],
          ['/api/v1/devices/st-aq/series/no_such_attr', '/api/v1/devices/zz-unknown/series/no_such_attr', 'unknown attribute of a hidden device'],
          [`/api/v1/devices/st-clinic/series/beds?from=${iso(NOW - 3_600_000)}&resolution=1m`, `/api/v1/devices/zz-unknown/series/beds?from=${iso(NOW - 3_600_000)}&resolution=1m`, 'rollup'],
        ];
        for (const [url, unknownUrl, label] of cases) {
          const r = await op({ method: 'GET', url });
          const u = await op({ method: 'GET', url: unknownUrl });
          assert.equal(r.statusCode, 404, `${label}: ${r.body}`);
          assert.equal(r.json().code, 'IOC_ERR_DEVICE_NOT_FOUND', label);
          const id = url.includes('st-clinic') ? 'st-clinic' : 'st-aq';
          assert.deepEqual(hidden(r, id), hidden(u, 'zz-unknown'), label);
          assert.deepEqual(Object.keys(r.headers).sort(), Object.keys(u.headers).sort(), `${label}: the same headers`);
        }
        assert.equal((await op({ method: 'GET', url: '/api/v1/devices/hc-aq' })).statusCode, 200);
        const s = await op({ method: 'GET', url: `/api/v1/devices/hc-aq/series/pm25?from=${iso(NOW - 3_600_000)}` });
        assert.equal(s.statusCode, 200, s.body);
        assert.deepEqual(s.json().points, [{ ts: iso(READ_AT), value: 10 }]);
      });

      it('exports (analyst) a Hải Châu series as CSV, audited, and a Sơn Trà one is "not found"', async () => {
        const analyst = as['hc.analyst']!;
        const st = await analyst({ method: 'GET', url: '/api/v1/devices/st-aq/series/pm25/export' });
        const unknown = await analyst({ method: 'GET', url: '/api/v1/devices/zz-unknown/series/pm25/export' });
        assert.equal(st.statusCode, 404, st.body);
        assert.equal(st.json().code, 'IOC_ERR_DEVICE_NOT_FOUND');
        assert.deepEqual(hidden(st, 'st-aq'), hidden(unknown, 'zz-unknown'));

        const r = await analyst({ method: 'GET', url: '/api/v1/devices/hc-aq/series/pm25/export' });
        assert.equal(r.statusCode, 200, r.body);
        assert.match(r.headers['content-type'] as string, /^text\/csv/);
        assert.equal(r.headers['content-disposition'], 'attachment; filename="hc-aq_pm25_raw.csv"');
        assert.equal(r.body, `ts,value\r\n${iso(READ_AT)},10\r\n`);

        const op = await as['hc.op']!({ method: 'GET', url: '/api/v1/devices/hc-aq/series/pm25/export' });
        assert.equal(op.statusCode, 403, 'an OC operator has no data.export');

        const audit = (await admin({ method: 'GET', url: '/api/v1/audit?action=data.export' })).json<{ items: AuditItem[] }>().items;
        assert.deepEqual(
          audit.map((e) => [e.actorName, e.unitCode, e.target, e.outcome, e.details.points]),
          [['hc.analyst', '20233', 'series:hc-aq/pm25', 'success', 1]],
          'one export, the one that happened',
        );
      });
    });

    describe('reads: the health-sector operator and the data provider', () => {
      it('the health operator sees health devices only, city-wide', async () => {
        const op = as['health.op']!;
        assert.deepEqual(await ids(op, '/api/v1/devices'), { ids: ['hc-clinic', 'st-clinic'], total: 2 });
        assert.deepEqual(await ids(op, '/api/v1/devices?sector=environment'), { ids: [], total: 0 });
        assert.deepEqual(await ids(op, '/api/v1/devices?unit=493'), { ids: ['st-clinic'], total: 1 });
        assert.deepEqual(await ids(op, `/api/v1/devices?q=${encodeURIComponent('không khí')}`), { ids: [], total: 0 });
        assert.deepEqual(await latest(op, ''), ['hc-clinic', 'st-clinic']);
        assert.deepEqual(await latest(op, 'type=air_quality'), []);
        for (const id of ['hc-aq', 'st-aq']) {
          const r = await op({ method: 'GET', url: `/api/v1/devices/${id}` });
          assert.equal(r.statusCode, 404, id);
          assert.equal((await op({ method: 'GET', url: `/api/v1/devices/${id}/series/pm25` })).statusCode, 404, id);
        }
        assert.equal((await op({ method: 'GET', url: `/api/v1/devices/st-clinic/series/beds?from=${iso(NOW - 3_600_000)}` })).json().points.length, 1);
      });

      it('the data provider sees its ward only', async () => {
        assert.deepEqual(await ids(as['provider.hc']!, '/api/v1/devices'), { ids: ['hc-aq'], total: 1 });
        assert.deepEqual(await latest(as['provider.hc']!, ''), ['hc-aq']);
        assert.equal((await as['provider.hc']!({ method: 'GET', url: '/api/v1/devices/hc-rain' })).statusCode, 404, '20236 is outside 20233');
      });
    });

    describe('writes: the Hải Châu operator', () => {
      it('cannot register a device in Sơn Trà (403)', async () => {
        const r = await as['hc.op']!({ method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: 'hc-new-st', unitCode: '20263', apikey: KEY }) });
        assert.equal(r.statusCode, 403, r.body);
        assert.equal(r.json().code, 'IOC_ERR_FORBIDDEN');
        assert.equal((await admin({ method: 'GET', url: '/api/v1/devices/hc-new-st' })).statusCode, 404, 'nothing created');
        const ok = await as['hc.op']!({ method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: 'hc-new', unitCode: '20236', apikey: KEY }) });
        assert.equal(ok.statusCode, 201, `in their own district: ${ok.body}`);
        assert.equal((await as['hc.op']!({ method: 'DELETE', url: '/api/v1/devices/hc-new' })).statusCode, 204);
      });

      it('cannot replace, delete, or rotate or revoke the token of a Sơn Trà device: "not found" (404), as an unknown id', async () => {
        const op = as['hc.op']!;
        const before = (await admin({ method: 'GET', url: '/api/v1/devices/st-aq' })).json();
        const { id: _, ...body } = DEVICES[3]!;
        const cases: [string, string, object | undefined][] = [
          ['PUT', '/api/v1/devices/{id}', { ...body, name: 'Chiếm quyền' }],
          ['PUT', '/api/v1/devices/{id}', { ...body, unitCode: '20233' }],
          ['DELETE', '/api/v1/devices/{id}', undefined],
          ['POST', '/api/v1/devices/{id}/token', undefined],
          ['DELETE', '/api/v1/devices/{id}/token', undefined],
        ];
        for (const [method, path, payload] of cases) {
          const send = (id: string) => op({ method: method as 'PUT', url: path.replace('{id}', id), ...(payload ? { payload } : {}) });
          const r = await send('st-aq');
          const u = await send('zz-unknown');
          assert.equal(r.statusCode, 404, `${method} ${path}: ${r.body}`);
          assert.equal(r.json().code, 'IOC_ERR_DEVICE_NOT_FOUND');
          assert.deepEqual(hidden(r, 'st-aq'), hidden(u, 'zz-unknown'), `${method} ${path}`);
        }
        assert.deepEqual((await admin({ method: 'GET', url: '/api/v1/devices/st-aq' })).json(), before, 'nothing changed');
        assert.equal((await t.app.inject({ method: 'POST', url: `/iot/json?k=${KEY}&i=st-aq`, payload: { pm25: 41 } })).statusCode, 200, 'still there for ingestion');
      });

      it('cannot move a Hải Châu device to Sơn Trà (403)', async () => {
        const { id: _, ...body } = DEVICES[0]!;
        const r = await as['hc.op']!({ method: 'PUT', url: '/api/v1/devices/hc-aq', payload: { ...body, unitCode: '20263' } });
        assert.equal(r.statusCode, 403, r.body);
        assert.equal(r.json().code, 'IOC_ERR_FORBIDDEN');
        assert.equal((await admin({ method: 'GET', url: '/api/v1/devices/hc-aq' })).json().unitCode, '20233');
        const moved = await as['hc.op']!({ method: 'PUT', url: '/api/v1/devices/hc-aq', payload: { ...body, unitCode: '20236' } });
        assert.equal(moved.statusCode, 200, `within the district: ${moved.body}`);
        assert.equal((await as['hc.op']!({ method: 'PUT', url: '/api/v1/devices/hc-aq', payload: body })).statusCode, 200);
      });

      it('imports nothing from a file with a row in Sơn Trà, naming that row (422 out_of_scope)', async () => {
        const csv = [
          'id,type,name,lat,lon,unitCode,sector,apikey,accessToken,attributes',
          'imp-hc-1,rain_gauge,Trạm mưa Thạch Thang,16.07,108.21,20233,,k-imp,,',
          'imp-st-1,rain_gauge,Trạm mưa Thọ Quang,16.1,108.25,20263,,k-imp,,',
          'imp-hc-2,rain_gauge,Trạm mưa Hải Châu,16.07,108.22,20236,,k-imp,,',
        ].join('\n');
        for (const dryRun of [true, false]) {
          const r = await as['hc.op']!({ method: 'POST', url: `/api/v1/devices/import?dryRun=${dryRun}`, body: csv, headers: { 'content-type': 'text/csv' } });
          assert.equal(r.statusCode, 422, r.body);
          assert.equal(r.json().code, 'IOC_ERR_DEVICE_IMPORT');
          assert.deepEqual(reasons(r), ['2 unitCode out_of_scope'], `dryRun=${dryRun}`);
        }
        for (const id of ['imp-hc-1', 'imp-st-1', 'imp-hc-2']) assert.equal((await admin({ method: 'GET', url: `/api/v1/devices/${id}` })).statusCode, 404, `${id}: nothing imported`);
      });

      it('cannot take over a Sơn Trà id: upsert, insert or register it → "unavailable", without telling whose it is', async () => {
        const op = as['hc.op']!;
        const taken = deviceInput({ id: 'st-aq', name: 'Trạm của tôi', unitCode: '20233', apikey: KEY });
        for (const mode of ['upsert', 'insert']) {
          const r = await op({ method: 'POST', url: `/api/v1/devices/import?mode=${mode}`, payload: [deviceInput({ id: 'imp-ok', unitCode: '20233', apikey: KEY }), taken] });
          assert.equal(r.statusCode, 422, `${mode}: ${r.body}`);
          assert.deepEqual(reasons(r), ['2 id unavailable'], mode);
          for (const leak of ['20263', '493', 'Sơn Trà', 'st.op', 'environment', 'exists']) assert.ok(!r.body.includes(leak), `${mode}: the answer does not mention ${leak}`);
        }
        const single = await op({ method: 'POST', url: '/api/v1/devices', payload: taken });
        assert.equal(single.statusCode, 400, `not 409, which only an id in one's own scope gives: ${single.body}`);
        assert.deepEqual(reasons(single), ['id unavailable']);
        assert.ok(!single.body.includes('20263') && !single.body.includes('Sơn Trà'));
        const own = await op({ method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: 'hc-aq', unitCode: '20233', apikey: KEY }) });
        assert.equal(own.statusCode, 409, 'an id in their own scope exists');
        const st = (await admin({ method: 'GET', url: '/api/v1/devices/st-aq' })).json();
        assert.deepEqual([st.unitCode, st.name], ['20263', 'Trạm không khí Sơn Trà'], 'unchanged');
        assert.equal((await admin({ method: 'GET', url: '/api/v1/devices/imp-ok' })).statusCode, 404);
      });
    });

    describe('the data provider', () => {
      const ingest = (id: string, auth?: string) =>
        t.app.inject({ method: 'POST', url: `/iot/json?k=${KEY}&i=${id}`, payload: { ...READINGS[id], TimeInstant: iso(NOW - 60_000) }, ...(auth ? { headers: { authorization: `Bearer ${auth}` } } : {}) });

      it('ingests with its API key for a device in its ward, and for any other device gets 401 as for an unknown one', async () => {
        const ok = await ingest('hc-aq', provider.apiKey);
        assert.equal(ok.statusCode, 200, ok.body);
        assert.deepEqual(ok.json(), { accepted: 1 });
        const unknown = await t.app.inject({ method: 'POST', url: `/iot/json?k=${KEY}&i=zz-unknown`, payload: { pm25: 1 }, headers: { authorization: `Bearer ${provider.apiKey}` } });
        assert.equal(unknown.statusCode, 401);
        for (const id of ['st-aq', 'hc-rain', 'st-clinic']) {
          const r = await ingest(id, provider.apiKey);
          assert.equal(r.statusCode, 401, `${id}: ${r.body}`);
          assert.equal(r.json().code, 'IOC_ERR_INGEST_AUTH');
          const { correlationId: _a, ...got } = r.json();
          const { correlationId: _b, ...want } = unknown.json();
          assert.deepEqual(got, want, `${id}: the same answer as an unknown device`);
        }
        const s = await admin({ method: 'GET', url: `/api/v1/devices/st-aq/series/pm25?from=${iso(NOW - 120_000)}&to=${iso(NOW)}` });
        assert.deepEqual(s.json().points, [], 'nothing stored for the refused device');
      });

      it('registers a device in its ward, not in the neighbouring one', async () => {
        const send = as['provider.hc']!;
        const ok = await send({ method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: 'prov-aq', unitCode: '20233', apikey: 'k-prov' }) });
        assert.equal(ok.statusCode, 201, ok.body);
        const no = await send({ method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: 'prov-aq-2', unitCode: '20236', apikey: 'k-prov' }) });
        assert.equal(no.statusCode, 403, no.body);
        assert.equal((await admin({ method: 'GET', url: '/api/v1/devices/prov-aq-2' })).statusCode, 404);
        const denied = (await admin({ method: 'GET', url: '/api/v1/audit?action=device.create' })).json<{ items: AuditItem[] }>().items;
        assert.ok(denied.some((e) => e.actorName === 'provider.hc' && e.target === 'device:prov-aq'));
      });
    });

    describe('users: the Hải Châu admin', () => {
      it('lists only users whose home unit is in Hải Châu', async () => {
        const hcAdmin = as['hc.admin']!;
        const r = await hcAdmin({ method: 'GET', url: '/api/v1/users?limit=500' });
        assert.equal(r.statusCode, 200, r.body);
        const items = r.json<{ items: { username: string; unitCode: string }[]; total: number }>();
        assert.ok(items.items.every((u) => HAI_CHAU.has(u.unitCode)), JSON.stringify(items.items.map((u) => [u.username, u.unitCode])));
        assert.deepEqual(items.items.map((u) => u.username).sort(), ['hc.admin', 'hc.analyst', 'hc.op', 'provider.hc']);
        assert.equal(items.total, 4);
        for (const q of ['unit=493', 'unit=48-health', 'q=st.op', 'q=admin&kind=person&unit=48']) {
          const l = await hcAdmin({ method: 'GET', url: `/api/v1/users?${q}` });
          assert.equal(l.statusCode, 200, q);
          assert.ok(l.json().items.every((u: { unitCode: string }) => HAI_CHAU.has(u.unitCode)), q);
        }
        assert.deepEqual((await hcAdmin({ method: 'GET', url: '/api/v1/users?unit=493' })).json(), { items: [], total: 0 });
      });

      it('cannot see or change a user outside Hải Châu (404, as an unknown id)', async () => {
        const hcAdmin = as['hc.admin']!;
        const unknownId = crypto.randomUUID();
        for (const who of ['st.op', 'health.op']) {
          const id = users[who]!.id;
          const cases: [string, string, unknown][] = [
            ['GET', '/api/v1/users/{id}', undefined],
            ['PATCH', '/api/v1/users/{id}', { disabled: true }],
            ['PUT', '/api/v1/users/{id}/assignments', []],
            ['PUT', '/api/v1/users/{id}/password', { password: 'Chiếm-tài-khoản-2026!' }],
            ['GET', '/api/v1/users/{id}/api-keys', undefined],
          ];
          for (const [method, path, payload] of cases) {
            const send = (x: string) => hcAdmin({ method: method as 'GET', url: path.replace('{id}', x), ...(payload === undefined ? {} : { payload: payload as object }) });
            const r = await send(id);
            const u = await send(unknownId);
            assert.equal(r.statusCode, 404, `${who} ${method} ${path}: ${r.body}`);
            assert.equal(r.json().code, 'IOC_ERR_USER_NOT_FOUND');
            assert.deepEqual(hidden(r, id), hidden(u, unknownId), `${who} ${method} ${path}`);
          }
        }
        assert.equal((await tokenFor(t.app, 'st.op')).startsWith('hds_'), true, 'the Sơn Trà operator still signs in with their password');
        const st = (await admin({ method: 'GET', url: `/api/v1/users/${users['st.op']!.id}` })).json();
        assert.deepEqual([st.disabled, st.assignments], [false, [{ role: 'oc_operator', unitCode: '493', sector: null }]]);
      });

      it('cannot give a role over Sơn Trà or the city (400 exceeds_own), nor create or move users there (403)', async () => {
        const hcAdmin = as['hc.admin']!;
        for (const assignment of [{ role: 'oc_operator', unitCode: '493' }, { role: 'analyst', unitCode: '48' }, { role: 'oc_operator', unitCode: '48', sector: 'health' }]) {
          const r = await hcAdmin({ method: 'POST', url: '/api/v1/users', payload: { username: 'hc.new', displayName: 'Người mới', unitCode: '20233', password: USER_PASSWORD, assignments: [assignment] } });
          assert.equal(r.statusCode, 400, `${JSON.stringify(assignment)}: ${r.body}`);
          assert.deepEqual(reasons(r), ['assignments/0/unitCode exceeds_own']);
          const p = await hcAdmin({ method: 'PUT', url: `/api/v1/users/${users['hc.op']!.id}/assignments`, payload: [{ role: 'oc_operator', unitCode: '492' }, assignment] });
          assert.equal(p.statusCode, 400, p.body);
          assert.deepEqual(reasons(p), ['assignments/1/unitCode exceeds_own']);
        }
        const home = await hcAdmin({ method: 'POST', url: '/api/v1/users', payload: { username: 'hc.new', displayName: 'Người mới', unitCode: '493', password: USER_PASSWORD, assignments: [{ role: 'analyst', unitCode: '20233' }] } });
        assert.equal(home.statusCode, 403, `a home unit in Sơn Trà: ${home.body}`);
        const move = await hcAdmin({ method: 'PATCH', url: `/api/v1/users/${users['hc.analyst']!.id}`, payload: { unitCode: '493' } });
        assert.equal(move.statusCode, 403, move.body);
        assert.equal((await admin({ method: 'GET', url: '/api/v1/users?q=hc.new' })).json().total, 0);
        assert.deepEqual((await admin({ method: 'GET', url: `/api/v1/users/${users['hc.op']!.id}` })).json().assignments, [{ role: 'oc_operator', unitCode: '492', sector: null }]);
        assert.equal((await admin({ method: 'GET', url: `/api/v1/users/${users['hc.analyst']!.id}` })).json().unitCode, '492');
        const ok = await hcAdmin({ method: 'POST', url: '/api/v1/users', payload: { username: 'hc.new', displayName: 'Người mới', unitCode: '20236', password: USER_PASSWORD, assignments: [{ role: 'oc_operator', unitCode: '20236', sector: 'health' }] } });
        assert.equal(ok.statusCode, 201, `within the district: ${ok.body}`);
      });

      it('cannot take over a city-wide account whose home unit happens to be in Hải Châu', async () => {
        const city = await createPerson(admin, 'city.admin2', '20233', [{ role: 'system_admin', unitCode: '48' }]);
        const r = await as['hc.admin']!({ method: 'PUT', url: `/api/v1/users/${city.id}/password`, payload: { password: 'Chiếm-quyền-thành-phố-2026' } });
        assert.ok(r.statusCode === 403 || r.statusCode === 404, `expected 403 or 404, got ${r.statusCode} ${r.body}`);
        assert.ok((await tokenFor(t.app, 'city.admin2', USER_PASSWORD, freshIp())).startsWith('hds_'), 'the password is unchanged');
      });
    });

    describe('audit: the Hải Châu admin', () => {
      it('reads only entries of Hải Châu units, and cannot verify the whole chain (403); the city admin can', async () => {
        const hcAdmin = as['hc.admin']!;
        const r = await hcAdmin({ method: 'GET', url: '/api/v1/audit?limit=1000' });
        assert.equal(r.statusCode, 200, r.body);
        const items = r.json<{ items: AuditItem[] }>().items;
        assert.ok(items.length > 0);
        const outside = items.filter((e) => e.unitCode === null || !HAI_CHAU.has(e.unitCode));
        assert.deepEqual(outside.map((e) => [e.action, e.unitCode, e.target]), [], 'no entry outside 492’s subtree');
        assert.ok(!items.some((e) => /st-aq|st-clinic|st\.op|health\.op/.test(`${e.target}`)));
        assert.ok(items.some((e) => e.target === 'device:hc-aq'), 'their own district’s entries are there');
        for (const q of ['unit=493', 'unit=20263', 'action=auth.login&unit=493']) {
          const l = await hcAdmin({ method: 'GET', url: `/api/v1/audit?${q}` });
          assert.equal(l.statusCode, 200, q);
          assert.deepEqual(l.json().items, [], q);
        }
        const cityWide = (await admin({ method: 'GET', url: '/api/v1/audit?unit=493&limit=1000' })).json<{ items: AuditItem[] }>().items;
        assert.ok(cityWide.some((e) => e.target === 'device:st-aq'), 'the city admin sees Sơn Trà');

        const v = await hcAdmin({ method: 'GET', url: '/api/v1/audit/verify' });
        assert.equal(v.statusCode, 403, v.body);
        assert.equal(v.json().code, 'IOC_ERR_FORBIDDEN');
        const ok = await admin({ method: 'GET', url: '/api/v1/audit/verify' });
        assert.equal(ok.statusCode, 200, ok.body);
        assert.equal(ok.json().ok, true);
        assert.ok(ok.json().checked >= cityWide.length);
        assert.equal((await as['hc.op']!({ method: 'GET', url: '/api/v1/audit' })).statusCode, 403, 'an operator has no audit.read');
      });
    });
  });
}
