/**
 * Opens the two storage backends the same tests run on: PGlite (always) and the machine's
 * PostgreSQL (a fresh schema per test file, dropped afterwards).
 */
import pg from 'pg';
import type { Database } from '../../src/adapters/db/db.schema.ts';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { openPGlite } from '../../src/adapters/db/pglite.database.ts';
import { openPostgres } from '../../src/adapters/db/postgres.database.ts';
import { PG_URL, postgresSkip, uniqueName } from './servers.ts';

export interface Backend {
  name: 'pglite' | 'postgres';
  /** false, or why the backend's tests skip. */
  skip: string | false;
  open(): Promise<Database>;
}

export async function backends(): Promise<Backend[]> {
  return [
    {
      name: 'pglite',
      skip: false,
      async open() {
        const db = await openPGlite(undefined);
        await migrate(db);
        return db;
      },
    },
    {
      name: 'postgres',
      skip: await postgresSkip(),
      async open() {
        const schema = uniqueName('t');
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`CREATE SCHEMA ${schema}`);
        await admin.end();
        const db = await openPostgres(PG_URL, { schema, poolSize: 4 });
        await migrate(db);
        const close = db.close.bind(db);
        return {
          ...db,
          db: db.db,
          async close() {
            await close();
            const c = new pg.Client({ connectionString: PG_URL });
            await c.connect();
            await c.query(`DROP SCHEMA ${schema} CASCADE`);
            await c.end();
          },
        };
      },
    },
  ];
}
