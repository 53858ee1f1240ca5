import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PGliteClient, PGliteError } from './pglite-client.ts';

describe('PGliteClient (PGlite in a worker thread)', () => {
  it('runs parameterised queries and scripts, with PostgreSQL types intact across the thread', async () => {
    const pg = await PGliteClient.open(undefined);
    try {
      await pg.exec(`CREATE TABLE t (id int PRIMARY KEY, at timestamptz, doc jsonb, tags text[], raw bytea); CREATE INDEX ON t (at)`);
      const at = new Date('2026-11-25T08:30:00.123Z');
      const ins = await pg.query(`INSERT INTO t VALUES ($1, $2, $3, $4, $5)`, [1, at, JSON.stringify({ vi: 'Mưa to' }), ['a', 'b'], new Uint8Array([1, 2])]);
      assert.equal(ins.affectedRows, 1);
      const { rows } = await pg.query<{ at: Date; doc: unknown; tags: string[]; raw: Uint8Array }>(`SELECT at, doc, tags, raw FROM t WHERE id = $1`, [1]);
      assert.ok(rows[0]!.at instanceof Date);
      assert.equal(rows[0]!.at.getTime(), at.getTime());
      assert.deepEqual(rows[0]!.doc, { vi: 'Mưa to' });
      assert.deepEqual(rows[0]!.tags, ['a', 'b']);
      assert.deepEqual([...rows[0]!.raw], [1, 2]);
      // Sessions run in UTC whatever the machine's zone.
      assert.deepEqual((await pg.exec<{ z: string }>(`SHOW TIME ZONE`)).rows, [{ TimeZone: 'UTC' }]);
    } finally {
      await pg.close();
    }
  });

  it("passes PostgreSQL's errors back with their fields, and goes on working", async () => {
    const pg = await PGliteClient.open(undefined);
    try {
      await pg.exec(`CREATE TABLE u (k text CONSTRAINT u_k UNIQUE)`);
      await pg.query(`INSERT INTO u VALUES ($1)`, ['x']);
      await assert.rejects(pg.query(`INSERT INTO u VALUES ($1)`, ['x']), (e: unknown) => {
        assert.ok(e instanceof PGliteError);
        assert.equal(e.code, '23505');
        assert.equal(e.constraint, 'u_k');
        assert.match(e.message, /duplicate key/);
        return true;
      });
      await assert.rejects(pg.query(`SELEC 1`, []), /syntax error/);
      assert.equal((await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM u`, [])).rows[0]!.n, 1);
    } finally {
      await pg.close();
    }
  });

  it('keeps what was written in its folder across a close and a reopen; a closed client refuses clearly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pglite-client-'));
    try {
      const a = await PGliteClient.open(dir);
      await a.exec(`CREATE TABLE kept (v text)`);
      await a.query(`INSERT INTO kept VALUES ($1)`, ['Hải Đăng']);
      await a.close();
      await assert.rejects(a.query(`SELECT 1`, []), /embedded database thread has stopped/);
      const b = await PGliteClient.open(dir);
      assert.deepEqual((await b.query(`SELECT v FROM kept`, [])).rows, [{ v: 'Hải Đăng' }]);
      await b.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers requests in the order they were sent, many at once', async () => {
    const pg = await PGliteClient.open(undefined);
    try {
      await pg.exec(`CREATE TABLE seq (n int)`);
      await Promise.all(Array.from({ length: 200 }, (_, n) => pg.query(`INSERT INTO seq VALUES ($1)`, [n])));
      const { rows } = await pg.query<{ n: number }>(`SELECT n FROM seq`, []);
      assert.deepEqual(rows.map((r) => r.n), Array.from({ length: 200 }, (_, n) => n));
    } finally {
      await pg.close();
    }
  });
});
