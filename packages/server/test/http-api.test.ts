/**
 * The HTTP API end to end through `inject()`, on PGlite and on PostgreSQL: the device registry
 * (CRUD, listing with filters and folded search, bulk import), ingestion over `POST /iot/json`,
 * and reading the data back (latest values, series at every resolution).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { backends } from './support/databases.ts';
import { deviceInput } from './support/fixtures.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

/** The services' "now": 2026-11-25 10:00 in Đà Nẵng. */
const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;
const HOUR = 3_600_000;

const DEVICE_KEYS = ['apikey', 'attributes', 'createdAt', 'derived', 'hasAccessToken', 'id', 'location', 'name', 'sector', 'tokenCreatedAt', 'tokenLastUsedAt', 'type', 'unitCode', 'updatedAt'];

/** The listing fixtures: units 492 (wards 20233, 20236) and 493 (ward 20263). */
const LISTED = [
  deviceInput({ id: 'aq-cl', name: 'Trạm không khí Cẩm Lệ', unitCode: '20233', apikey: 'k-list' }),
  deviceInput({ id: 'aq-st', name: 'Trạm không khí Sơn Trà', unitCode: '20263', apikey: 'k-list' }),
  deviceInput({ id: 'rg-hc', type: 'rain_gauge', name: 'Trạm đo mưa Hải Châu', unitCode: '20236', apikey: 'k-list' }),
  deviceInput({ id: 'fd-ld', type: 'flood_depth', name: 'Cảm biến ngập đường Lê Duẩn', unitCode: '492', apikey: 'k-list' }),
  deviceInput({ id: 'tr-cr', type: 'traffic', name: 'Đếm xe cầu Rồng', unitCode: '20263', apikey: 'k-list' }),
];

const CSV_HEADER = 'id,type,name,lat,lon,unitCode,sector,apikey,accessToken,attributes';

