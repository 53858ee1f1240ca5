/**
 * The composition root: the only module that chooses and wires adapters (embedded or server
 * database, embedded broker or external one). main.ts calls it; tests wire what they need.
 */
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger as Pino } from 'pino';
import type { Database } from './adapters/db/db.schema.ts';
import { AlertRepository } from './adapters/db/alert.repository.ts';
import { AuditRepository } from './adapters/db/audit.repository.ts';
import { MaintenanceRepository } from './adapters/db/maintenance.repository.ts';
import { RuleRepository } from './adapters/db/rule.repository.ts';
import { DeviceRepository } from './adapters/db/device.repository.ts';
import { CredentialRepository, DelegationRepository, UserRepository } from './adapters/db/identity.repository.ts';
import { migrate } from './adapters/db/migrate.ts';
import { OrgUnitRepository } from './adapters/db/org-unit.repository.ts';
import { DataDirInUse, openPGlite } from './adapters/db/pglite.database.ts';
import { openPostgres } from './adapters/db/postgres.database.ts';
import { loadStaticAssets } from './adapters/web/static-files.ts';
import { ReadingRepository } from './adapters/db/reading.repository.ts';
import { PrometheusMetrics } from './adapters/metrics/prometheus.metrics.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './adapters/mqtt/embedded-broker.adapter.ts';
import { startExternalSubscriber, type ExternalSubscriber } from './adapters/mqtt/external-broker.adapter.ts';
import { buildApp } from './app.ts';
import type { Config } from './config/config.ts';
import { DEFAULT_ESCALATION, type EscalationPolicy, type WarningThresholds } from '@haidang/domain';
import type { Logger } from './services/ports.ts';
import { startRetentionJob } from './jobs/retention.job.ts';
import { loadOrgPreset } from './config/org-presets.ts';
import { loadRulePreset } from './config/warning-rules.ts';
import { shippedWarningThresholds } from './config/warning-thresholds.ts';
import { DerivedSeries } from './services/derived-series.ts';
import { AccessPolicy } from './services/access-policy.ts';
import { AlertEngine } from './services/alert-engine.ts';
import { AlertStream } from './services/alert-stream.ts';
import { AlertService } from './services/alert.service.ts';
import { BacktestService } from './services/backtest.ts';
import { MaintenanceService } from './services/maintenance.service.ts';
import { MapService } from './services/map.service.ts';
import { RuleService } from './services/rule.service.ts';
import { AuditService, type VerifyResult } from './services/audit.service.ts';
import { AuthService, sha256Hex } from './services/auth.service.ts';
import { DelegationService } from './services/delegation.service.ts';
import { DeviceDirectory } from './services/device-directory.ts';
import { DeviceService } from './services/device.service.ts';
import { type IngestAuthMode, IngestService } from './services/ingest.service.ts';
import { MqttIngest } from './services/mqtt-ingest.ts';
import { OrgUnitService } from './services/org-unit.service.ts';
import { LatestValues } from './services/latest-values.ts';
import { LiveHub } from './services/live-hub.ts';
import { ReadingWriter } from './services/reading-writer.ts';
import { PasswordHasher, type ScryptParams } from './services/password-hasher.ts';
import { systemContext } from './services/request-context.ts';
import { SeriesService } from './services/series.service.ts';
import { UserService } from './services/user.service.ts';
import { StartupError, portInUse } from './services/startup-error.ts';
import { loadDemoDevices, startSimulator, type Simulator } from './sim/simulator.ts';

export const VERSION = '0.1.0';
/** Settings key: which warning-rule preset was installed (so deleted rules are not reinstalled). */
const RULE_PRESET_KEY = 'warning_rules_preset';

export interface Ioc {
  config: Config;
  app: FastifyInstance;
  database: Database;
  httpUrl: string;
  /** mqtt://host:port of the embedded broker, if it runs. */
  mqttUrl: string | undefined;
  log: Pino;
  /** The wired services (operations tooling and tests reach the engine, the stores). */
  services: Services;
  /** Graceful stop: no new work, everything acknowledged committed, then close. */
  close(): Promise<void>;
}

