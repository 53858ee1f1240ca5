import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database, Schema } from './db.schema.ts';

// bigint (count(*), sums of integers) as JS numbers: our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** Connects to a PostgreSQL server (15+) through a pool; every session runs in UTC. */
export async function openPostgres(url: string, opts: { poolSize?: number; schema?: string } = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    // A schema of its own (tests run side by side in one database) goes first on the search path.
    // extra_float_digits=1 (the default since PostgreSQL 12): float8 prints as its shortest exact text.
    options: `-c TimeZone=UTC -c extra_float_digits=1${opts.schema ? ` -c search_path=${opts.schema}` : ''}`,
    application_name: 'hai-dang',
  });
  // Fail at start-up, with the server's own reason, rather than on the first request.
  const client = await pool.connect();
  client.release();
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    mode: 'server',
    async exec(script) {
      await pool.query(script);
    },
    async close() {
      await db.destroy();
    },
  };
}
