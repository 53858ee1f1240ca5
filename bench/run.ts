/**
 * `npm run bench -- <name> [options]`: runs one benchmark against a real IOC process.
 * `npm run bench -- --help` lists them.
 */
import { pathToFileURL } from 'node:url';
import { ALERTS_OPTIONS, runAlerts, type AlertsOptions } from './alerts.bench.ts';
import { main, type BenchDef } from './cli.ts';
import { CONSOLE_OPTIONS, runConsole, type ConsoleOptions } from './console.bench.ts';
import { INGEST_OPTIONS, runIngest, type IngestOptions } from './ingest.bench.ts';
import { QUERIES_OPTIONS, runQueries, type QueriesOptions } from './queries.bench.ts';
import { runScope, SCOPE_OPTIONS, type ScopeOptions } from './scope.bench.ts';
import { STORAGE_QUERIES_OPTIONS, runStorageQueries } from './storage-queries.bench.ts';

export const BENCHES: Record<string, BenchDef> = {
  ingest: {
    summary: 'sustained readings/s stored over MQTT QoS 0, QoS 1 and HTTP batches; ack latency; peak RSS (embedded and PostgreSQL)',
    options: INGEST_OPTIONS,
    run: (o) => runIngest(o as IngestOptions),
  },
  queries: {
    summary: 'latest values of 1,000 devices, and one year of one series at 1 h resolution: p50/p99 over HTTP',
    options: QUERIES_OPTIONS,
    run: (o) => runQueries(o as QueriesOptions),
  },
  'storage-queries': {
    summary: 'the same two reads at the storage layer (SQL and decoding, no HTTP): p50/p99, embedded and PostgreSQL',
    options: STORAGE_QUERIES_OPTIONS,
    run: (o) => runStorageQueries(o as { 'pg-url': string; runs: number; out: string }),
  },
  scope: {
    summary: 'scope filtering on the device list and latest values (10,000 devices, 2,000 org units) beside the unfiltered query; auth per request; login (scrypt) cost',
    options: SCOPE_OPTIONS,
    run: (o) => runScope(o as ScopeOptions),
  },
  alerts: {
    summary: 'rule engine under load: publish → SSE alert latency p50/p99 with 1,000 rules and 10,000 readings/s over MQTT; ingest throughput rules on vs off; RSS (embedded and PostgreSQL)',
    options: ALERTS_OPTIONS,
    run: (o) => runAlerts(o as AlertsOptions),
  },
  console: {
    summary: 'operator console in headless Chromium: first-view JavaScript (gzip) against its budget; first load of the overview with the demo running, p50/p95; long tasks while panning a map of 10,000 devices',
    options: CONSOLE_OPTIONS,
    run: (o) => runConsole(o as ConsoleOptions),
  },
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), BENCHES);
}