async function openDatabase(config: Config, log: Pino): Promise<Database> {
  if (config.databaseUrl) {
    try {
      return await openPostgres(config.databaseUrl);
    } catch (e) {
      throw new StartupError('DATABASE_URL', `cannot connect: ${(e as Error).message}`);
    }
  }
  const dir = resolve(config.dataDir, 'pglite');
  log.info({ dir }, 'opening the embedded database (PGlite)');
  try {
    return await openPGlite(dir);
  } catch (e) {
    if (e instanceof DataDirInUse) throw new StartupError('IOC_DATA_DIR', e.message);
    throw new StartupError('IOC_DATA_DIR', `cannot open the embedded database in ${dir}: ${(e as Error).message}`);
  }
}

/**
 * `hai-dang audit verify`: walks the audit log's hash chain in the configured database and reports
 * the first broken link. Embedded mode needs the IOC stopped (one process per data folder); with a
 * running IOC use GET /api/v1/audit/verify.
 */
export async function verifyAuditLog(config: Config): Promise<VerifyResult> {
  const database = await openDatabase(config, pino({ level: 'silent' }));
  try {
    return await new AuditService(new AuditRepository(database.db), Date.now, sha256Hex).verify();
  } finally {
    await database.close();
  }
}

/** The services over a database's repositories: the one wiring, shared by startIoc and the tests. */
export function wireServices(
  database: Database,
  opts: {
    clock: () => number;
    maxPayloadBytes: number;
    scrypt?: ScryptParams;
    ingestAuth?: IngestAuthMode;
    escalation?: EscalationPolicy;
    /** Validated warning thresholds (default: the shipped preset). */
    thresholds?: WarningThresholds;
    log?: Logger;
    engineTickMs?: number;
  },
) {
  const clock = opts.clock;
  const log = opts.log ?? pino({ level: 'silent' });
  const metrics = new PrometheusMetrics();
  const audit = new AuditService(new AuditRepository(database.db), clock, sha256Hex);
  const units = new OrgUnitService(new OrgUnitRepository(database.db), audit);
  const access = new AccessPolicy(units);
  const deviceStore = new DeviceRepository(database.db);
  const readingStore = new ReadingRepository(database.db);
  const userStore = new UserRepository(database.db);
  const credentials = new CredentialRepository(database.db);
  const hasher = new PasswordHasher(opts.scrypt);
  const auth = new AuthService(userStore, new DelegationRepository(database.db), credentials, units, hasher, audit, clock);
  const users = new UserService(userStore, credentials, units, access, auth, hasher, audit, clock);
  const delegations = new DelegationService(new DelegationRepository(database.db), userStore, units, audit, clock, () => auth.invalidate());
  const directory = new DeviceDirectory(deviceStore);
  const devices = new DeviceService(deviceStore, units, directory, access, audit, clock);
  const writer = new ReadingWriter(readingStore, metrics);
  const ingest = new IngestService(directory, writer, metrics, clock, opts.maxPayloadBytes, access, opts.ingestAuth);
  const latest = new LatestValues(readingStore);
  const live = new LiveHub(directory);
  const alertStore = new AlertRepository(database.db);
  const alertStream = new AlertStream(alertStore);
  const maintenance = new MaintenanceService(new MaintenanceRepository(database.db), units, directory, access, audit, clock);
  const ruleStore = new RuleRepository(database.db);
  const engine = new AlertEngine({ rules: ruleStore, alerts: alertStore, stream: alertStream, directory, units, readings: readingStore, latest, calendar: maintenance, clock, log, metrics, ...(opts.engineTickMs && { tickMs: opts.engineTickMs }) });
  metrics.watchAlerts(() => ({ ...engine.status(), streamClients: alertStream.size }));
  const rules = new RuleService(ruleStore, units, access, audit, clock, (id) => engine.reload(id));
  const backtest = new BacktestService(rules, directory, units, readingStore, audit, clock);
  const alerts = new AlertService(alertStore, alertStream, units, access, audit, clock, opts.escalation ?? DEFAULT_ESCALATION, log);
  const derived = new DerivedSeries({ directory, devices: deviceStore, writer, store: readingStore, thresholds: opts.thresholds ?? shippedWarningThresholds(), clock, log });
  writer.onCommitted((readings) => {
    latest.apply(readings);
    // Derived readings (indices, levels, sums) are written back through the writer: rules see them in their own batch.
    derived.apply(readings);
    engine.apply(readings);
    live.publish(readings);
  });
  const series = new SeriesService(directory, units, latest, readingStore, access, audit, clock);
  const map = new MapService({ directory, latest, units, access, alerts: alertStore, offline: engine });
  /** Loads the in-memory state (devices, latest values, maintenance windows) from the database: once, before serving. */
  const loadState = async () => {
    await directory.load();
    await latest.load(directory.seriesIds());
    await maintenance.load();
    await derived.load();
  };
  return {
    metrics, audit, units, access, auth, users, delegations, readingStore, directory, devices, writer, ingest, series, live,
    alertStore, alertStream, maintenance, ruleStore, rules, backtest, alerts, engine, derived, map, loadState,
  };
}

