/**
 * The HTTP application wired as compose.ts wires it (repositories → services → buildApp), on a
 * database the test opened, without brokers, listeners or jobs: for `app.inject()` tests.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Database } from '../../src/adapters/db/db.schema.ts';
import type { PrometheusMetrics } from '../../src/adapters/metrics/prometheus.metrics.ts';
import { buildApp } from '../../src/app.ts';
import { wireServices } from '../../src/compose.ts';
import type { DeviceDirectory } from '../../src/services/device-directory.ts';
import type { DeviceService } from '../../src/services/device.service.ts';
import type { IngestService } from '../../src/services/ingest.service.ts';
import type { OrgUnitService } from '../../src/services/org-unit.service.ts';
import type { ReadingWriter } from '../../src/services/reading-writer.ts';
import type { SeriesService } from '../../src/services/series.service.ts';
import type { OrgUnit } from '../../src/services/ports.ts';
import { UNITS } from './fixtures.ts';

export interface TestAppOptions {
  /** Time as the services see it (ms since the epoch); default Date.now. */
  clock?: () => number;
  /** Largest HTTP body / payload, bytes; default 1 MiB as in production. */
  bodyLimit?: number;
  /** Org tree to seed; default the fixtures' UNITS. */
  units?: OrgUnit[];
  /** Sees every route as it is added (OpenAPI completeness tests). */
  onRoute?: (route: RouteOptions) => void;
}

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  metrics: PrometheusMetrics;
  units: OrgUnitService;
  directory: DeviceDirectory;
  devices: DeviceService;
  writer: ReadingWriter;
  ingest: IngestService;
  series: SeriesService;
  /** Closes the app and waits for pending readings; the database stays open (the test owns it). */
  close(): Promise<void>;
}

export async function buildTestApp(database: Database, opts: TestAppOptions = {}): Promise<TestApp> {
  const clock = opts.clock ?? Date.now;
  const bodyLimit = opts.bodyLimit ?? 1_048_576;

  const { metrics, units, directory, devices, writer, ingest, series, loadState } = wireServices(database, { clock, maxPayloadBytes: bodyLimit });

  await units.seed(opts.units ?? UNITS);
  await loadState();

  const app = await buildApp({
    devices,
    ingest,
    series,
    units,
    checks: [{ name: 'database', check: async () => (await devices.count()) >= 0 }],
    metricsText: () => metrics.text(),
    bodyLimit,
    logger: false,
    version: '0.0.0-test',
    ...(opts.onRoute ? { onRoute: opts.onRoute } : {}),
  });

  return {
    app,
    database,
    metrics,
    units,
    directory,
    devices,
    writer,
    ingest,
    series,
    async close() {
      await app.close();
      await writer.drain();
    },
  };
}

/** The value of one sample of the Prometheus text exposition, 0 when the series is absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return 0;
}
