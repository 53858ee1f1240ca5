/**
 * The audit log on PGlite and on PostgreSQL: entries chain and read back exactly (jsonb reorders
 * keys, timestamps travel as epoch ms), filters and pages, the append-only triggers, tampering the
 * way a DBA could (triggers disabled) found by verify(), and concurrent appends from one node and,
 * on PostgreSQL, from two.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { entryHash, type AuditEntry } from '@haidang/domain';
import { AuditRepository } from '../src/adapters/db/audit.repository.ts';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { openPostgres } from '../src/adapters/db/postgres.database.ts';
import { AuditService, type AuditInput } from '../src/services/audit.service.ts';
import { backends } from './support/databases.ts';
import { PG_URL } from './support/servers.ts';

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const T0 = Date.UTC(2026, 10, 25, 0, 0, 0, 123);
const MIN = 60_000;

const ACTORS = [
  { id: '0b6b2c1e-4a8f-4a62-9d3e-6a1c2f1e9b01', name: 'Nguyễn Thị Hoà' },
  { id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', name: 'Lê Văn Đức' },
  { id: null, name: "ghost'); DROP TABLE audit_log; --" }, // a failed login under an unknown name
];
const GRANTOR = { id: 'a3bb189e-8bf9-3888-9912-ace4e6543002', name: 'Phó Giám đốc Sở' };
const UNITS = ['20233', '20236', '492', '48', undefined];
// device_type.* must not be found by a LIKE whose `_` is a wildcard: devicextype.probe checks it.
const ACTIONS = ['auth.login', 'auth.logout', 'device.create', 'device_type.create'];
const XSS_UA = `"><script>alert('xss')</script><img src=x onerror=alert(1)> Mozilla/5.0 (Windows NT 10.0; Cốc Cốc)`;

/** Entry i (0-based; seq i + 1), recorded at T0 + i minutes. */
function input(i: number): AuditInput {
  const details: Record<string, unknown> =
    i % 7 === 0
      ? {
          zulu: { b: 2, a: [{ y: 1, x: { '10': 'mười', '2': 'hai', ' ': 'space' } }, 'Ω'] },
          alpha: 'Đà Nẵng – Hải Châu: “mưa lớn” 🌧️',
          ñ: true,
          nums: [0.1 + 0.2, -0, 1e21, 5e-324, 123456789012345680000, -17],
          empty: {},
          nil: null,
        }
      : { i, note: `lần ${i}` };
  return {
    actor: ACTORS[i % 3]!,
    ...(i % 10 === 9 ? { onBehalfOf: GRANTOR } : {}),
    action: i === 49 ? 'devicextype.probe' : ACTIONS[i % 4]!,
    outcome: i % 6 === 5 ? 'denied' : i % 6 === 4 ? 'failure' : 'success',
    ...(UNITS[i % 5] ? { unitCode: UNITS[i % 5] } : {}),
    target: `device:tram-${i}`,
    details,
    ip: i % 2 ? '2001:db8::1' : '203.0.113.7',
    userAgent: i % 5 === 3 ? XSS_UA : 'curl/8.5.0',
    correlationId: `req-${i}`,
  };
}

const seqs = (items: AuditEntry[]) => items.map((e) => e.seq);
/** Seqs (descending) of the first 50 entries that match. */
const expected = (match: (x: AuditInput, i: number) => boolean) =>
  Array.from({ length: 50 }, (_, i) => i)
    .filter((i) => match(input(i), i))
    .map((i) => i + 1)
    .reverse();

/** Runs statements as a DBA would: with the append-only triggers off, in one transaction. */
async function asDba(database: Database, statement: ReturnType<typeof sql>) {
  await database.db.transaction().execute(async (tx) => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(tx);
    await statement.execute(tx);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(tx);
  });
}

