/**
 * `npm run bench -- storage-queries`: the two read queries at the storage layer (the repository's
 * SQL and decoding, no HTTP): latest values of 1,000 devices × 6 attributes, and one series' year
 * at 1 h resolution — on PGlite and on PostgreSQL (a schema of its own, dropped afterwards).
 */
import pg from 'pg';
import { migrate } from '../packages/server/src/adapters/db/migrate.ts';
import { openPGlite } from '../packages/server/src/adapters/db/pglite.database.ts';
import { openPostgres } from '../packages/server/src/adapters/db/postgres.database.ts';
import { ReadingRepository } from '../packages/server/src/adapters/db/reading.repository.ts';
import type { OptionSpecs } from './cli.ts';
import { writeResult } from './lib/result.ts';
import { latencySummary } from './lib/stats.ts';

export const STORAGE_QUERIES_OPTIONS = {
  'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test', help: 'PostgreSQL server (a prof_* schema is created and dropped)' },
  runs: { type: 'number', default: 200, help: 'measured runs per query (after 10 warm-up runs)' },
  out: { type: 'string', default: 'bench/results', help: 'folder for the JSON result ("" = do not write)' },
} satisfies OptionSpecs;

export async function runStorageQueries(o: { 'pg-url': string; runs: number; out: string }): Promise<unknown> {
  const schema = `prof_${process.pid}`;
  const admin = new pg.Client({ connectionString: o['pg-url'] });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const results: { mode: string; query: string; p50: number; p99: number }[] = [];
  try {
    const backends = [
      ['embedded', () => openPGlite(undefined)],
      ['postgres', () => openPostgres(o['pg-url'], { schema })],
    ] as const;
    for (const [mode, open] of backends) {
      const db = await open();
      try {
        await migrate(db);
        const now = Date.UTC(2026, 10, 25);
        await db.exec(`INSERT INTO latest SELECT g, now() - g * interval '1 second', g * 1.5 FROM generate_series(1, 6000) g`);
        await db.exec(`INSERT INTO rollup_1h SELECT 1, b, 60, 0, 10, 300, b + interval '59 minutes', 5
                       FROM generate_series(timestamptz '2025-11-25', timestamptz '2026-11-25', interval '1 hour') b`);
        const repo = new ReadingRepository(db.db);
        const ids = Array.from({ length: 6000 }, (_, i) => i + 1);
        const queries: [string, () => Promise<unknown>][] = [
          ['latest, 1000 devices × 6 attributes', () => repo.latest(ids)],
          ['365 days at 1 h (8,761 points)', () => repo.series(1, { from: now - 365 * 86_400_000, to: now, resolution: '1h', limit: 100_000 })],
        ];
        for (const [query, run] of queries) {
          for (let i = 0; i < 10; i++) await run();
          const xs: number[] = [];
          for (let i = 0; i < o.runs; i++) {
            const t0 = performance.now();
            await run();
            xs.push(performance.now() - t0);
          }
          const { p50, p99 } = latencySummary(xs);
          results.push({ mode, query, p50, p99 });
          console.log(`${mode.padEnd(9)} ${query.padEnd(38)} p50 ${p50.toFixed(1).padStart(6)} ms   p99 ${p99.toFixed(1).padStart(6)} ms`);
        }
      } finally {
        await db.close();
      }
    }
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
  const file = await writeResult('storage-queries', o.out, o, results);
  if (file) console.log(`\nresult: ${file}`);
  return results;
}
