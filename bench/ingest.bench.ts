/**
 * `npm run bench -- ingest`: sustained ingestion into a real IOC process, from separate load
 * processes, over MQTT QoS 0, MQTT QoS 1 and HTTP batches, in embedded (PGlite) and PostgreSQL
 * modes. Reports readings per second stored (committed, counted by the IOC after commit) over a
 * steady-state window, checks afterwards that they are queryable through the series API, the
 * acknowledgement latency (PUBACK, HTTP response) p50/p99, and the IOC process's peak RSS.
 *
 * Each scenario runs on a fresh IOC and a fresh store (a PGlite folder, or a PostgreSQL database
 * created and dropped), so the figures are independent of each other.
 */
import pg from 'pg';
import type { LoadResult, LoadTask } from './load-worker.ts';
import { CpuMeter } from './lib/cpu.ts';
import { ATTRS, registerDevices } from './lib/fleet.ts';
import { authHeaders, createStore, procStatus, scrape, DEFAULT_PG_URL, postgresUnavailable, RssSampler, startIocProcess, type IocProcess, type Mode, type Store } from './lib/server.ts';
import { concatSamples, int, latencySummary, ms, sleep, table } from './lib/stats.ts';
import { startWorkers, type WorkerGroup } from './lib/workers.ts';
import type { OptionSpecs, Options } from './cli.ts';
import { writeResult } from './lib/result.ts';

export const SCENARIOS = ['mqtt-qos0', 'mqtt-qos1', 'http'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const INGEST_OPTIONS = {
  seconds: { type: 'number', default: 15, help: 'measured window per scenario, seconds' },
  warmup: { type: 'number', default: 3, help: 'load before the window opens, seconds' },
  modes: { type: 'list', default: 'embedded,postgres', choices: ['embedded', 'postgres'], help: 'storage modes' },
  scenarios: { type: 'list', default: SCENARIOS.join(','), choices: [...SCENARIOS], help: 'load scenarios' },
  devices: { type: 'number', default: 1000, help: 'devices (one MQTT connection each)' },
  workers: { type: 'number', default: 2, help: 'load-generator processes' },
  window: { type: 'number', default: 8, help: 'MQTT messages in flight per connection (QoS 1 unacknowledged, QoS 0 unwritten)' },
  'http-concurrency': { type: 'number', default: 16, help: 'HTTP requests in flight per worker' },
  'http-batch': { type: 'number', default: 50, help: 'measurements per HTTP request (× 6 readings)' },
  'qos0-rate': { type: 'number', default: 60_000, help: 'QoS 0: offered readings/s in total (QoS 0 has no acknowledgement to pace it); 0 = unlimited' },
  rate: { type: 'number', default: 0, help: 'QoS 1 and HTTP: offered readings/s in total; 0 = as fast as acknowledgements allow (closed loop)' },
  'step-ms': { type: 'number', default: 1, help: 'TimeInstant step per message per device, ms' },
  'pg-url': { type: 'string', default: DEFAULT_PG_URL, help: 'PostgreSQL server for postgres mode (a bench_* database is created and dropped)' },
  'no-verify': { type: 'boolean', default: false, help: 'skip the queryable check through the series API' },
  verbose: { type: 'boolean', default: false, help: 'print the stored rate and backlog every second' },
  out: { type: 'string', default: 'bench/results', help: 'folder for the JSON result ("" = do not write)' },
} satisfies OptionSpecs;

export type IngestOptions = Options<typeof INGEST_OPTIONS>;

export interface ScenarioResult {
  mode: Mode;
  scenario: Scenario;
  devices: number;
  workers: number;
  seconds: number;
  /** Readings sent by the load generators within the window, per second. */
  offeredPerSec: number;
  /** Readings committed by the IOC within the window, per second. */
  storedPerSec: number;
  /** Committed readings per second, second by second, from the start of the load. */
  timeline: number[];
  sentReadings: number;
  ackedReadings: number;
  /** Committed readings by the end (after the queue drained). */
  storedReadings: number;
  /** Readings found through the series API (hourly rollup counts); null when not checked. */
  queryableReadings: number | null;
  /** Acknowledged readings (QoS 1, HTTP) not found through the API (must be 0). */
  ackedNotQueryable: number | null;
  /** QoS 1 publish → PUBACK, or HTTP request → response, ms. */
  latency: { n: number; p50: number; p99: number; max: number } | null;
  /** Peak RSS of the IOC process over its life (VmHWM): start-up, device import and the load. */
  peakRssMb: number;
  /** Largest RSS sampled (every 100 ms) during the load. */
  loadRssMb: number;
  /** RSS of the IOC with the devices registered, before the load. */
  idleRssMb: number;
  /** Cores used during the window: the IOC, the load processes, PostgreSQL backends, this process; and the machine's busy share. */
  cpu: { cores: Record<string, number>; machineBusy: number; otherCores: number };
  errors: number;
  firstError: string | undefined;
  /** MQTT connections the IOC closed during the run (clients reconnect after 1 s). */
  disconnects: number;
  /** Readings waiting for commit at the window's start or end (backlog). */
  maxQueued: number;
  drainSeconds: number;
}

type Log = (line: string) => void;

const DAY = 86_400_000;

async function postgresBackends(store: Store): Promise<number[]> {
  if (!store.databaseUrl) return [];
  const c = new pg.Client({ connectionString: store.databaseUrl });
  await c.connect();
  const r = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  await c.end();
  return r.rows.map((x) => x.pid);
}

/** Σ over devices of the hourly rollup `count` of pm25 × attributes: the readings the API returns. */
async function queryable(ioc: IocProcess, perDevice: Record<string, { sent: number; acked: number }>, fromTs: number): Promise<{ readings: number; ackedMissing: number }> {
  const ids = Object.keys(perDevice);
  let readings = 0;
  let ackedMissing = 0;
  let next = 0;
  const from = new Date(fromTs - 2 * 3_600_000).toISOString();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const r = await fetch(`${ioc.httpUrl}/api/v1/devices/${id}/series/${ATTRS[0]}?resolution=1h&from=${from}`, { headers: await authHeaders(ioc.httpUrl) });
        if (!r.ok) throw new Error(`series of ${id}: HTTP ${r.status} ${await r.text()}`);
        const body = (await r.json()) as { points: { count?: number }[] };
        const messages = body.points.reduce((n, p) => n + (p.count ?? 0), 0);
        readings += messages * ATTRS.length;
        ackedMissing += Math.max(0, perDevice[id]!.acked - messages) * ATTRS.length;
      }
    }),
  );
  return { readings, ackedMissing };
}

