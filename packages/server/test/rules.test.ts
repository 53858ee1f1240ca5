/**
 * Warning rules over HTTP, on PGlite and on PostgreSQL: create, read, list and search, replace as
 * new versions with optimistic concurrency, enable and disable, delete softly; validation errors
 * naming their field; scope (a district operator never sees or manages another district's rules, a
 * sector operator only its sector's); every change audited and reported to the engine (onChange).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { backends } from './support/databases.ts';
import { buildEarlyWarningApp, type EarlyWarningTestApp } from './support/early-warning.ts';
import { bearer, createPerson, type Send, tokenFor } from './support/identity.ts';

/** The services' "now": 2026-11-25 10:00 in Đà Nẵng. */
const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** A river-level threshold rule with hysteresis, with overrides. */
const riverRule = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: { vi: 'Mực nước sông Hàn vượt báo động 2', en: 'Han river above alarm level 2' },
  unitCode: '492',
  sector: 'environment',
  deviceType: 'river_level',
  condition: { kind: 'threshold', attr: 'level', op: '>=', raise: 2.0, clear: 1.8 },
  severity: 'major',
  severitySteps: [{ value: 2.5, severity: 'critical' }],
  ...over,
});

interface View {
  id: string;
  version: number;
  enabled: boolean;
  unitCode: string;
  sector: string | null;
  name: { vi: string; en: string };
  condition: Record<string, unknown>;
  activeFrom: string;
  createdBy: string | null;
}
const fields = (r: LightMyRequestResponse) => (r.json<{ errors?: { field: string; reason: string }[] }>().errors ?? []).map((e) => `${e.field} ${e.reason}`);