for (const backend of await backends()) {
  describe(`audit log on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let repo: AuditRepository;
    let service: AuditService;
    let now = T0;

    before(async () => {
      database = await backend.open();
      repo = new AuditRepository(database.db);
      service = new AuditService(repo, () => now, sha256Hex);
    });
    after(async () => {
      await database?.close();
    });

    it('appends 50 entries that chain from the genesis hash and verify', async () => {
      for (let i = 0; i < 50; i++) {
        now = T0 + i * MIN;
        await service.record(input(i));
      }
      assert.deepEqual(await service.verify(), { ok: true, checked: 50 });
    });

    it('reads entries back exactly as recorded', async () => {
      const entries = await repo.scan(1, 100);
      assert.deepEqual(seqs(entries), Array.from({ length: 50 }, (_, i) => i + 1));
      const first = entries[0]!;
      assert.equal(first.prevHash, '0'.repeat(64));
      assert.equal(first.at, new Date(T0).toISOString());
      assert.equal(first.at, '2026-11-25T00:00:00.123Z');
      const x = input(0);
      assert.deepEqual(first.details, JSON.parse(JSON.stringify(x.details)));
      assert.notDeepEqual(Object.keys(first.details), Object.keys(x.details!), 'jsonb gave the keys back in another order');
      assert.equal(first.actorName, ACTORS[0]!.name);
      const xss = entries[3]!;
      assert.equal(xss.userAgent, XSS_UA);
      assert.equal(entries[2]!.actorId, null);
      assert.equal(entries[2]!.actorName, ACTORS[2]!.name);
      assert.equal(entries[9]!.onBehalfOfId, GRANTOR.id);
      assert.equal(entries[9]!.onBehalfOfName, GRANTOR.name);
      assert.equal(entries[5]!.outcome, 'denied');
      assert.equal(entries[4]!.unitCode, null);
      for (let i = 1; i < entries.length; i++) assert.equal(entries[i]!.prevHash, entries[i - 1]!.hash);
      assert.deepEqual(await repo.scan(49, 100).then(seqs), [49, 50]);
      assert.deepEqual(await repo.scan(10, 3).then(seqs), [10, 11, 12]);
      assert.deepEqual(await repo.scan(51, 10), []);
    });

    it('filters by actor, unit, action (exact and prefix) and time, newest first', async () => {
      const q = (f: Parameters<AuditService['query']>[0]) => service.query(f).then((r) => seqs(r.items));
      assert.deepEqual(await q({ limit: 100 }), expected(() => true));
      assert.deepEqual(await q({ actorId: ACTORS[1]!.id!, limit: 100 }), expected((x) => x.actor.id === ACTORS[1]!.id));
      assert.deepEqual(await q({ actorId: ACTORS[1]!.id!.toUpperCase(), limit: 100 }), expected((x) => x.actor.id === ACTORS[1]!.id));
      assert.deepEqual(await q({ unitCodes: ['20233', '492'], limit: 100 }), expected((x) => x.unitCode === '20233' || x.unitCode === '492'));
      assert.deepEqual(await q({ unitCodes: [], limit: 100 }), []);
      assert.deepEqual(await q({ action: 'auth.login', limit: 100 }), expected((x) => x.action === 'auth.login'));
      assert.deepEqual(await q({ action: 'auth.*', limit: 100 }), expected((x) => x.action.startsWith('auth.')));
      assert.deepEqual(await q({ action: 'device.*', limit: 100 }), expected((x) => x.action.startsWith('device.')));
      assert.deepEqual(await q({ action: 'device_type.*', limit: 100 }), expected((x) => x.action.startsWith('device_type.')));
      assert.ok((await q({ action: 'device_type.*', limit: 100 })).length > 0);
      assert.deepEqual(await q({ action: 'devicextype.*', limit: 100 }), [50]);
      assert.deepEqual(await q({ action: 'auth.log.*', limit: 100 }), []);
      assert.deepEqual(await q({ from: T0 + 10 * MIN, to: T0 + 20 * MIN, limit: 100 }), expected((_, i) => i >= 10 && i < 20));
      assert.deepEqual(await q({ from: T0 + 10 * MIN + 1, to: T0 + 12 * MIN, limit: 100 }), [12]);
      assert.deepEqual(
        await q({ actorId: ACTORS[0]!.id!, unitCodes: ['20233'], action: 'auth.*', from: T0, to: T0 + 50 * MIN, limit: 100 }),
        expected((x) => x.actor.id === ACTORS[0]!.id && x.unitCode === '20233' && x.action.startsWith('auth.')),
      );
    });

    it('pages back by seq', async () => {
      const pages: number[][] = [];
      let beforeSeq: number | undefined;
      for (;;) {
        const { items } = await service.query({ limit: 20, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
        if (items.length === 0) break;
        pages.push(seqs(items));
        beforeSeq = items.at(-1)!.seq;
      }
      assert.deepEqual(pages.map((p) => [p[0], p.at(-1), p.length]), [
        [50, 31, 20],
        [30, 11, 20],
        [10, 1, 10],
      ]);
      // With a filter: pages of 4 add up to the whole filtered list.
      const all: number[] = [];
      beforeSeq = undefined;
      for (;;) {
        const { items } = await service.query({ action: 'auth.*', limit: 4, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
        all.push(...seqs(items));
        if (items.length < 4) break;
        beforeSeq = items.at(-1)!.seq;
      }
      assert.deepEqual(all, expected((x) => x.action.startsWith('auth.')));
    });

    it('refuses UPDATE, DELETE and TRUNCATE', async () => {
      await assert.rejects(sql`UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 3`.execute(database.db), /append-only/);
      await assert.rejects(sql`DELETE FROM audit_log WHERE seq = 50`.execute(database.db), /append-only/);
      await assert.rejects(sql`TRUNCATE audit_log`.execute(database.db), /append-only/);
      assert.equal((await repo.scan(1, 100)).length, 50);
      assert.deepEqual(await service.verify(), { ok: true, checked: 50 });
    });

    it('finds an entry edited with the triggers off: hash_mismatch at its seq', async () => {
      const original = (await repo.scan(17, 1))[0]!;
      await asDba(database, sql`UPDATE audit_log SET details = jsonb_set(details, '{note}', '"sửa"') WHERE seq = 17`);
      assert.deepEqual(await service.verify(), { ok: false, checked: 16, firstBroken: { seq: 17, reason: 'hash_mismatch' } });
      // Also when the hash is recomputed: the next entry's link breaks.
      const edited = (await repo.scan(17, 1))[0]!;
      await asDba(database, sql`UPDATE audit_log SET hash = ${entryHash(edited.prevHash, edited, sha256Hex)} WHERE seq = 17`);
      assert.deepEqual(await service.verify(), { ok: false, checked: 17, firstBroken: { seq: 18, reason: 'prev_hash_mismatch' } });
      // Put back as it was, the chain is whole again.
      await asDba(database, sql`UPDATE audit_log SET details = ${JSON.stringify(original.details)}::jsonb, hash = ${original.hash} WHERE seq = 17`);
      assert.deepEqual(await service.verify(), { ok: true, checked: 50 });
    });

    it('finds an entry deleted with the triggers off: sequence_gap at its seq', async () => {
      await sql`CREATE TABLE audit_saved AS SELECT * FROM audit_log WHERE seq = 30`.execute(database.db);
      await asDba(database, sql`DELETE FROM audit_log WHERE seq = 30`);
      assert.deepEqual(await service.verify(), { ok: false, checked: 29, firstBroken: { seq: 30, reason: 'sequence_gap' } });
      await sql`INSERT INTO audit_log SELECT * FROM audit_saved`.execute(database.db);
      await sql`DROP TABLE audit_saved`.execute(database.db);
      assert.deepEqual(await service.verify(), { ok: true, checked: 50 });
    });

    it('finds an entry inserted with a forged link: prev_hash_mismatch', async () => {
      // A row added past the head by a writer that bypasses the service (INSERT is not refused).
      await sql`INSERT INTO audit_log (seq, at, actor_name, action, outcome, prev_hash, hash)
                VALUES (51, now(), 'forger', 'auth.login', 'success', ${'f'.repeat(64)}, ${'e'.repeat(64)})`.execute(database.db);
      assert.deepEqual(await service.verify(), { ok: false, checked: 50, firstBroken: { seq: 51, reason: 'prev_hash_mismatch' } });
      await asDba(database, sql`DELETE FROM audit_log WHERE seq = 51`);
      assert.deepEqual(await service.verify(), { ok: true, checked: 50 });
    });

    it('keeps one chain under 100 concurrent appends', async () => {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => service.record({ actor: ACTORS[i % 3]!, action: 'auth.login', details: { i }, userAgent: `ua-${i}` })),
      );
      const entries = await repo.scan(1, 1000);
      assert.deepEqual(seqs(entries), Array.from({ length: 150 }, (_, i) => i + 1));
      assert.deepEqual(new Set(entries.slice(50).map((e) => e.details.i)).size, 100);
      assert.deepEqual(await service.verify(), { ok: true, checked: 150 });
    });

    it('keeps one chain when two nodes append at once (two pools)', { skip: backend.name !== 'postgres' && 'PGlite has one connection' }, async () => {
      const schema = (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(database.db)).rows[0]!.s;
      const other = await openPostgres(PG_URL, { schema, poolSize: 4 });
      try {
        const nodeB = new AuditService(new AuditRepository(other.db), () => now, sha256Hex);
        await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            (i % 2 ? nodeB : service).record({ actor: ACTORS[0]!, action: 'device.create', target: `node-${i % 2}`, details: { i } }),
          ),
        );
      } finally {
        await other.close();
      }
      const entries = await repo.scan(1, 1000);
      assert.deepEqual(seqs(entries), Array.from({ length: 350 }, (_, i) => i + 1));
      assert.equal(entries.filter((e) => e.target === 'node-1').length, 100);
      assert.deepEqual(await service.verify(), { ok: true, checked: 350 });
    });

    it('costs a few milliseconds per append', async (t) => {
      const n = 200;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await service.record({ actor: ACTORS[0]!, action: 'system.bench', details: { i, text: 'x'.repeat(200) } });
      const perAppend = (performance.now() - t0) / n;
      const v0 = performance.now();
      const r = await service.verify();
      const verifyMs = performance.now() - v0;
      assert.equal(r.ok, true);
      t.diagnostic(`${backend.name}: append ${perAppend.toFixed(2)} ms each (sequential); verify of ${r.checked} entries ${verifyMs.toFixed(0)} ms`);
      assert.ok(perAppend < 100, `append took ${perAppend} ms`);
    });
  });
}
