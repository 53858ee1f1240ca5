/**
 * The HTTP application wired as compose.ts wires it (repositories → services → buildApp), on a
 * database the test opened, without brokers, listeners or jobs: for `app.inject()` tests.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import type { Database } from '../../src/adapters/db/db.schema.ts';
import type { PrometheusMetrics } from '../../src/adapters/metrics/prometheus.metrics.ts';
import { buildApp } from '../../src/app.ts';
import { wireServices, type Services } from '../../src/compose.ts';
import { systemContext } from '../../src/services/request-context.ts';
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
  /** Alert stream tuning passed to buildApp (a short heartbeat in stream tests). */
  alertStreamOptions?: { heartbeatMs?: number };
  /** The rule engine's absence tick; tests that call engine.tick() themselves set it long. */
  engineTickMs?: number;
}

/** The first admin's password in tests (the same as IOC_ADMIN_PASSWORD in process tests). */
export const TEST_ADMIN_PASSWORD = 'Lighthouse-Test-2026!';
/** Cheap scrypt for tests: the policy and the code path are the same, the cost is not. */
export const TEST_SCRYPT = { log2N: 10, r: 8, p: 1 };

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  /** A bearer token of the first admin ("admin", system admin over the whole tree). */
  adminToken: string;
  /** app.inject as the first admin on /api/ routes (bearer token added unless the request sets authorization). */
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
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

  const services = wireServices(database, { clock, maxPayloadBytes: bodyLimit, scrypt: TEST_SCRYPT, ...(opts.engineTickMs ? { engineTickMs: opts.engineTickMs } : {}) });
  const { metrics, units, directory, devices, writer, ingest, series, loadState } = services;

  await units.applyPreset({ preset: 'test', units: opts.units ?? UNITS });
  await services.users.ensureFirstAdmin(systemContext(await units.root()), TEST_ADMIN_PASSWORD);
  await loadState();
  await services.engine.start();

  const app = await buildApp({
    services,
    secureCookie: false,
    checks: [{ name: 'database', check: async () => (await devices.count()) >= 0 }],
    metricsText: () => metrics.text(),
    bodyLimit,
    logger: false,
    version: '0.0.0-test',
    ...(opts.onRoute ? { onRoute: opts.onRoute } : {}),
    ...(opts.alertStreamOptions ? { alertStreamOptions: opts.alertStreamOptions } : {}),
  });

  const adminToken = (await services.auth.login('admin', TEST_ADMIN_PASSWORD, { kind: 'bearer' })).token;
  return {
    app,
    services,
    adminToken,
    inject: (o: InjectOptions) => (String(o.url ?? '').startsWith('/api/') ? app.inject({ ...o, headers: { authorization: `Bearer ${adminToken}`, ...o.headers } }) : app.inject(o)),
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
      await services.alerts.stop();
      services.derived.stop();
      await services.derived.drain();
      await services.engine.stop();
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
