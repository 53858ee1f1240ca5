// scratch (not committed): EXPLAIN ANALYZE of the device list with and without a scope.
import { openPGlite } from '../packages/server/src/adapters/db/pglite.database.ts';
import { openPostgres } from '../packages/server/src/adapters/db/postgres.database.ts';
import { migrate } from '../packages/server/src/adapters/db/migrate.ts';
import { DeviceRepository } from '../packages/server/src/adapters/db/device.repository.ts';
import { sql } from 'kysely';
import pg from 'pg';

const mode = process.argv[2] ?? 'embedded';
const schema = `probe_${process.pid}`;
let admin: pg.Client | undefined;
if (mode === 'postgres') { admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' }); await admin.connect(); await admin.query(`CREATE SCHEMA ${schema}`); }
const database = mode === 'postgres' ? await openPostgres('postgres://postgres@127.0.0.1:5432/test', { schema }) : await openPGlite(undefined);
try {
  await migrate(database);
  const db = database.db;
  // 8 districts × 249 units
  const units: { code: string; parent: string | null }[] = [{ code: 'C', parent: null }];
  const districts: string[][] = [];
  for (let d = 0; d < 8; d++) { const codes = [`D${d}`]; units.push({ code: `D${d}`, parent: 'C' }); for (let k = 1; k < 249; k++) { units.push({ code: `D${d}-${k}`, parent: `D${d}` }); codes.push(`D${d}-${k}`); } districts.push(codes); }
  for (const u of units) await sql`INSERT INTO org_units (code, name_vi, name_en, kind, parent_code) VALUES (${u.code}, ${u.code}, ${u.code}, 'ward', ${u.parent})`.execute(db).catch(async (e) => { throw e; });
  const placeable = units.slice(1).map((u) => u.code);
  const attrs = JSON.stringify([{ name: 'pm25', unit: 'x', min: 0, max: 1, periodS: 60 }]);
  for (let i = 0; i < 10000; i += 500) {
    const rows = Array.from({ length: 500 }, (_, k) => { const n = i + k; return { id: `scope-${String(n).padStart(5, '0')}`, type: 'air_quality', name: `dev ${n}`, search_text: `scope-${n} dev ${n} ${n % 10 === 0 ? 'tran phu' : 'le duan'}`, lat: 16, lon: 108, unit_code: placeable[(n * 7919) % placeable.length]!, sector: n % 2 ? 'environment' : 'transport', apikey: 'k', attributes: attrs }; });
    await db.insertInto('devices').values(rows).execute();
  }
  const repo = new DeviceRepository(db);
  const scopes = districts.map((c) => ({ unitCodes: new Set(c), sector: null }));
  const time = async (label: string, f: () => Promise<unknown>) => { for (let i = 0; i < 20; i++) await f(); const xs: number[] = []; for (let i = 0; i < 100; i++) { const t = performance.now(); await f(); xs.push(performance.now() - t); } xs.sort((a, b) => a - b); console.log(`${label.padEnd(40)} p50 ${xs[50]!.toFixed(2)} ms`); };
  const run = async (tag: string) => {
    await time(`${tag} admin list`, () => repo.list({ limit: 100, offset: 0 }));
    await time(`${tag} city (8 scopes) list`, () => repo.list({ scopes, limit: 100, offset: 0 }));
    await time(`${tag} one scope of all codes`, () => repo.list({ scopes: [{ unitCodes: new Set(placeable), sector: null }], limit: 100, offset: 0 }));
    await time(`${tag} admin unit=D0`, () => repo.list({ unitCodes: districts[0], limit: 100, offset: 0 }));
    await time(`${tag} district scope D0`, () => repo.list({ scopes: [scopes[0]!], limit: 100, offset: 0 }));
    await time(`${tag} admin count only`, () => db.selectFrom('devices').select((eb) => eb.fn.countAll().as('n')).execute());
    await time(`${tag} city count only`, () => db.selectFrom('devices').where((eb) => eb.or(scopes.map((s) => eb('unit_code', '=', sql<string>`ANY(${[...s.unitCodes]}::text[])`)))).select((eb) => eb.fn.countAll().as('n')).execute());
  };
  const explain = async (label: string, q: { sql: string; parameters: readonly unknown[] }) => {
    const r = await sql.raw(`EXPLAIN (ANALYZE, COSTS OFF) ${q.sql}`).execute(db).catch(() => undefined);
    if (r) { console.log(label); return; }
  };
  void explain;
  await run('no stats');
  await sql`ANALYZE devices`.execute(db);
  await run('analyzed');
  // plans
  const qRows = db.selectFrom('devices').where((eb) => eb.or(scopes.map((s) => eb('unit_code', '=', sql<string>`ANY(${[...s.unitCodes]}::text[])`)))).selectAll().orderBy('id').limit(100).compile();
  const qCount = db.selectFrom('devices').where((eb) => eb.or(scopes.map((s) => eb('unit_code', '=', sql<string>`ANY(${[...s.unitCodes]}::text[])`)))).select((eb) => eb.fn.countAll().as('n')).compile();
  for (const [label, q] of [['rows', qRows], ['count', qCount]] as const) {
    const text = (await database.db.executeQuery({ ...q, sql: `EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) ${q.sql}`, query: q.query } as never)) as { rows: Record<string, string>[] };
    console.log(`--- ${label}\n${text.rows.map((r) => Object.values(r)[0]).join('\n')}`);
  }
} finally {
  await database.close();
  if (admin) { await admin.query(`DROP SCHEMA ${schema} CASCADE`); await admin.end(); }
}
