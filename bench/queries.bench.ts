/**
 * `npm run bench -- queries`: read latency of a real IOC process over HTTP, in embedded and
 * PostgreSQL modes.
 *
 *  - latest: `GET /api/v1/latest` with N devices (default 1,000 × 6 attributes), each with a
 *    latest value sent through `POST /iot/json`.
 *  - year-1h: `GET /api/v1/devices/:id/series/pm25?resolution=1h` over one year of per-minute
 *    data (525,600 readings). The year is written with the IOC stopped, straight through the
 *    ReadingRepository (the write path's own statement, so raw readings, rollup_1m, rollup_1h
 *    and latest are exactly what ingestion would have produced), in batches of 20,000.
 *
 * Each query runs `--requests` times one after the other on a keep-alive connection, after a
 * warm-up; p50 and p99 are of the whole request (server time + transfer of the body).
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Database } from '../packages/server/src/adapters/db/db.schema.ts';
import { openPGlite } from '../packages/server/src/adapters/db/pglite.database.ts';
import { openPostgres } from '../packages/server/src/adapters/db/postgres.database.ts';
import { ReadingRepository } from '../packages/server/src/adapters/db/reading.repository.ts';
import type { SeriesReading } from '../packages/server/src/services/ports.ts';
import type { OptionSpecs, Options } from './cli.ts';
import { APIKEY, ATTRS, deviceId, measure, registerDevices } from './lib/fleet.ts';
import { authHeaders, createStore, forEachMode, DEFAULT_PG_URL, startIocProcess, type IocProcess, type Mode, type Store } from './lib/server.ts';
import { int, latencySummary, ms, table } from './lib/stats.ts';
import { writeResult } from './lib/result.ts';

export const QUERIES_OPTIONS = {
  modes: { type: 'list', default: 'embedded,postgres', choices: ['embedded', 'postgres'], help: 'storage modes' },
  devices: { type: 'number', default: 1000, help: 'devices with a latest value' },
  days: { type: 'number', default: 365, help: 'days of per-minute data in the long series' },
  requests: { type: 'number', default: 200, help: 'requests per query (after 20 warm-up requests)' },
  'pg-url': { type: 'string', default: DEFAULT_PG_URL, help: 'PostgreSQL server for postgres mode (a bench_* database is created and dropped)' },
  out: { type: 'string', default: 'bench/results', help: 'folder for the JSON result ("" = do not write)' },
} satisfies OptionSpecs;

export type QueriesOptions = Options<typeof QUERIES_OPTIONS>;

export interface QueryResult {
  mode: Mode;
  query: string;
  path: string;
  /** ms */
  latency: { n: number; p50: number; p99: number; max: number };
  responseBytes: number;
  targetMs: number;
  /** What the response held, checked: devices with 6 values, or points and Σ count. */
  check: string;
}

export interface QueriesModeResult {
  mode: Mode;
  /** Seconds to write the year of per-minute readings through the ReadingRepository. */
  seedSeconds: number;
  seedReadings: number;
  queries: QueryResult[];
}

type Log = (line: string) => void;
const MINUTE = 60_000;
const DAY = 86_400_000;

async function openStore(store: Store): Promise<Database> {
  return store.databaseUrl ? openPostgres(store.databaseUrl) : openPGlite(join(store.dataDir, 'pglite'));
}

/** One measurement of every attribute per device, through HTTP ingestion, 16 requests at a time. */
async function sendLatest(ioc: IocProcess, n: number, ts: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        const i = next++;
        const r = await fetch(`${ioc.httpUrl}/iot/json?k=${APIKEY}&i=${deviceId(i)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(measure(ts, i)),
        });
        if (!r.ok) throw new Error(`ingest for ${deviceId(i)}: HTTP ${r.status} ${await r.text()}`);
      }
    }),
  );
}

/** Writes `days` of per-minute readings of one series, ending `end`, in batches of 20,000. */
async function seedYear(store: Store, device: string, attr: string, days: number, end: number): Promise<{ readings: number; seconds: number }> {
  const database = await openStore(store);
  try {
    const row = await sql<{ id: number }>`SELECT id FROM series WHERE device_id = ${device} AND attr = ${attr}`.execute(database.db);
    const seriesId = row.rows[0]?.id;
    if (seriesId === undefined) throw new Error(`no series for ${device}/${attr}`);
    const repo = new ReadingRepository(database.db);
    const first = Math.floor((end - days * DAY) / MINUTE) * MINUTE;
    const total = Math.floor((end - first) / MINUTE);
    const t0 = performance.now();
    let written = 0;
    for (let i = 0; i < total; i += 20_000) {
      const batch: SeriesReading[] = [];
      for (let k = i; k < Math.min(total, i + 20_000); k++) {
        // A daily cycle with some noise, within pm25's range.
        const value = Math.round((35 + 20 * Math.sin((2 * Math.PI * k) / 1440) + ((k * 7919) % 100) / 10) * 10) / 10;
        batch.push({ seriesId, ts: first + k * MINUTE, value });
      }
      written += await repo.write(batch);
    }
    return { readings: written, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await database.close();
  }
}

async function measureQuery(url: string, requests: number, headers: Record<string, string>): Promise<{ latency: QueryResult['latency']; bytes: number; body: unknown }> {
  let bytes = 0;
  let body: unknown;
  const once = async () => {
    const t0 = performance.now();
    const r = await fetch(url, { headers });
    const buf = await r.arrayBuffer();
    const t = performance.now() - t0;
    if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status} ${Buffer.from(buf).toString().slice(0, 300)}`);
    bytes = buf.byteLength;
    return { t, buf };
  };
  for (let i = 0; i < 20; i++) body = JSON.parse(Buffer.from((await once()).buf).toString());
  const samples: number[] = [];
  for (let i = 0; i < requests; i++) samples.push((await once()).t);
  return { latency: latencySummary(samples), bytes, body };
}

