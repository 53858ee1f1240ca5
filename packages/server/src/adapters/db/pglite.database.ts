import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import { PGliteClient } from './pglite-client.ts';
import { PGliteDialect } from './pglite.dialect.ts';
import type { Database, Schema } from './db.schema.ts';

/** The folder is held by another living process. */
export class DataDirInUse extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`the embedded database in ${dir} is in use by process ${pid}; stop it first, or use another IOC_DATA_DIR`);
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One process at a time: PGlite has no locking of its own, and two processes writing one folder
 * corrupt it. A lock file names the holder; a lock left by a dead process (SIGKILL) is taken over.
 */
async function lock(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, 'ioc.lock');
  const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) throw new DataDirInUse(dir, holder);
  await writeFile(file, `${process.pid}\n`);
  return () => rm(file, { force: true });
}

/**
 * Opens PGlite (PostgreSQL in WASM) in `dir`, or in memory when `dir` is undefined (tests), in a
 * thread of its own (pglite-client.ts).
 */
export async function openPGlite(dir: string | undefined): Promise<Database> {
  if (dir) await mkdir(dir, { recursive: true });
  const unlock = dir ? await lock(dir) : async () => undefined;
  let pg: PGliteClient;
  try {
    pg = await PGliteClient.open(dir);
  } catch (e) {
    await unlock();
    throw e;
  }
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
      await unlock();
    },
  };
}