export async function runScenario(mode: Mode, scenario: Scenario, o: IngestOptions, log: Log): Promise<ScenarioResult> {
  const store = await createStore(mode, o['pg-url']);
  let ioc: IocProcess | undefined;
  let workers: WorkerGroup | undefined;
  try {
    ioc = await startIocProcess(store);
    const url = ioc.httpUrl;
    const ids = await registerDevices(url, o.devices);
    const idle = await procStatus(ioc.pid);
    const nWorkers = Math.max(1, Math.min(o.workers, ids.length));
    const startTs = Date.now() - DAY;
    const durationMs = (o.warmup + o.seconds) * 1000;
    const tasks: LoadTask[] = Array.from({ length: nWorkers }, (_, w) => ({
      transport: scenario === 'http' ? 'http' : 'mqtt',
      qos: scenario === 'mqtt-qos1' ? 1 : 0,
      url: scenario === 'http' ? url : ioc!.mqttUrl,
      devices: ids.filter((_, i) => i % nWorkers === w),
      startTs,
      stepMs: o['step-ms'],
      window: scenario === 'http' ? o['http-concurrency'] : o.window,
      httpBatch: o['http-batch'],
      rate: (scenario === 'mqtt-qos0' ? o['qos0-rate'] : o.rate) / nWorkers,
      durationMs,
      measureFromMs: o.warmup * 1000,
    }));
    workers = await startWorkers(tasks);

    const rss = new RssSampler(ioc.pid);
    rss.start();
    const timeline: number[] = [];
    const base = await scrape(url);
    let last = base;
    const results = workers.go();
    const goAt = performance.now();
    const tick = setInterval(() => {
      void scrape(url).then(
        (s) => {
          const rate = ((s.total - last.total) * 1000) / (s.at - last.at);
          timeline.push(Math.round(rate));
          if (o.verbose) log(`    t=${((s.at - goAt) / 1000).toFixed(0)}s stored ${int(rate)}/s, queued ${int(s.queued)}, sent ${int(workers!.progress().sentReadings)}`);
          last = s;
        },
        () => undefined,
      );
    }, 1000);
    await sleep(o.warmup * 1000);
    const cpu = new CpuMeter({ server: [ioc.pid], workers: workers.pids, postgres: await postgresBackends(store), bench: [process.pid] });
    await cpu.start();
    const a0 = await scrape(url);
    await sleep(Math.max(0, goAt + durationMs - performance.now()));
    const a1 = await scrape(url);
    const cpuUse = await cpu.stop();
    clearInterval(tick);

    const loads: LoadResult[] = await results;
    const drainStart = performance.now();
    const acked = loads.reduce((n, l) => n + l.ackedReadings, 0);
    // Drain: wait until the IOC's queue is empty and the count stops moving.
    let end = await scrape(url);
    for (let stable = 0; performance.now() - drainStart < 120_000 && stable < 3; ) {
      await sleep(250);
      const s = await scrape(url);
      stable = s.total === end.total && s.queued === 0 ? stable + 1 : 0;
      end = s;
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;
    const peakRss = await rss.stop();

    const perDevice = Object.assign({}, ...loads.map((l) => l.perDevice)) as Record<string, { sent: number; acked: number }>;
    // QoS 0 has no acknowledgement ("acked" there only means written to the socket).
    if (scenario === 'mqtt-qos0') for (const d of Object.values(perDevice)) d.acked = 0;
    let q: { readings: number; ackedMissing: number } | undefined;
    if (!o['no-verify']) {
      try {
        q = await queryable(ioc, perDevice, startTs);
      } catch (e) {
        log(`  ${mode} ${scenario}: queryable check failed: ${(e as Error).message} ${String((e as { cause?: unknown }).cause ?? '')}`);
      }
    }
    const windowSecs = (a1.at - a0.at) / 1000;
    const windowSent = loads.reduce((n, l) => n + l.windowSentReadings, 0);
    const latencies = concatSamples(loads.map((l) => l.latencies));
    const errors = loads.reduce((n, l) => n + l.errors, 0);
    const result: ScenarioResult = {
      mode,
      scenario,
      devices: ids.length,
      workers: nWorkers,
      seconds: Math.round(windowSecs * 100) / 100,
      offeredPerSec: windowSent / (o.seconds || 1),
      storedPerSec: (a1.total - a0.total) / windowSecs,
      timeline,
      sentReadings: loads.reduce((n, l) => n + l.sentReadings, 0),
      ackedReadings: acked,
      storedReadings: end.total - base.total,
      queryableReadings: q ? q.readings : null,
      ackedNotQueryable: q ? q.ackedMissing : null,
      latency: scenario === 'mqtt-qos0' ? null : latencySummary(latencies),
      peakRssMb: peakRss.lifetime / 1048576,
      loadRssMb: peakRss.duringLoad / 1048576,
      idleRssMb: (idle?.rss ?? NaN) / 1048576,
      cpu: cpuUse,
      errors,
      firstError: loads.find((l) => l.firstError)?.firstError,
      disconnects: loads.reduce((n, l) => n + l.disconnects, 0),
      maxQueued: Math.max(a0.queued, a1.queued),
      drainSeconds: Math.round(drainSeconds * 10) / 10,
    };
    log(
      `  ${mode} ${scenario}: stored ${int(result.storedPerSec)} readings/s (offered ${int(result.offeredPerSec)}), ` +
        (result.latency ? `ack p50 ${ms(result.latency.p50)} ms p99 ${ms(result.latency.p99)} ms, ` : '') +
        `peak RSS ${int(result.peakRssMb)} MB, IOC CPU ${pct(cpuUse.cores.server!)}` +
        (result.disconnects ? `, ${result.disconnects} disconnects` : '') +
        (errors ? `, ${errors} errors (first: ${result.firstError})` : ''),
    );
    if (cpuUse.otherCores > 0.25) log(`    note: other programs used ${cpuUse.otherCores.toFixed(2)} cores during the window; the figures may be low`);
    return result;
  } finally {
    workers?.kill();
    const code = await ioc?.stop();
    if (code !== undefined && code !== 0) log(`  note: the IOC exited with ${code}; its last output:\n${ioc?.output().slice(-2000)}`);
    await store.remove();
  }
}

const pct = (cores: number) => `${Math.round(cores * 100)}%`;

export function ingestTable(results: ScenarioResult[]): string {
  return table(
    ['mode', 'scenario', 'stored r/s', 'offered r/s', 'ack p50 ms', 'ack p99 ms', 'RSS idle MB', 'RSS peak MB', 'IOC CPU', 'stored/sent', 'queryable', 'disconn.', 'errors'],
    results.map((r) => [
      r.mode,
      r.scenario,
      int(r.storedPerSec),
      int(r.offeredPerSec),
      r.latency ? ms(r.latency.p50) : '—',
      r.latency ? ms(r.latency.p99) : '—',
      int(r.idleRssMb),
      int(r.peakRssMb),
      pct(r.cpu.cores.server!),
      `${((100 * r.storedReadings) / Math.max(1, r.sentReadings)).toFixed(1)}%`,
      r.queryableReadings === null ? '—' : r.queryableReadings === r.storedReadings && r.ackedNotQueryable === 0 ? 'all' : `${int(r.queryableReadings)}`,
      String(r.disconnects),
      String(r.errors),
    ]),
  );
}

export async function runIngest(o: IngestOptions, log: Log = (l) => process.stdout.write(`${l}\n`)): Promise<{ results: ScenarioResult[]; file: string | undefined }> {
  const modes = o.modes as Mode[];
  const results: ScenarioResult[] = [];
  log(`ingest: ${o.devices} devices × ${ATTRS.length} attributes, ${o.workers} load processes, ${o.warmup} s warm-up + ${o.seconds} s measured per scenario`);
  for (const mode of modes) {
    if (mode === 'postgres') {
      const why = await postgresUnavailable(o['pg-url']);
      if (why) {
        log(`  postgres: skipped, ${o['pg-url']} unreachable (${why})`);
        continue;
      }
    }
    for (const scenario of o.scenarios as Scenario[]) results.push(await runScenario(mode, scenario, o, log));
  }
  log('');
  log(ingestTable(results));
  const file = await writeResult('ingest', o.out, o, results);
  if (file) log(`\nresult: ${file}`);
  return { results, file };
}