export async function runQueriesMode(mode: Mode, o: QueriesOptions, log: Log): Promise<QueriesModeResult> {
  const store = await createStore(mode, o['pg-url']);
  let ioc: IocProcess | undefined;
  try {
    // 1. Devices and their latest values, through the API.
    ioc = await startIocProcess(store);
    await registerDevices(ioc.httpUrl, o.devices);
    const now = Date.now();
    await sendLatest(ioc, o.devices, now - MINUTE);
    await ioc.stop();
    ioc = undefined;

    // 2. A year of one series, written by the write path's statement with the IOC stopped.
    const device = deviceId(0);
    const attr = ATTRS[0];
    const seed = await seedYear(store, device, attr, o.days, now - 2 * MINUTE);
    log(`  ${mode}: ${int(seed.readings)} per-minute readings written in ${seed.seconds.toFixed(1)} s (${int(seed.readings / seed.seconds)}/s, batches of 20,000)`);

    // 3. Queries against a fresh IOC (raw retention off, so that the start-up purge stays idle).
    ioc = await startIocProcess(store, { IOC_RETENTION_RAW_DAYS: '0' });
    const queries: QueryResult[] = [];

    const latestPath = '/api/v1/latest';
    const latest = await measureQuery(`${ioc.httpUrl}${latestPath}`, o.requests, await authHeaders(ioc.httpUrl));
    const items = (latest.body as { items: { values: Record<string, unknown> }[] }).items;
    const full = items.filter((d) => Object.keys(d.values).length === ATTRS.length).length;
    queries.push({ mode, query: `latest, ${o.devices} devices`, path: latestPath, latency: latest.latency, responseBytes: latest.bytes, targetMs: 20, check: `${items.length} devices, ${full} with all ${ATTRS.length} values` });

    const from = new Date(now - o.days * DAY - DAY).toISOString();
    const to = new Date(now).toISOString();
    const seriesPath = `/api/v1/devices/${device}/series/${attr}?resolution=1h&from=${from}&to=${to}`;
    const series = await measureQuery(`${ioc.httpUrl}${seriesPath}`, o.requests, await authHeaders(ioc.httpUrl));
    const points = (series.body as { points: { count?: number }[] }).points;
    const count = points.reduce((n, p) => n + (p.count ?? 0), 0);
    queries.push({ mode, query: `${o.days} days at 1 h`, path: seriesPath, latency: series.latency, responseBytes: series.bytes, targetMs: 50, check: `${points.length} hourly points, Σcount ${count}` });

    for (const q of queries) log(`  ${mode} ${q.query}: p50 ${ms(q.latency.p50)} ms, p99 ${ms(q.latency.p99)} ms (${q.check}; ${int(q.responseBytes / 1024)} KB)`);
    return { mode, seedSeconds: seed.seconds, seedReadings: seed.readings, queries };
  } finally {
    await ioc?.stop();
    await store.remove();
  }
}

export function queriesTable(results: QueriesModeResult[]): string {
  return table(
    ['mode', 'query', 'p50 ms', 'p99 ms', 'max ms', 'body KB', 'target', 'check'],
    results.flatMap((m) =>
      m.queries.map((q) => [q.mode, q.query, ms(q.latency.p50), ms(q.latency.p99), ms(q.latency.max), int(q.responseBytes / 1024), `< ${q.targetMs} ms`, q.check]),
    ),
  );
}

export async function runQueries(o: QueriesOptions, log: Log = (l) => process.stdout.write(`${l}\n`)): Promise<{ results: QueriesModeResult[]; file: string | undefined }> {
  log(`queries: ${o.devices} devices; ${o.days} days of per-minute data in one series; ${o.requests} requests per query`);
  const results = await forEachMode(o.modes, o['pg-url'], log, (mode) => runQueriesMode(mode, o, log));
  log('');
  log(queriesTable(results));
  const file = await writeResult('queries', o.out, o, results);
  if (file) log(`\nresult: ${file}`);
  return { results, file };
}
