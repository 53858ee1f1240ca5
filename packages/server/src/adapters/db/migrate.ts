import { readdir, readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Database } from './db.schema.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
/** Arbitrary constant: the advisory lock that serialises migrations across IOC nodes. */
const LOCK_ID = 4_848_048;

/**
 * Applies the versioned migrations (`NNN_name.sql`) not yet recorded in `schema_migrations`, each
 * in its own transaction, in order. Several nodes starting at once take turns on an advisory lock.
 * Returns the versions applied now.
 */
export async function migrate(database: Database): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  await database.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version    text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  const applied: string[] = [];
  await database.db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${LOCK_ID})`.execute(conn);
    try {
      const done = new Set(
        (await sql<{ version: string }>`SELECT version FROM schema_migrations`.execute(conn)).rows.map((r) => r.version),
      );
      for (const file of files) {
        const version = file.replace(/\.sql$/, '');
        if (done.has(version)) continue;
        const script = await readFile(new URL(file, MIGRATIONS_DIR), 'utf8');
        // The script and its record commit together: a failed migration leaves no trace.
        await sql.raw(`BEGIN;\n${script}\n;INSERT INTO schema_migrations (version) VALUES ('${version}');\nCOMMIT;`).execute(conn)
          .catch(async (e: unknown) => {
            await sql`ROLLBACK`.execute(conn).catch(() => undefined);
            throw new Error(`migration ${version} failed: ${(e as Error).message}`);
          });
        applied.push(version);
      }
    } finally {
      await sql`SELECT pg_advisory_unlock(${LOCK_ID})`.execute(conn);
    }
  });
  return applied;
}
