/**
 * The org tree as configuration: presets (2023 → 2025 with the old→new mapping), the admin API
 * (add, rename, move, retire, delete only when unused), on PGlite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { loadOrgPreset } from '../src/config/org-presets.ts';
import { backends } from './support/databases.ts';
import { deviceInput } from './support/fixtures.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

for (const backend of await backends()) {
  describe(`org tree on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp;
    const get = (url: string) => t.inject({ method: 'GET', url });
    const send = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => t.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    const deviceIds = async (q: string) => ((await get(`/api/v1/devices?${q}`)).json().items as { id: string }[]).map((d) => d.id).sort();

    before(async () => {
      database = await backend.open();
      t = await buildTestApp(database);
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    describe('presets', () => {
      it('applies danang-2023 once: 64 units with the district geometry; a second start adds nothing and keeps edits', async () => {
        const first = await t.services.units.applyPreset(await loadOrgPreset('danang-2023'));
        assert.equal(first.changed, true);
        const units = (await get('/api/v1/units')).json().items as { code: string; kind: string; hasGeometry: boolean; sector: string | null }[];
        for (const code of ['48', '490', '497', '498', '20194', '20332', '48-health', '48-police']) assert.ok(units.some((u) => u.code === code), code);
        assert.equal(units.filter((u) => u.kind === 'sector_oc').length, 8);
        assert.equal(units.find((u) => u.code === '48-health')?.sector, 'health');
        const hc = (await get('/api/v1/units/492')).json();
        assert.equal(hc.unit.hasGeometry, true);
        assert.equal(hc.geometry.type, 'Polygon');

        const r = await send('PUT', '/api/v1/units/20227', { code: '20227', name: { vi: 'Phường Thanh Bình (đã sửa)', en: 'Thanh Binh Ward (edited)' }, kind: 'ward', parent: '492' });
        assert.equal(r.statusCode, 200, r.body);
        const again = await t.services.units.applyPreset(await loadOrgPreset('danang-2023'));
        assert.deepEqual([again.changed, again.added], [false, 0]);
        assert.equal((await get('/api/v1/units/20227')).json().unit.name.vi, 'Phường Thanh Bình (đã sửa)', 'an admin edit survives a restart');
      });

      it('moves to danang-2025: old units retire with successors, and their records are found under the new units', async () => {
        for (const [id, unitCode] of [['dev-tb', '20227'], ['dev-tt', '20233'], ['dev-hl', '20296'], ['dev-st', '20263']] as const) {
          assert.equal((await send('POST', '/api/v1/devices', deviceInput({ id, unitCode, apikey: 'k-org' }))).statusCode, 201);
        }
        const moved = await t.services.units.applyPreset(await loadOrgPreset('danang-2025'));
        assert.equal(moved.changed, true);

        const active = (await get('/api/v1/units')).json().items as { code: string }[];
        assert.ok(!active.some((u) => u.code === '20227'), 'Thanh Bình is no longer active');
        const all = (await get('/api/v1/units?status=all')).json().items as { code: string; status: string; successor: string | null; name: { vi: string } }[];
        assert.deepEqual(
          (({ status, successor }) => ({ status, successor }))(all.find((u) => u.code === '20227')!),
          { status: 'retired', successor: '20242' },
        );
        assert.equal(all.find((u) => u.code === '20242')!.name.vi, 'Phường Hải Châu', 'the code now names the new ward');
        assert.equal(all.find((u) => u.code === '492')!.status, 'retired');

        // Phường Hải Châu (2025) covers Thanh Bình and Thạch Thang (2023).
        assert.deepEqual(await deviceIds('unit=20242'), ['dev-tb', 'dev-tt']);
        // Hòa Liên was split: its records go to the first successor, Hải Vân (20194).
        assert.deepEqual(await deviceIds('unit=20194'), ['dev-hl']);
        assert.deepEqual(await deviceIds('unit=20263'), ['dev-st']);
        const latest = (await get('/api/v1/latest?unit=20242')).json().items as { deviceId: string }[];
        assert.deepEqual(latest.map((d) => d.deviceId).sort(), ['dev-tb', 'dev-tt']);
        // The old district still finds its old records (history by the old code).
        assert.deepEqual(await deviceIds('unit=492'), ['dev-tb', 'dev-tt']);

        // A user scoped to the new ward sees the records stored under the old codes.
        const user = await send('POST', '/api/v1/users', { username: 'hc.2025', displayName: 'Phường Hải Châu', unitCode: '20242', password: 'Phuong-Hai-Chau-2025', assignments: [{ role: 'oc_operator', unitCode: '20242' }] });
        assert.equal(user.statusCode, 201, user.body);
        const { token } = await t.services.auth.login('hc.2025', 'Phuong-Hai-Chau-2025', { kind: 'bearer' });
        const mine = await t.app.inject({ method: 'GET', url: '/api/v1/devices', headers: { authorization: `Bearer ${token}` } });
        assert.deepEqual((mine.json().items as { id: string }[]).map((d) => d.id).sort(), ['dev-tb', 'dev-tt']);

        // New records go to active units only.
        const r = await send('POST', '/api/v1/devices', deviceInput({ id: 'dev-new', unitCode: '20227', apikey: 'k-org' }));
        assert.equal(r.statusCode, 400);
        assert.equal(r.json().errors[0].reason, 'retired_unit');
        assert.match(r.json().errors[0].message, /20242/);
      });
    });

    describe('admin API', () => {
      const unit = (code: string, over: Record<string, unknown> = {}) => ({ code, name: { vi: `Đơn vị ${code}`, en: `Unit ${code}` }, kind: 'agency', parent: '48', ...over });

      it('adds a unit (201) and refuses duplicates, bad kinds, sectors and parents, naming the field', async () => {
        assert.equal((await send('POST', '/api/v1/units', unit('48-cdc'))).statusCode, 201);
        assert.equal((await send('POST', '/api/v1/units', unit('48-cdc'))).statusCode, 409);
        const cases: [Record<string, unknown>, string][] = [
          [unit('x1', { kind: 'castle' }), 'kind'],
          [unit('x2', { kind: 'sector_oc' }), 'sector'],
          [unit('x3', { sector: 'health' }), 'sector'],
          [unit('x4', { parent: 'nowhere' }), 'parent'],
          [unit('x5', { parent: '20227' }), 'parent'], // retired
          [unit('bad code!'), 'code'],
          [unit('x6', { name: { vi: '', en: 'x' } }), 'name/vi'],
          [unit('x7', { geometry: { type: 'Point', coordinates: [108, 16] } }), 'geometry'],
        ];
        for (const [body, field] of cases) {
          const r = await send('POST', '/api/v1/units', body);
          assert.equal(r.statusCode, 400, `${JSON.stringify(body)} → ${r.body}`);
          assert.ok((r.json().errors as { field: string }[]).some((e) => e.field === field), `${field} named in ${r.body}`);
        }
      });

      it('renames and moves a unit, but never below itself', async () => {
        assert.equal((await send('POST', '/api/v1/units', unit('48-cdc-lab', { parent: '48-cdc' }))).statusCode, 201);
        const r = await send('PUT', '/api/v1/units/48-cdc', unit('48-cdc', { parent: '48-cdc-lab' }));
        assert.equal(r.statusCode, 400);
        assert.equal(r.json().errors[0].reason, 'cycle');
        const ok = await send('PUT', '/api/v1/units/48-cdc', unit('48-cdc', { name: { vi: 'Trung tâm Kiểm soát bệnh tật', en: 'Centre for Disease Control' } }));
        assert.equal(ok.statusCode, 200, ok.body);
        assert.equal(ok.json().name.en, 'Centre for Disease Control');
      });

      it('deletes only an unused unit; one with devices or units below it can only be retired', async () => {
        assert.equal((await send('DELETE', '/api/v1/units/48-cdc')).statusCode, 409, 'has a unit below it');
        assert.equal((await send('DELETE', '/api/v1/units/48-cdc-lab')).statusCode, 204);
        assert.equal((await send('DELETE', '/api/v1/units/48-cdc-lab')).statusCode, 404);
        const inUse = await send('DELETE', '/api/v1/units/20242');
        assert.equal(inUse.statusCode, 409);
        assert.equal(inUse.json().code, 'IOC_ERR_UNIT_IN_USE');
      });

      it('retires a unit into a successor: its devices are then found there', async () => {
        assert.equal((await send('POST', '/api/v1/units', unit('20999', { kind: 'ward', parent: '48' }))).statusCode, 201);
        assert.equal((await send('POST', '/api/v1/devices', deviceInput({ id: 'dev-999', unitCode: '20999', apikey: 'k-org' }))).statusCode, 201);
        assert.equal((await send('POST', '/api/v1/units/20999/retire', { successor: '20999' })).statusCode, 400, 'not into itself');
        assert.equal((await send('POST', '/api/v1/units/20999/retire', { successor: 'nope' })).statusCode, 400);
        const r = await send('POST', '/api/v1/units/20999/retire', { successor: '20275' });
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual([r.json().status, r.json().successor], ['retired', '20275']);
        assert.ok((await deviceIds('unit=20275')).includes('dev-999'));
        assert.equal((await send('POST', '/api/v1/units/20999/retire', { successor: '20275' })).statusCode, 409, 'retired already');
        assert.equal((await send('POST', '/api/v1/units/48/retire', { successor: '20275' })).statusCode, 400, 'not the root');
      });

      it('records every change in the audit log', async () => {
        const actions = ((await get('/api/v1/audit?action=unit.*&limit=100')).json().items as { action: string }[]).map((e) => e.action);
        for (const a of ['unit.preset_apply', 'unit.create', 'unit.update', 'unit.delete', 'unit.retire']) assert.ok(actions.includes(a), a);
      });
    });
  });
}
