/**
 * The test application with the early-warning services of this suite (rules, backtests,
 * maintenance windows) wired over the same repositories as compose.ts wires the rest, so that
 * their tests can watch what the services report (onChange) whatever compose.ts wires.
 */
import type { Database } from '../../src/adapters/db/db.schema.ts';
import { MaintenanceRepository } from '../../src/adapters/db/maintenance.repository.ts';
import { RuleRepository } from '../../src/adapters/db/rule.repository.ts';
import { buildApp } from '../../src/app.ts';
import { wireServices } from '../../src/compose.ts';
import { BacktestService } from '../../src/services/backtest.ts';
import { MaintenanceService } from '../../src/services/maintenance.service.ts';
import { systemContext } from '../../src/services/request-context.ts';
import { RuleService } from '../../src/services/rule.service.ts';
import type { SeriesReading } from '../../src/services/ports.ts';
import { UNITS } from './fixtures.ts';
import { TEST_ADMIN_PASSWORD, TEST_SCRYPT, type TestApp, type TestAppOptions } from './test-app.ts';

export interface EarlyWarningTestApp extends TestApp {
  rules: RuleService;
  backtest: BacktestService;
  maintenance: MaintenanceService;
  maintenanceStore: MaintenanceRepository;
  /** Rule ids reported to onChange, in order. */
  changes: string[];
  /** Writes readings straight to the store (history for backtests). */
  seed(readings: SeriesReading[]): Promise<void>;
  /** The series id of a device attribute. */
  seriesOf(deviceId: string, attr: string): number;
}

export async function buildEarlyWarningApp(database: Database, opts: TestAppOptions = {}): Promise<EarlyWarningTestApp> {
  const clock = opts.clock ?? Date.now;
  const bodyLimit = opts.bodyLimit ?? 1_048_576;
  const base = wireServices(database, { clock, maxPayloadBytes: bodyLimit, scrypt: TEST_SCRYPT });
  const changes: string[] = [];
  const rules = new RuleService(new RuleRepository(database.db), base.units, base.access, base.audit, clock, (id) => void changes.push(id));
  const backtest = new BacktestService(rules, base.directory, base.units, base.readingStore, base.audit, clock);
  const maintenanceStore = new MaintenanceRepository(database.db);
  const maintenance = new MaintenanceService(maintenanceStore, base.units, base.directory, base.access, base.audit, clock);
  const services = { ...base, rules, backtest, maintenance };

  await base.units.applyPreset({ preset: 'test', units: opts.units ?? UNITS });
  await base.users.ensureFirstAdmin(systemContext(await base.units.root()), TEST_ADMIN_PASSWORD);
  await base.loadState();
  await maintenance.load();

  const app = await buildApp({
    services,
    secureCookie: false,
    checks: [{ name: 'database', check: async () => (await base.devices.count()) >= 0 }],
    metricsText: () => base.metrics.text(),
    bodyLimit,
    logger: false,
    version: '0.0.0-test',
    ...(opts.onRoute ? { onRoute: opts.onRoute } : {}),
  });
  const adminToken = (await base.auth.login('admin', TEST_ADMIN_PASSWORD, { kind: 'bearer' })).token;
  return {
    app,
    services: base,
    adminToken,
    inject: (o) => (String(o.url ?? '').startsWith('/api/') ? app.inject({ ...o, headers: { authorization: `Bearer ${adminToken}`, ...o.headers } }) : app.inject(o)),
    database,
    metrics: base.metrics,
    units: base.units,
    directory: base.directory,
    devices: base.devices,
    writer: base.writer,
    ingest: base.ingest,
    series: base.series,
    rules,
    backtest,
    maintenance,
    maintenanceStore,
    changes,
    async seed(readings) {
      for (let i = 0; i < readings.length; i += 5000) await base.readingStore.write(readings.slice(i, i + 5000));
    },
    seriesOf(deviceId, attr) {
      const id = base.directory.get(deviceId)?.series[attr];
      if (id === undefined) throw new Error(`no series ${deviceId}/${attr}`);
      return id;
    },
    async close() {
      await app.close();
      await base.writer.drain();
    },
  };
}