export type Services = ReturnType<typeof wireServices>;

/** Starts the whole IOC from a validated configuration. */
export async function startIoc(config: Config, opts: { logger?: Pino; clock?: () => number } = {}): Promise<Ioc> {
  const log = opts.logger ?? pino({ level: config.logLevel, base: { service: 'hai-dang' } });
  const clock = opts.clock ?? Date.now;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch((e: Error) => log.error({ err: e.message }, 'error while closing'));
  };
  try {
    const database = await openDatabase(config, log);
    closers.push(() => database.close());
    const applied = await migrate(database);
    if (applied.length) log.info({ applied }, 'database migrations applied');

    const services = wireServices(database, {
      clock,
      maxPayloadBytes: config.maxPayloadBytes,
      ingestAuth: config.ingestAuth,
      escalation: config.escalation,
      thresholds: config.warningThresholds,
      log,
    });
    const { metrics, units, readingStore, directory, devices, writer, ingest, loadState } = services;
    const mqttIngest = new MqttIngest(ingest, log, clock);
    // Closers run in reverse: listeners stop first, then every accepted reading commits, then
    // the alerts it raised are written, then the database closes.
    closers.push(() => services.engine.stop());
    closers.push(async () => {
      services.derived.stop();
      await services.derived.drain();
    });
    closers.push(() => services.alerts.stop());
    closers.push(() => writer.drain());

    // The org tree preset: written at set-up (or when IOC_ORG_PRESET changes); later only missing units are added.
    const preset = await units.applyPreset(await loadOrgPreset(config.orgPreset));
    if (preset.changed || preset.added) log.info(preset, 'org tree preset applied');
    const system = systemContext(await units.root());
    const admin = await services.users.ensureFirstAdmin(system, config.adminPassword);
    if (admin.generatedPassword) {
      // Printed once, on standard output, so that a new operator can sign in; it is never logged again.
      process.stdout.write(`\nHải Đăng: first admin account created. Username: admin  Password: ${admin.generatedPassword}\n` + `Tài khoản quản trị đầu tiên: admin / ${admin.generatedPassword} — hãy đổi mật khẩu sau khi đăng nhập.\n\n`);
    } else if (admin.created) log.info('first admin account "admin" created with IOC_ADMIN_PASSWORD');
    if (config.demo && (await devices.count()) === 0) {
      const tree = await units.tree();
      // Demo devices carry 2023 unit codes: under a later layout they go to the units that replaced them.
      const demo = (await loadDemoDevices()).map((d) => ({ ...d, unitCode: tree.current(d.unitCode) ?? d.unitCode }));
      const r = await devices.import(system, demo.map((input, i) => ({ row: i + 1, input })), { mode: 'upsert' });
      log.info({ devices: r.imported }, 'demo city devices imported');
    }
    await loadState();
    // The default warning rules: installed once; later the operators own them (edits, deletions stay).
    if ((await units.getSetting(RULE_PRESET_KEY)) === undefined) {
      const rulePreset = await loadRulePreset();
      let installed = 0;
      for (const rule of rulePreset.rules) {
        const id = (rule as { id?: string }).id;
        if (id && (await services.ruleStore.get(id))) continue;
        await services.rules.create(system, rule);
        installed++;
      }
      await units.setSetting(RULE_PRESET_KEY, rulePreset.id);
      log.info({ preset: rulePreset.id, installed }, 'default warning rules installed');
    }
    await services.engine.start();
    services.alerts.start();
    services.derived.start();
    directory.onChange(() => void services.engine.devicesChanged().catch((e: Error) => log.error({ err: e.message }, 'rules could not bind the changed devices')));

    let broker: EmbeddedBroker | undefined;
    let external: ExternalSubscriber | undefined;
    if (config.mqttUrl) {
      external = await startExternalSubscriber({
        url: config.mqttUrl,
        group: config.mqttShareGroup,
        clientId: config.mqttClientId,
        ingest: mqttIngest,
        log,
      });
      closers.push(() => external!.close());
    } else if (config.mqttPort > 0) {
      broker = await startEmbeddedBroker({
        host: config.mqttHost,
        port: config.mqttPort,
        ingest: mqttIngest,
        directory,
        log,
        onClients: (n) => metrics.mqttClients.set(n),
        onTokenUsed: (id) => void devices.tokenUsed(id).catch((e: Error) => log.warn({ err: e.message, device: id }, 'could not record the token use')),
        signIn: async (password) => {
          const found = await services.auth.authenticate(password);
          return found ? { actor: found.actor } : undefined;
        },
        requireCredentials: config.ingestAuth === 'credentials',
      });
      closers.push(() => broker!.close());
    }

    const consoleAssets = await loadStaticAssets(config.consoleDir);
    if (!consoleAssets) log.warn({ dir: config.consoleDir }, 'the operator console is not built: /console answers 503 until `npm run build` (npm start builds it)');
    const app = await buildApp({
      services,
      secureCookie: config.cookieSecure,
      trustProxy: config.trustProxy,
      checks: [
        { name: 'database', check: async () => (await devices.count()) >= 0 },
        { name: 'mqtt', check: async () => (external ? external.connected() : true) },
      ],
      metricsText: () => metrics.text(),
      bodyLimit: config.maxPayloadBytes,
      logger: log,
      version: VERSION,
      console: { assets: consoleAssets, tileUrl: config.mapTileUrl, tileAttribution: config.mapTileAttribution },
    });
    try {
      await app.listen({ port: config.httpPort, host: config.httpHost });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse('IOC_HTTP_PORT', config.httpHost, config.httpPort);
      throw e;
    }
    closers.push(() => app.close());
    const address = app.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.httpPort;
    const local = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
    const httpUrl = `http://${local(config.httpHost)}:${httpPort}`;
    const mqttUrl = broker ? `mqtt://${local(config.mqttHost)}:${broker.port}` : undefined;

    const retention = startRetentionJob({ store: readingStore, policy: config.retention, clock, log });
    closers.push(() => retention.stop());

    let sim: Simulator | undefined;
    const simUrl = config.mqttUrl ?? mqttUrl;
    if (config.demo && simUrl) {
      sim = await startSimulator({
        url: simUrl,
        devices: await loadDemoDevices(),
        scenario: config.simScenario,
        speed: config.simSpeed,
        log: (msg) => log.debug({ sim: true }, msg),
      });
      closers.push(() => sim!.stop());
      log.info({ scenario: config.simScenario, speed: config.simSpeed }, 'demo simulator publishing over MQTT');
    } else if (config.demo) {
      log.warn('IOC_DEMO is on but there is no MQTT broker (IOC_MQTT_PORT=0 and no MQTT_URL): the simulator does not run');
    }

    log.info({ http: httpUrl, console: consoleAssets ? `${httpUrl}/console/` : 'not built', mqtt: mqttUrl ?? config.mqttUrl ?? 'off', database: database.mode, devices: directory.size }, 'Hải Đăng IOC ready');
    return { config, app, database, httpUrl, mqttUrl, log, services, close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