for (const backend of await backends()) {
  describe(`warning rules on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let t: EarlyWarningTestApp;
    let admin: Send;
    let clock = NOW;
    const as: Record<string, Send> = {};

    const create = async (send: Send, body: Record<string, unknown>): Promise<View> => {
      const r = await send({ method: 'POST', url: '/api/v1/rules', payload: body });
      assert.equal(r.statusCode, 201, r.body);
      return r.json<View>();
    };

    before(async () => {
      database = await backend.open();
      t = await buildEarlyWarningApp(database, { clock: () => clock });
      admin = (o) => t.inject(o);
      const people: [string, string, Parameters<typeof createPerson>[3]][] = [
        ['hc.op', '492', [{ role: 'oc_operator', unitCode: '492' }]],
        ['st.op', '493', [{ role: 'oc_operator', unitCode: '493' }]],
        ['env.op', '48', [{ role: 'oc_operator', unitCode: '48', sector: 'environment' }]],
        ['hc.analyst', '492', [{ role: 'analyst', unitCode: '492' }]],
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

    describe('CRUD and versions', () => {
      it('creates a rule with a readable generated id, version 1, active from now', async () => {
        const v = await create(admin, riverRule());
        assert.match(v.id, /^muc-nuoc-song-han-vuot-bao-dong-2-[0-9a-z]{6}$/);
        assert.equal(v.version, 1);
        assert.equal(v.enabled, true);
        assert.equal(v.activeFrom, iso(NOW));
        assert.equal(v.createdBy, 'admin');
        assert.deepEqual(v.condition, { kind: 'threshold', attr: 'level', op: '>=', raise: 2.0, clear: 1.8 });
        const got = await admin({ method: 'GET', url: `/api/v1/rules/${v.id}` });
        assert.equal(got.statusCode, 200, got.body);
        assert.deepEqual(got.json(), v);
        assert.equal((v as unknown as { per: string; route: string; reopenMinutes: number }).per, 'device', 'defaults are filled in');
        assert.ok(t.changes.includes(v.id), 'the engine is told');
      });

      it('keeps a given id and refuses it twice (409 naming id)', async () => {
        const v = await create(admin, riverRule({ id: 'hc-river-bd2' }));
        assert.equal(v.id, 'hc-river-bd2');
        const again = await admin({ method: 'POST', url: '/api/v1/rules', payload: riverRule({ id: 'hc-river-bd2' }) });
        assert.equal(again.statusCode, 409, again.body);
        assert.deepEqual(fields(again), ['id exists']);
      });

      it('replaces as the next version, keeps every version, and refuses a stale version (409)', async () => {
        const v1 = await create(admin, riverRule({ id: 'hc-river-versions' }));
        clock = NOW + 60_000;
        const changesBefore = t.changes.length;
        const put = await admin({ method: 'PUT', url: `/api/v1/rules/${v1.id}`, payload: { ...riverRule({ condition: { kind: 'threshold', attr: 'level', op: '>=', raise: 2.2, clear: 2.0 } }), version: 1 } });
        assert.equal(put.statusCode, 200, put.body);
        const v2 = put.json<View>();
        assert.deepEqual([v2.version, v2.activeFrom, v2.condition.raise], [2, iso(NOW + 60_000), 2.2]);
        assert.deepEqual(t.changes.slice(changesBefore), [v1.id]);

        const stale = await admin({ method: 'PUT', url: `/api/v1/rules/${v1.id}`, payload: { ...riverRule(), version: 1 } });
        assert.equal(stale.statusCode, 409, stale.body);
        assert.equal(stale.json<{ code: string }>().code, 'IOC_ERR_CONFLICT');
        assert.deepEqual(fields(stale), ['version stale']);
        const missing = await admin({ method: 'PUT', url: `/api/v1/rules/${v1.id}`, payload: riverRule() });
        assert.equal(missing.statusCode, 400, missing.body);
        assert.deepEqual(fields(missing), ['version required']);
        const mismatch = await admin({ method: 'PUT', url: `/api/v1/rules/${v1.id}`, payload: { ...riverRule(), id: 'other', version: 2 } });
        assert.deepEqual([mismatch.statusCode, fields(mismatch)], [400, ['id mismatch']]);

        const versions = await admin({ method: 'GET', url: `/api/v1/rules/${v1.id}/versions` });
        assert.equal(versions.statusCode, 200, versions.body);
        assert.deepEqual(versions.json(), { id: v1.id, items: [{ version: 2, activeFrom: iso(NOW + 60_000), createdBy: 'admin' }, { version: 1, activeFrom: iso(NOW), createdBy: 'admin' }] });
        const old = await admin({ method: 'GET', url: `/api/v1/rules/${v1.id}/versions/1` });
        assert.equal(old.statusCode, 200, old.body);
        assert.equal(old.json<View>().condition.raise, 2.0, 'version 1 as it was');
        assert.equal((await admin({ method: 'GET', url: `/api/v1/rules/${v1.id}/versions/3` })).statusCode, 404);
        clock = NOW;
      });

      it('loses no update when two editors save from the same version at once', async () => {
        const v = await create(admin, riverRule({ id: 'hc-river-race' }));
        const [a, b] = await Promise.all(
          [2.3, 2.4].map((raise) => admin({ method: 'PUT', url: `/api/v1/rules/${v.id}`, payload: { ...riverRule({ condition: { kind: 'threshold', attr: 'level', op: '>=', raise, clear: 2.0 } }), version: 1 } })),
        );
        assert.deepEqual([a!.statusCode, b!.statusCode].sort(), [200, 409]);
        const versions = (await admin({ method: 'GET', url: `/api/v1/rules/${v.id}/versions` })).json<{ items: unknown[] }>().items;
        assert.equal(versions.length, 2);
      });

      it('enables and disables as new versions; the same state twice changes nothing', async () => {
        const v = await create(admin, riverRule({ id: 'hc-river-toggle' }));
        const off = await admin({ method: 'POST', url: `/api/v1/rules/${v.id}/disable?version=1` });
        assert.equal(off.statusCode, 200, off.body);
        assert.deepEqual([off.json<View>().enabled, off.json<View>().version], [false, 2]);
        const again = await admin({ method: 'POST', url: `/api/v1/rules/${v.id}/disable` });
        assert.deepEqual([again.statusCode, again.json<View>().version], [200, 2]);
        const stale = await admin({ method: 'POST', url: `/api/v1/rules/${v.id}/enable?version=1` });
        assert.equal(stale.statusCode, 409, stale.body);
        const on = await admin({ method: 'POST', url: `/api/v1/rules/${v.id}/enable?version=2` });
        assert.deepEqual([on.statusCode, on.json<View>().enabled, on.json<View>().version], [200, true, 3]);
        const list = (await admin({ method: 'GET', url: '/api/v1/rules?enabled=false' })).json<{ items: View[] }>().items;
        assert.ok(!list.some((r) => r.id === v.id));
      });

      it('deletes softly: gone from reads and lists, versions kept, the id not reusable', async () => {
        const v = await create(admin, riverRule({ id: 'hc-river-gone' }));
        const del = await admin({ method: 'DELETE', url: `/api/v1/rules/${v.id}` });
        assert.equal(del.statusCode, 204, del.body);
        assert.equal(t.changes.at(-1), v.id);
        assert.equal((await admin({ method: 'GET', url: `/api/v1/rules/${v.id}` })).statusCode, 404);
        assert.equal((await admin({ method: 'DELETE', url: `/api/v1/rules/${v.id}` })).statusCode, 404);
        assert.equal((await admin({ method: 'PUT', url: `/api/v1/rules/${v.id}`, payload: { ...riverRule(), version: 1 } })).statusCode, 404);
        assert.ok(!(await admin({ method: 'GET', url: '/api/v1/rules?limit=1000' })).json<{ items: View[] }>().items.some((r) => r.id === v.id));
        assert.equal((await admin({ method: 'GET', url: `/api/v1/rules/${v.id}/versions/1` })).statusCode, 200, 'alerts still cite its versions');
        const reuse = await admin({ method: 'POST', url: '/api/v1/rules', payload: riverRule({ id: v.id }) });
        assert.deepEqual([reuse.statusCode, fields(reuse)], [400, ['id unavailable']]);
      });

      it('lists with paging and a total, filters, and searches with or without diacritics', async () => {
        await create(admin, riverRule({ id: 'search-rain', name: { vi: 'Mưa lớn 3 giờ ở Hải Châu', en: 'Heavy rain over 3 hours' }, deviceType: 'rain_gauge', condition: { kind: 'window', attr: 'rain', agg: 'sum', minutes: 180, op: '>=', raise: 50, clear: 30 } }));
        for (const q of ['mua lon', 'MƯA LỚN', 'hai chau', 'heavy rain', 'search-rain']) {
          const r = await admin({ method: 'GET', url: `/api/v1/rules?q=${encodeURIComponent(q)}` });
          assert.equal(r.statusCode, 200, r.body);
          assert.deepEqual(r.json<{ items: View[] }>().items.map((x) => x.id), ['search-rain'], q);
        }
        const all = (await admin({ method: 'GET', url: '/api/v1/rules?limit=1000' })).json<{ items: View[]; total: number }>();
        assert.equal(all.total, all.items.length);
        const page = (await admin({ method: 'GET', url: '/api/v1/rules?limit=2&offset=1' })).json<{ items: View[]; total: number }>();
        assert.deepEqual([page.items.map((r) => r.id), page.total], [all.items.slice(1, 3).map((r) => r.id), all.total]);
        const q = (await admin({ method: 'GET', url: '/api/v1/rules?q=song%20han&limit=1' })).json<{ items: View[]; total: number }>();
        assert.equal(q.items.length, 1);
        assert.ok(q.total > 1, 'the search total counts every match, not the page');
        assert.deepEqual((await admin({ method: 'GET', url: '/api/v1/rules?unit=493' })).json<{ items: View[] }>().items, []);
      });
    });

    describe('validation', () => {
      const post = (payload: unknown, headers: Record<string, string> = {}) => admin({ method: 'POST', url: '/api/v1/rules', payload: payload as Record<string, unknown>, headers });

      it('refuses malformed JSON, non-objects and wrong types, naming the field', async () => {
        const bad = await post('{"name": {"vi": "x"', { 'content-type': 'application/json' });
        assert.deepEqual([bad.statusCode, fields(bad)], [400, [' malformed_json']]);
        const arr = await post([riverRule()]);
        assert.deepEqual([arr.statusCode, fields(arr)], [400, [' wrong_type']]);
        const types = await post(riverRule({ severity: 5, enabled: 'yes', condition: { kind: 'threshold', attr: 'level', op: '>=', raise: '2', clear: 1.8 } }));
        assert.equal(types.statusCode, 400);
        assert.deepEqual(fields(types).sort(), ['condition/raise wrong_type', 'enabled wrong_type', 'severity bad_value']);
        const hysteresis = await post(riverRule({ condition: { kind: 'threshold', attr: 'level', op: '>=', raise: 2, clear: 2.5 } }));
        assert.deepEqual(fields(hysteresis), ['condition/clear out_of_range']);
      });

      it('refuses unknown fields, at the top and inside conditions', async () => {
        const r = await post(riverRule({ colour: 'red', condition: { kind: 'all', conditions: [{ kind: 'threshold', attr: 'level', op: '>=', raise: 2, clear: 1.8, window: 5 }] } }));
        assert.equal(r.statusCode, 400);
        assert.deepEqual(fields(r).sort(), ['colour unknown_field', 'condition/conditions/0/window unknown_field']);
      });

      it('refuses an unknown or retired unit, naming unitCode', async () => {
        const r = await post(riverRule({ unitCode: '999' }));
        assert.deepEqual([r.statusCode, fields(r)], [400, ['unitCode unknown_unit']]);
      });

      it('refuses oversized texts and bodies', async () => {
        const long = await post(riverRule({ name: { vi: 'x'.repeat(201), en: 'ok' } }));
        assert.deepEqual([long.statusCode, fields(long)], [400, ['name/vi too_long']]);
        const many = await post(riverRule({ devices: Array.from({ length: 1001 }, (_, i) => `d-${i}`) }));
        assert.deepEqual([many.statusCode, fields(many)], [400, ['devices bad_length']]);
        const huge = await post(riverRule({ description: { vi: 'x'.repeat(300_000), en: 'x' } }));
        assert.equal(huge.statusCode, 413, 'a rule body is at most 256 KiB');
      });

      it('stores markup as text and returns it as JSON, never as HTML', async () => {
        const xss = '<script>alert("x")</script><img src=x onerror=alert(1)>';
        const v = await create(admin, riverRule({ name: { vi: xss, en: `"${xss}` }, description: { vi: '</textarea>&amp;', en: "'; DROP TABLE rules; --" } }));
        const r = await admin({ method: 'GET', url: `/api/v1/rules/${v.id}` });
        assert.match(String(r.headers['content-type']), /^application\/json/);
        assert.deepEqual(r.json<View & { description: unknown }>().name, { vi: xss, en: `"${xss}` });
        assert.deepEqual(r.json<{ description: unknown }>().description, { vi: '</textarea>&amp;', en: "'; DROP TABLE rules; --" });
        assert.ok(!r.body.includes('<script>alert("x")'), 'the JSON escapes the quotes inside');
        assert.match(v.id, /^script-alert-x-script-img-src-x-onerror-al-[0-9a-z]{6}$|^[a-z0-9][a-z0-9_.-]*$/);
      });
    });

    describe('scope', () => {
      let stRule: View;
      let hcRule: View;
      let allSectors: View;
      before(async () => {
        stRule = await create(admin, riverRule({ id: 'st-river', unitCode: '493' }));
        hcRule = await create(admin, riverRule({ id: 'hc-river', unitCode: '20233' }));
        allSectors = await create(admin, riverRule({ id: 'hc-any-sector', sector: null }));
      });

      it('a Hải Châu operator never sees, counts or finds a Sơn Trà rule: 404 like an unknown id', async () => {
        const op = as['hc.op']!;
        const list = (await op({ method: 'GET', url: '/api/v1/rules?limit=1000' })).json<{ items: View[]; total: number }>();
        assert.ok(list.items.some((r) => r.id === hcRule.id));
        assert.ok(!list.items.some((r) => r.id === stRule.id));
        assert.ok(list.items.every((r) => ['492', '20233', '20236'].includes(r.unitCode)));
        assert.equal(list.total, list.items.length);
        assert.deepEqual((await op({ method: 'GET', url: '/api/v1/rules?q=st-river' })).json<{ total: number }>().total, 0);
        for (const [method, url, payload] of [
          ['GET', `/api/v1/rules/${stRule.id}`],
          ['GET', `/api/v1/rules/${stRule.id}/versions`],
          ['GET', `/api/v1/rules/${stRule.id}/versions/1`],
          ['PUT', `/api/v1/rules/${stRule.id}`, { ...riverRule({ unitCode: '493' }), version: 1 }],
          ['DELETE', `/api/v1/rules/${stRule.id}`],
          ['POST', `/api/v1/rules/${stRule.id}/disable`],
          ['POST', `/api/v1/rules/${stRule.id}/backtest`, { from: iso(NOW - 3_600_000), to: iso(NOW) }],
        ] as [string, string, unknown?][]) {
          const r = await op({ method: method as 'GET', url, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
          const u = await op({ method: method as 'GET', url: url.replace(stRule.id, 'zz-unknown'), ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
          assert.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
          assert.equal(r.json<{ message: string }>().message.replace(stRule.id, 'X'), u.json<{ message: string }>().message.replace('zz-unknown', 'X'), `${method} ${url}: as an unknown id`);
        }
        const made = await op({ method: 'POST', url: '/api/v1/rules', payload: riverRule({ unitCode: '493' }) });
        assert.equal(made.statusCode, 403, made.body);
        const moved = await op({ method: 'PUT', url: `/api/v1/rules/${hcRule.id}`, payload: { ...riverRule({ unitCode: '493' }), version: 1 } });
        assert.equal(moved.statusCode, 403, `moving a rule out of one's scope: ${moved.body}`);
        assert.equal((await admin({ method: 'GET', url: `/api/v1/rules/${stRule.id}` })).json<View>().version, 1, 'nothing changed');
        const mine = await op({ method: 'PUT', url: `/api/v1/rules/${hcRule.id}`, payload: { ...riverRule({ unitCode: '20236' }), version: 1 } });
        assert.equal(mine.statusCode, 200, mine.body);
      });

      it('a sector operator manages only rules of its sector, city-wide', async () => {
        const env = as['env.op']!;
        const ok = await env({ method: 'POST', url: '/api/v1/rules', payload: riverRule({ unitCode: '493' }) });
        assert.equal(ok.statusCode, 201, ok.body);
        for (const sector of [null, 'health']) {
          const r = await env({ method: 'POST', url: '/api/v1/rules', payload: riverRule({ sector, ...(sector === 'health' ? { deviceType: undefined, condition: { kind: 'threshold', attr: 'beds', deviceType: 'river_level', op: '<', raise: 2, clear: 5 } } : {}) }) });
          assert.equal(r.statusCode, 403, `sector ${sector}: ${r.body}`);
        }
        assert.equal((await env({ method: 'GET', url: `/api/v1/rules/${allSectors.id}` })).statusCode, 404, 'an all-sector rule is not theirs');
        assert.equal((await env({ method: 'GET', url: `/api/v1/rules/${stRule.id}` })).statusCode, 200);
        const list = (await env({ method: 'GET', url: '/api/v1/rules?limit=1000' })).json<{ items: View[]; total: number }>();
        assert.ok(list.items.length > 0 && list.items.every((r) => r.sector === 'environment'));
        assert.equal(list.total, list.items.length);
      });

      it('an analyst reads rules in scope but may change none (403)', async () => {
        const a = as['hc.analyst']!;
        assert.equal((await a({ method: 'GET', url: `/api/v1/rules/${hcRule.id}` })).statusCode, 200);
        assert.equal((await a({ method: 'POST', url: '/api/v1/rules', payload: riverRule() })).statusCode, 403);
        assert.equal((await a({ method: 'DELETE', url: `/api/v1/rules/${hcRule.id}` })).statusCode, 403);
      });
    });

    it('audits every change with who, what, where and the versions', async () => {
      const v = await create(as['hc.op']!, riverRule({ id: 'audited-rule' }));
      await as['hc.op']!({ method: 'PUT', url: `/api/v1/rules/${v.id}`, payload: { ...riverRule({ severity: 'minor' }), version: 1 } });
      await as['hc.op']!({ method: 'POST', url: `/api/v1/rules/${v.id}/disable` });
      await as['hc.op']!({ method: 'DELETE', url: `/api/v1/rules/${v.id}` });
      const items = (await admin({ method: 'GET', url: '/api/v1/audit?action=rule.*&limit=1000' })).json<{ items: { action: string; actorName: string; unitCode: string; target: string; details: Record<string, unknown> }[] }>().items;
      const mine = items.filter((e) => e.target === `rule:${v.id}`).reverse();
      assert.deepEqual(mine.map((e) => [e.action, e.actorName, e.unitCode]), [
        ['rule.create', 'hc.op', '492'],
        ['rule.update', 'hc.op', '492'],
        ['rule.disable', 'hc.op', '492'],
        ['rule.delete', 'hc.op', '492'],
      ]);
      assert.deepEqual(mine[1]!.details.version, { before: 1, after: 2 });
      assert.deepEqual(mine[1]!.details.changed, ['severity']);
    });
  });
}