for (const backend of await backends()) {
  describe(`HTTP API on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp;
    const now = NOW;

    const get = (url: string) => t.inject({ method: 'GET', url });
    const json = (method: 'POST' | 'PUT', url: string, payload: unknown) => t.inject({ method, url, payload: payload as object });
    const csv = (url: string, body: string) => t.inject({ method: 'POST', url, body, headers: { 'content-type': 'text/csv' } });
    const ids = async (query: string): Promise<string[]> => {
      const r = await get(`/api/v1/devices?${query}`);
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{ items: { id: string }[] }>().items.map((d) => d.id);
    };
    const total = async (): Promise<number> => (await get('/api/v1/devices?limit=1')).json<{ total: number }>().total;

    before(async () => {
      database = await backend.open();
      t = await buildTestApp(database, { clock: () => now });
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    describe('device listing', () => {
      before(async () => {
        for (const d of LISTED) assert.equal((await json('POST', '/api/v1/devices', d)).statusCode, 201);
      });

      it('lists every device, ordered by id, with the total', async () => {
        const r = await get('/api/v1/devices');
        assert.equal(r.statusCode, 200);
        const body = r.json();
        assert.deepEqual(body.items.map((d: { id: string }) => d.id), ['aq-cl', 'aq-st', 'fd-ld', 'rg-hc', 'tr-cr']);
        assert.equal(body.total, 5);
        assert.equal(body.limit, 100);
        assert.equal(body.offset, 0);
      });

      it('filters by org unit, including the units below it', async () => {
        assert.deepEqual(await ids('unit=492'), ['aq-cl', 'fd-ld', 'rg-hc'], 'the district and its wards');
        assert.deepEqual(await ids('unit=20233'), ['aq-cl']);
        assert.deepEqual(await ids('unit=493'), ['aq-st', 'tr-cr']);
        assert.equal((await ids('unit=48')).length, 5, 'the city holds everything');
      });

      it('filters by type, sector and API key, and combines filters', async () => {
        assert.deepEqual(await ids('type=air_quality'), ['aq-cl', 'aq-st']);
        assert.deepEqual(await ids('sector=transport'), ['tr-cr']);
        assert.deepEqual(await ids('sector=construction'), ['fd-ld']);
        assert.deepEqual(await ids('sector=health'), []);
        assert.deepEqual(await ids('apikey=k-list&type=rain_gauge'), ['rg-hc']);
        assert.deepEqual(await ids('unit=492&type=air_quality'), ['aq-cl']);
        assert.deepEqual(await ids('type=no_such_type'), []);
      });

      it('searches names and ids with or without Vietnamese diacritics', async () => {
        for (const q of ['Cẩm Lệ', 'cam le', 'CAM LE', 'cẩm lệ', ' cam le ']) assert.deepEqual(await ids(`q=${encodeURIComponent(q)}`), ['aq-cl'], q);
        for (const q of ['đường', 'duong', 'Lê Duẩn', 'le duan']) assert.deepEqual(await ids(`q=${encodeURIComponent(q)}`), ['fd-ld'], q);
        assert.deepEqual(await ids(`q=${encodeURIComponent('trạm')}`), ['aq-cl', 'aq-st', 'rg-hc']);
        assert.deepEqual(await ids(`q=${encodeURIComponent('cẩm')}`), ['aq-cl', 'fd-ld'], 'Cẩm and Cảm fold alike');
        assert.deepEqual(await ids('q=rg-'), ['rg-hc'], 'the id is searched too');
        assert.deepEqual(await ids(`q=${encodeURIComponent("x' OR '1'='1")}`), []);
        assert.deepEqual(await ids('q=%25'), [], '% is literal');
      });

      it('pages with limit and offset, the total counting every match', async () => {
        let r = (await get('/api/v1/devices?limit=2')).json();
        assert.deepEqual([r.items.map((d: { id: string }) => d.id), r.total, r.limit, r.offset], [['aq-cl', 'aq-st'], 5, 2, 0]);
        r = (await get('/api/v1/devices?limit=2&offset=2')).json();
        assert.deepEqual([r.items.map((d: { id: string }) => d.id), r.total], [['fd-ld', 'rg-hc'], 5]);
        r = (await get('/api/v1/devices?limit=2&offset=4')).json();
        assert.deepEqual([r.items.map((d: { id: string }) => d.id), r.total], [['tr-cr'], 5]);
        r = (await get('/api/v1/devices?offset=50')).json();
        assert.deepEqual([r.items, r.total], [[], 5]);
        r = (await get('/api/v1/devices?unit=492&limit=1&offset=1')).json();
        assert.deepEqual([r.items.map((d: { id: string }) => d.id), r.total], [['fd-ld'], 3]);
      });

      it('refuses bad query values with 400 naming the field', async () => {
        const cases: [string, string][] = [
          ['limit=0', 'limit'],
          ['limit=1001', 'limit'],
          ['limit=abc', 'limit'],
          ['limit=1.5', 'limit'],
          ['offset=-1', 'offset'],
          ['offset=x', 'offset'],
          ['sector=space', 'sector'],
          ['unit=999', 'unit'],
          [`unit=${'9'.repeat(33)}`, 'unit'],
          [`q=${'a'.repeat(201)}`, 'q'],
          [`type=${'t'.repeat(65)}`, 'type'],
        ];
        for (const [query, field] of cases) {
          const r = await get(`/api/v1/devices?${query}`);
          assert.equal(r.statusCode, 400, query);
          const body = r.json();
          assert.equal(body.code, 'IOC_ERR_VALIDATION', query);
          assert.deepEqual([...new Set(body.errors.map((e: { field: string }) => e.field))], [field], query);
        }
        const sector = (await get('/api/v1/devices?sector=space')).json();
        assert.equal(sector.errors.length, 1, 'one error for a union of literals, not one per literal');
        assert.match(sector.errors[0].message, /environment, transport/);
      });
    });

    it('refuses text PostgreSQL cannot store (NUL) with 400, never 500', async () => {
      for (const url of ['/api/v1/devices/a%00b', '/api/v1/devices?q=a%00', '/api/v1/devices?type=a%00', '/api/v1/users?q=%00']) {
        const r = await get(url);
        assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
        assert.equal(r.json().errors[0].reason, 'bad_character');
      }
      const r = await json('POST', '/api/v1/devices', deviceInput({ id: 'nul-1', name: 'a\u0000b' }));
      assert.equal(r.statusCode, 400, r.body);
    });

    describe('device CRUD', () => {
      it('creates a device (201) and never returns its access token', async () => {
        const token = 'tok-en_secret.1234';
        const r = await json('POST', '/api/v1/devices', deviceInput({ id: 'crud-1', accessToken: token, unitCode: '20236' }));
        assert.equal(r.statusCode, 201, r.body);
        assert.match(r.headers['content-type'] as string, /^application\/json/);
        const d = r.json();
        assert.deepEqual(Object.keys(d).sort(), DEVICE_KEYS);
        assert.equal(d.id, 'crud-1');
        assert.equal(d.sector, 'environment', 'the type default');
        assert.deepEqual(d.attributes.map((a: { name: string }) => a.name), ['pm25', 'pm10', 'no2', 'so2', 'co', 'o3']);
        assert.equal(d.hasAccessToken, true);
        assert.ok(!Number.isNaN(Date.parse(d.createdAt)) && !Number.isNaN(Date.parse(d.updatedAt)));
        assert.ok(!r.body.includes(token), 'the token is not in the response');

        const g = await get('/api/v1/devices/crud-1');
        assert.equal(g.statusCode, 200);
        assert.deepEqual(g.json(), d);
        assert.ok(!g.body.includes(token));
        const l = await get('/api/v1/devices?q=crud-1');
        assert.ok(!l.body.includes(token) && !l.body.includes('accessToken'));
      });

      it('refuses a second device with the same id (409)', async () => {
        const r = await json('POST', '/api/v1/devices', deviceInput({ id: 'crud-1' }));
        assert.equal(r.statusCode, 409);
        const body = r.json();
        assert.equal(body.code, 'IOC_ERR_DEVICE_EXISTS');
        assert.deepEqual(body.errors.map((e: { field: string; reason: string }) => [e.field, e.reason]), [['id', 'exists']]);
      });

      it('replaces a device (200), keeping its token when none is given', async () => {
        const before = (await get('/api/v1/devices/crud-1')).json();
        const { id: _, ...noId } = deviceInput({ name: 'Đổi tên', unitCode: '20263' });
        const r = await json('PUT', '/api/v1/devices/crud-1', noId);
        assert.equal(r.statusCode, 200, r.body);
        const d = r.json();
        assert.equal(d.id, 'crud-1', 'the id comes from the path');
        assert.equal(d.name, 'Đổi tên');
        assert.equal(d.unitCode, '20263');
        assert.equal(d.hasAccessToken, true);
        assert.equal(d.createdAt, before.createdAt);
        assert.ok(Date.parse(d.updatedAt) >= Date.parse(before.updatedAt));
        assert.deepEqual((await get('/api/v1/devices/crud-1')).json(), d);

        const same = await json('PUT', '/api/v1/devices/crud-1', deviceInput({ id: 'crud-1', name: 'Tên mới' }));
        assert.equal(same.statusCode, 200, 'an id equal to the path is fine');
      });

      it('refuses a PUT whose body id differs from the path (400), and a PUT of an unknown device (404)', async () => {
        const r = await json('PUT', '/api/v1/devices/crud-1', deviceInput({ id: 'other' }));
        assert.equal(r.statusCode, 400);
        assert.deepEqual(r.json().errors.map((e: { field: string; reason: string }) => [e.field, e.reason]), [['id', 'mismatch']]);
        assert.equal((await get('/api/v1/devices/other')).statusCode, 404, 'nothing created under the body id');
        assert.equal((await get('/api/v1/devices/crud-1')).json().name, 'Tên mới', 'nothing changed');

        const { id: _, ...noId } = deviceInput();
        const n = await json('PUT', '/api/v1/devices/nope', noId);
        assert.equal(n.statusCode, 404);
        assert.equal(n.json().code, 'IOC_ERR_DEVICE_NOT_FOUND');
        assert.equal((await get('/api/v1/devices/nope')).statusCode, 404, 'PUT does not create');
      });

      it('deletes a device (204, empty body), then 404 for it', async () => {
        const r = await t.inject({ method: 'DELETE', url: '/api/v1/devices/crud-1' });
        assert.equal(r.statusCode, 204);
        assert.equal(r.body, '');
        const g = await get('/api/v1/devices/crud-1');
        assert.equal(g.statusCode, 404);
        assert.equal(g.json().code, 'IOC_ERR_DEVICE_NOT_FOUND');
        assert.equal((await t.inject({ method: 'DELETE', url: '/api/v1/devices/crud-1' })).statusCode, 404);
        assert.equal((await json('POST', '/iot/json?k=key-aq&i=crud-1', { pm25: 1 })).statusCode, 401, 'ingestion forgets it at once');
      });
    });

    describe('bulk import', () => {
      const good = [
        CSV_HEADER,
        'imp-1,rain_gauge,Trạm mưa Hòa Khánh,16.07,108.15,20233,,k-imp,,',
        'imp-2,weather,"Trạm khí tượng, Sơn Trà",16.1,108.25,20263,environment,k-imp,imp-token-2,temp:°C:-10:50:60|rh:%:0:100:60',
        'imp-3,air_quality,Trạm không khí Ngũ Hành Sơn,16.0,108.25,20236,,k-imp,,',
      ].join('\n');

      it('checks a CSV file without importing it (dryRun)', async () => {
        const n = await total();
        const r = await csv('/api/v1/devices/import?dryRun=true', good);
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json(), { imported: 3, created: 3, updated: 0, dryRun: true });
        assert.equal(await total(), n, 'nothing imported');
        assert.equal((await get('/api/v1/devices/imp-1')).statusCode, 404);
      });

      it('imports a CSV file, custom attributes and tokens included', async () => {
        const n = await total();
        const r = await csv('/api/v1/devices/import?dryRun=false', good);
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json(), { imported: 3, created: 3, updated: 0, dryRun: false });
        assert.equal(await total(), n + 3);
        const d2 = (await get('/api/v1/devices/imp-2')).json();
        assert.equal(d2.name, 'Trạm khí tượng, Sơn Trà');
        assert.equal(d2.hasAccessToken, true);
        assert.deepEqual(d2.attributes, [
          { name: 'temp', unit: '°C', min: -10, max: 50, periodS: 60 },
          { name: 'rh', unit: '%', min: 0, max: 100, periodS: 60 },
        ]);
        assert.equal((await json('POST', '/iot/json?k=k-imp&i=imp-2', { temp: 31.5, rh: 80 })).statusCode, 200, 'imported devices can send at once');
      });

      it('refuses ids that exist in insert mode (422, every row listed), and nothing is imported', async () => {
        const n = await total();
        const file = [CSV_HEADER, 'imp-4,rain_gauge,Mới,16,108,20233,,k-imp,,', 'imp-1,rain_gauge,Cũ,16,108,20233,,k-imp,,'].join('\n');
        const r = await csv('/api/v1/devices/import', file);
        assert.equal(r.statusCode, 422, r.body);
        assert.equal(r.json().code, 'IOC_ERR_DEVICE_IMPORT');
        assert.deepEqual(r.json().errors.map((e: { row: number; field: string; reason: string }) => [e.row, e.field, e.reason]), [[2, 'id', 'exists']]);
        assert.equal(await total(), n);
        assert.equal((await get('/api/v1/devices/imp-4')).statusCode, 404);
      });

      it('replaces existing devices in upsert mode', async () => {
        const n = await total();
        const file = [CSV_HEADER, 'imp-4,rain_gauge,Mới,16,108,20233,,k-imp,,', 'imp-1,rain_gauge,Tên mới,16,108,20233,,k-imp,,'].join('\n');
        const r = await csv('/api/v1/devices/import?mode=upsert', file);
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json(), { imported: 2, created: 1, updated: 1, dryRun: false });
        assert.equal(await total(), n + 1);
        assert.equal((await get('/api/v1/devices/imp-1')).json().name, 'Tên mới');
      });

      it('imports JSON: an array, or {"devices": [...]}', async () => {
        let r = await json('POST', '/api/v1/devices/import', [deviceInput({ id: 'imp-j1', apikey: 'k-imp' }), deviceInput({ id: 'imp-j2', apikey: 'k-imp' })]);
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json(), { imported: 2, created: 2, updated: 0, dryRun: false });
        r = await json('POST', '/api/v1/devices/import?dryRun=true', { devices: [deviceInput({ id: 'imp-j3', apikey: 'k-imp' })] });
        assert.deepEqual(r.json(), { imported: 1, created: 1, updated: 0, dryRun: true });
        r = await json('POST', '/api/v1/devices/import', { devices: [deviceInput({ id: 'imp-j3', apikey: 'k-imp' })] });
        assert.deepEqual(r.json(), { imported: 1, created: 1, updated: 0, dryRun: false });
        assert.deepEqual(await ids('apikey=k-imp&q=imp-j'), ['imp-j1', 'imp-j2', 'imp-j3']);
      });

      it('refuses a file with bad rows as a whole, listing every problem with row and field (422)', async () => {
        const n = await total();
        const file = [
          CSV_HEADER,
          'bad-1,rain_gauge,Hàng tốt,16,108,20233,,k-imp,,', // row 1: fine, but not imported either
          'bad-2,rain_gauge,Vĩ độ sai,95,108,20233,,k-imp,,', // row 2: lat out of range
          'bad-3,rain_gauge,Đơn vị lạ,16,108,99999,,k-imp,,', // row 3: unknown unit
          'bad-4,rain_gauge,,16,108,20233,,k-imp,,', // row 4: no name
          'bad-1,rain_gauge,Trùng mã,16,108,20233,,k-imp,,', // row 5: duplicate of row 1
          'bad 6,rain_gauge,Mã sai,16,108,20233,space,k-imp,short,', // row 6: bad id, sector, token
          'bad-7,weather,Không thuộc tính,16,108,20233,environment,k-imp,,', // row 7: unknown type without attributes
          'bad-8,weather,Thuộc tính sai,16,108,20233,environment,k-imp,,t:°C:50:10:60', // row 8: min >= max
        ].join('\n');
        const r = await csv('/api/v1/devices/import', file);
        assert.equal(r.statusCode, 422, r.body);
        const body = r.json();
        assert.equal(body.code, 'IOC_ERR_DEVICE_IMPORT');
        assert.deepEqual(body.title, { vi: 'Tệp nhập thiết bị có lỗi, không dòng nào được nhập', en: 'Device import has errors; nothing was imported' });
        const got = body.errors.map((e: { row: number; field: string; reason: string }) => `${e.row} ${e.field} ${e.reason}`).sort();
        assert.deepEqual(got, [
          '2 location/lat out_of_range',
          '3 unitCode unknown_unit',
          '4 name required',
          '5 id duplicate',
          '6 accessToken bad_format',
          '6 id bad_format',
          '6 sector bad_value',
          '7 attributes required',
          '8 attributes/0/max out_of_range',
        ]);
        for (const e of body.errors) assert.ok(typeof e.message === 'string' && e.message.length > 0);
        assert.equal(await total(), n, 'nothing imported');
        assert.equal((await get('/api/v1/devices/bad-1')).statusCode, 404, 'not even the good row');
        // The same with dryRun: the same answer.
        assert.deepEqual((await csv('/api/v1/devices/import?dryRun=true', file)).json().errors.length, body.errors.length);
      });

      it('refuses duplicate ids within a JSON file and unknown unit codes', async () => {
        const n = await total();
        let r = await json('POST', '/api/v1/devices/import', [deviceInput({ id: 'dup-1' }), deviceInput({ id: 'dup-2' }), deviceInput({ id: 'dup-1' })]);
        assert.equal(r.statusCode, 422);
        assert.deepEqual(r.json().errors.map((e: { row: number; field: string; reason: string }) => [e.row, e.field, e.reason]), [[3, 'id', 'duplicate']]);
        assert.match(r.json().errors[0].message, /row 1/);
        r = await json('POST', '/api/v1/devices/import?mode=upsert', [deviceInput({ id: 'dup-1', unitCode: 'nowhere' })]);
        assert.equal(r.statusCode, 422);
        assert.deepEqual(r.json().errors.map((e: { row: number; field: string; reason: string }) => [e.row, e.field, e.reason]), [[1, 'unitCode', 'unknown_unit']]);
        assert.equal(await total(), n);
      });

      it('refuses unreadable files and bad options', async () => {
        let r = await csv('/api/v1/devices/import', 'id,name\nx,y\n');
        assert.equal(r.statusCode, 422);
        assert.deepEqual(r.json().errors.map((e: { field: string; reason: string }) => `${e.field} ${e.reason}`).sort(), ['apikey missing_column', 'lat missing_column', 'lon missing_column', 'type missing_column', 'unitCode missing_column']);
        r = await json('POST', '/api/v1/devices/import', { device: [] });
        assert.equal(r.statusCode, 422);
        assert.equal(r.json().errors[0].reason, 'wrong_type');
        for (const [query, field] of [['mode=merge', 'mode'], ['dryRun=maybe', 'dryRun']]) {
          r = await csv(`/api/v1/devices/import?${query}`, good);
          assert.equal(r.statusCode, 400, query);
          assert.deepEqual(r.json().errors.map((e: { field: string }) => e.field), [field]);
        }
        r = await t.inject({ method: 'POST', url: '/api/v1/devices/import', body: good, headers: { 'content-type': 'application/xml' } });
        assert.equal(r.statusCode, 415);
        assert.equal(r.json().code, 'IOC_ERR_UNSUPPORTED_MEDIA_TYPE');
      });
    });

    describe('ingestion and queries', () => {
      const T1 = Date.UTC(2026, 10, 25, 1, 0, 0);
      const post = (payload: unknown, id = 'ing-aq') => json('POST', `/iot/json?k=k-ing&i=${id}`, payload);

      before(async () => {
        assert.equal((await json('POST', '/api/v1/devices', deviceInput({ id: 'ing-aq', apikey: 'k-ing', unitCode: '20233' }))).statusCode, 201);
        assert.equal((await json('POST', '/api/v1/devices', deviceInput({ id: 'ing-tr', type: 'traffic', name: 'Đếm xe', apikey: 'k-ing', unitCode: '20263' }))).statusCode, 201);
      });

      it('stores one object at the reception instant; it is queryable as soon as the 200 arrives', async () => {
        const r = await post({ pm25: 12.5, pm10: 30 });
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json(), { accepted: 2 });
        const l = await get('/api/v1/latest?device=ing-aq');
        assert.equal(l.statusCode, 200);
        const [item] = l.json().items;
        assert.deepEqual(item, {
          deviceId: 'ing-aq',
          type: 'air_quality',
          name: 'Trạm không khí Cẩm Lệ',
          unitCode: '20233',
          sector: 'environment',
          location: { lat: 16.02, lon: 108.2 },
          values: { pm25: { value: 12.5, ts: iso(NOW), unit: 'µg/m³' }, pm10: { value: 30, ts: iso(NOW), unit: 'µg/m³' } },
        });
      });

      it('takes TimeInstant with an offset, and keeps the later value as the latest', async () => {
        // 09:59 in Đà Nẵng is 02:59Z, before the reading at NOW.
        const r = await post({ pm25: 99, TimeInstant: '2026-11-25T09:59:00+07:00' });
        assert.equal(r.statusCode, 200, r.body);
        const raw = (await get(`/api/v1/devices/ing-aq/series/pm25?from=${iso(NOW - HOUR)}&to=${iso(NOW + 1)}`)).json();
        assert.deepEqual(raw.points, [
          { ts: iso(NOW - MIN), value: 99 },
          { ts: iso(NOW), value: 12.5 },
        ]);
        const [item] = (await get('/api/v1/latest?device=ing-aq')).json().items;
        assert.equal(item.values.pm25.value, 12.5);
      });

      it('stores an array batch whole and reads it back raw, per minute and per hour', async () => {
        // pm10 every 20 s from 01:00:00Z: 0, 10, …, 80; and one reading at 02:30Z.
        const batch: Record<string, unknown>[] = [];
        for (let i = 0; i < 9; i++) batch.push({ pm10: i * 10, TimeInstant: iso(T1 + i * 20_000) });
        batch.push({ pm10: 5, no2: 7, TimeInstant: '2026-11-25T09:30:00+07:00' });
        const r = await post(batch);
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(r.json(), { accepted: 11 });

        const url = (q: string) => `/api/v1/devices/ing-aq/series/pm10?${q}`;
        let s = (await get(url(`from=${iso(T1)}&to=${iso(T1 + 2 * MIN)}`))).json();
        assert.deepEqual(
          { ...s, points: s.points.map((p: { value: number }) => p.value) },
          { deviceId: 'ing-aq', attr: 'pm10', unit: 'µg/m³', resolution: 'raw', from: iso(T1), to: iso(T1 + 2 * MIN), points: [0, 10, 20, 30, 40, 50] },
          'raw, half-open range',
        );
        assert.deepEqual(s.points[1], { ts: iso(T1 + 20_000), value: 10 });

        s = (await get(url(`from=${iso(T1)}&to=${iso(T1 + HOUR)}&resolution=1m`))).json();
        assert.equal(s.resolution, '1m');
        assert.deepEqual(s.points, [
          { ts: iso(T1), value: 20, count: 3, min: 0, max: 20, avg: 10 },
          { ts: iso(T1 + MIN), value: 50, count: 3, min: 30, max: 50, avg: 40 },
          { ts: iso(T1 + 2 * MIN), value: 80, count: 3, min: 60, max: 80, avg: 70 },
        ]);

        s = (await get(url(`from=2026-11-25T08:00:00%2B07:00&to=2026-11-25T10:00:00%2B07:00&resolution=1h`))).json();
        assert.equal(s.from, iso(T1));
        assert.deepEqual(s.points, [
          { ts: iso(T1), value: 80, count: 9, min: 0, max: 80, avg: 40 },
          { ts: iso(T1 + HOUR), value: 5, count: 1, min: 5, max: 5, avg: 5 },
        ]);

        // Defaults: to = now (exclusive: the reading at NOW is not in), from = 24 h before.
        s = (await get(url('resolution=1h'))).json();
        assert.deepEqual([s.from, s.to, s.points.length], [iso(NOW - 24 * HOUR), iso(NOW), 2]);
        s = (await get(url(`from=${iso(T1)}&to=${iso(NOW)}&limit=2`))).json();
        assert.equal(s.points.length, 2, 'limit');
      });

      it('filters latest values by unit, type, sector and device', async () => {
        assert.equal((await post({ speed: 42, vehicles: 12 }, 'ing-tr')).statusCode, 200);
        const latest = async (q: string) => {
          const r = await get(`/api/v1/latest?${q}`);
          assert.equal(r.statusCode, 200, r.body);
          return r.json().items.map((i: { deviceId: string }) => i.deviceId).filter((id: string) => id.startsWith('ing-'));
        };
        assert.deepEqual(await latest(''), ['ing-aq', 'ing-tr']);
        assert.deepEqual(await latest('unit=492'), ['ing-aq']);
        assert.deepEqual(await latest('unit=493'), ['ing-tr']);
        assert.deepEqual(await latest('type=traffic'), ['ing-tr']);
        assert.deepEqual(await latest('sector=environment'), ['ing-aq']);
        assert.deepEqual(await latest('device=ing-tr'), ['ing-tr']);
        assert.deepEqual(await latest('device=ing-tr&sector=environment'), []);
        const [tr] = (await get('/api/v1/latest?device=ing-tr')).json().items;
        assert.deepEqual(tr.values, { speed: { value: 42, ts: iso(NOW), unit: 'km/h' }, vehicles: { value: 12, ts: iso(NOW), unit: 'veh/min' } });
        const [aq] = (await get('/api/v1/latest?device=ing-aq')).json().items;
        // Measured attributes never reported (o3, co, so2) are absent; derived indices (aqi_*) appear as their hours close.
        assert.deepEqual(Object.keys(aq.values).filter((k) => !k.startsWith('aqi')).sort(), ['no2', 'pm10', 'pm25'], 'attributes never reported are absent');
      });

      it('answers every concurrent request only after its readings are committed', async () => {
        const base = Date.UTC(2026, 10, 24, 0, 0, 0);
        const rs = await Promise.all(Array.from({ length: 25 }, (_, i) => post({ o3: i, TimeInstant: iso(base + i * 1000) })));
        assert.deepEqual(rs.map((r) => r.statusCode), Array(25).fill(200));
        const s = (await get(`/api/v1/devices/ing-aq/series/o3?from=${iso(base)}&to=${iso(base + MIN)}`)).json();
        assert.deepEqual(s.points.map((p: { value: number }) => p.value), Array.from({ length: 25 }, (_, i) => i));
      });

      it('serves the latest values from the database after a restart, as they were', async () => {
        const before = (await get('/api/v1/latest')).json().items;
        const restarted = await buildTestApp(database, { clock: () => now });
        try {
          const r = await restarted.inject({ method: 'GET', url: '/api/v1/latest' });
          assert.deepEqual(r.json().items, before);
        } finally {
          await restarted.close();
        }
      });

      it('counts what it accepted', async () => {
        const text = (await get('/metrics')).body;
        assert.match(text, /^ioc_readings_accepted_total\{transport="http"\} (\d+)$/m);
        const n = Number(/^ioc_readings_accepted_total\{transport="http"\} (\d+)$/m.exec(text)![1]);
        assert.equal(n, 2 + 2 + 1 + 11 + 2 + 25, 'every reading stored over HTTP in this file');
      });
    });
  });
}
