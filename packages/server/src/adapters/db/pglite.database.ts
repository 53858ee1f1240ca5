import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from './pglite.dialect.ts';
import type { Database, Schema } from './db.schema.ts';

/** Opens PGlite (PostgreSQL in WASM) in `dir`, or in memory when `dir` is undefined (tests). */
export async function openPGlite(dir: string | undefined): Promise<Database> {
  if (dir) await mkdir(dir, { recursive: true });
  const pg = await PGlite.create(dir ? { dataDir: dir } : {});
  await pg.exec(`SET TIME ZONE 'UTC'`);
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(pg) });
  return {
    db,
    mode: 'embedded',
    async exec(script) {
      // Through Kysely's connection lock so that no other query interleaves with the script.
      await db.connection().execute(async () => {
        await pg.exec(script);
      });
    },
    async close() {
      await db.destroy();
      await pg.close();
    },
  };
}
