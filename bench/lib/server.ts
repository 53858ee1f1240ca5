/**
 * The IOC under test, as a child process (`node --import tsx packages/server/src/main.ts`), so
 * that its memory and CPU are its own; and the storage it runs on: a fresh PGlite folder or a
 * fresh PostgreSQL database, created for one run and removed afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sleep } from './stats.ts';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const DEFAULT_PG_URL = process.env.BENCH_PG_URL ?? process.env.IOC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Mode = 'embedded' | 'postgres';

/** The first admin's password of every IOC the benchmarks start. */
export const BENCH_ADMIN_PASSWORD = 'Bench-Lighthouse-2026!';
const tokens = new Map<string, Promise<string>>();

/** `Authorization: Bearer …` of the first admin of the IOC at `httpUrl` (one sign-in per IOC). */
export async function authHeaders(httpUrl: string): Promise<{ authorization: string }> {
  let t = tokens.get(httpUrl);
  if (!t) {
    t = fetch(`${httpUrl}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: BENCH_ADMIN_PASSWORD }) }).then(async (r) => {
      if (!r.ok) throw new Error(`sign-in failed: HTTP ${r.status} ${await r.text()}`);
      return ((await r.json()) as { accessToken: string }).accessToken;
    });
    tokens.set(httpUrl, t);
  }
  return { authorization: `Bearer ${await t}` };
}

/** A free TCP port on 127.0.0.1 (the OS picks it; a tiny race with other programs is possible). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Where one run's data lives. */
export interface Store {
  mode: Mode;
  /** Environment for the IOC: IOC_DATA_DIR, and DATABASE_URL in PostgreSQL mode. */
  env: Record<string, string>;
  /** The PostgreSQL URL of the run's own database (PostgreSQL mode). */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Removes the folder and drops the database. */
  remove(): Promise<void>;
}

/** false when PostgreSQL answers at `url`; otherwise why not. */
export async function postgresUnavailable(url: string): Promise<string | false> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return false;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Runs `run` for each storage mode in turn; the postgres mode is skipped, with a line saying why,
 * when the server at `pgUrl` does not answer.
 */
export async function forEachMode<T>(modes: readonly string[], pgUrl: string, log: (line: string) => void, run: (mode: Mode) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (const mode of modes as Mode[]) {
    if (mode === 'postgres') {
      const why = await postgresUnavailable(pgUrl);
      if (why) {
        log(`  postgres: skipped, ${pgUrl} unreachable (${why})`);
        continue;
      }
    }
    results.push(await run(mode));
  }
  return results;
}

export async function createStore(mode: Mode, pgUrl = DEFAULT_PG_URL): Promise<Store> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hai-dang-bench-'));
  if (mode === 'embedded') {
    return {
      mode,
      env: { IOC_DATA_DIR: dataDir },
      databaseUrl: undefined,
      dataDir,
      remove: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
  const databaseUrl = u.toString();
  return {
    mode,
    env: { IOC_DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
    databaseUrl,
    dataDir,
    async remove() {
      await rm(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface ProcStatus {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size (VmHWM) since start or the last resetPeak(), bytes. */
  hwm: number;
}

/** VmRSS and VmHWM of a process, from /proc (Linux). */
export async function procStatus(pid: number): Promise<ProcStatus | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** User + system CPU time of a process, in seconds, from /proc/<pid>/stat. */
export async function procCpuSeconds(pid: number): Promise<number> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses; utime, stime are 14th, 15th.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

/** Samples VmRSS every `everyMs` while a load runs; the kernel's VmHWM gives the peak over the process's life. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private maxRss = 0;
  constructor(
    private readonly pid: number,
    private readonly everyMs = 100,
  ) {}
  start(): void {
    this.maxRss = 0;
    this.timer = setInterval(() => {
      void procStatus(this.pid).then((s) => {
        if (s && s.rss > this.maxRss) this.maxRss = s.rss;
      });
    }, this.everyMs);
  }
  /** Bytes: the largest RSS sampled during the load, and the peak over the process's life (VmHWM). */
  async stop(): Promise<{ duringLoad: number; lifetime: number }> {
    clearInterval(this.timer);
    const s = await procStatus(this.pid);
    const duringLoad = Math.max(this.maxRss, s?.rss ?? 0);
    return { duringLoad, lifetime: Math.max(duringLoad, s?.hwm ?? 0) };
  }
}

/** JSON over HTTP against a benchmark's IOC, as its admin unless other `headers` are given; throws on an error status. */
export async function benchApi(ioc: { httpUrl: string }, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<unknown> {
  const r = await fetch(`${ioc.httpUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(headers ?? (await authHeaders(ioc.httpUrl))) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

export interface IocProcess {
  pid: number;
  httpUrl: string;
  mqttUrl: string;
  /** The last lines the IOC printed (stdout and stderr). */
  output(): string;
  /** SIGTERM and wait for a graceful exit (SIGKILL after 30 s). */
  stop(): Promise<number | null>;
}

/** IOC processes still running: stopped if the benchmark itself is interrupted. */
const live = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const c of live) c.kill('SIGTERM');
    process.exit(130);
  });
}

/** Starts the IOC in a child process on free ports and waits until /healthz answers. */
export async function startIocProcess(store: Store, extraEnv: Record<string, string> = {}): Promise<IocProcess> {
  const httpPort = await freePort();
  const mqttPort = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    IOC_HTTP_HOST: '127.0.0.1',
    IOC_HTTP_PORT: String(httpPort),
    IOC_MQTT_HOST: '127.0.0.1',
    IOC_MQTT_PORT: String(mqttPort),
    IOC_DEMO: '0',
    IOC_LOG_LEVEL: 'warn',
    IOC_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
    ...store.env,
    ...extraEnv,
  };
  // BENCH_IOC_NODE_ARGS: extra node flags for the IOC, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_IOC_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const watch = new URL('./parent-watch.ts', import.meta.url).pathname;
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', '--import', watch, 'packages/server/src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  // BENCH_IOC_LOG: a file to copy everything the IOC prints to (debugging).
  const copy = process.env.BENCH_IOC_LOG ? createWriteStream(process.env.BENCH_IOC_LOG, { flags: 'a' }) : undefined;
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000);
    copy?.write(chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      if (signal) tail += `\n[killed by ${signal}]`;
      copy?.end();
      resolve(code);
    });
  });
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the IOC exited (${exitCode}) while starting:\n${tail}`);
    try {
      const r = await fetch(`${httpUrl}/healthz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the IOC did not answer /healthz within 90 s:\n${tail}`);
    }
    await sleep(100);
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  return {
    pid: child.pid!,
    httpUrl,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    output: () => tail,
    async stop() {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(force);
      return code;
    },
  };
}

/** Total of a Prometheus counter over all its label sets, from the /metrics text. */
export function counterTotal(metricsText: string, name: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(v)) total += v;
    }
  }
  return total;
}

export interface Scrape {
  /** performance.now() of the scrape (midpoint of the request). */
  at: number;
  /** Readings committed so far (`ioc_readings_accepted_total`, counted after commit). */
  total: number;
  /** Readings waiting for commit (`ioc_ingest_queue_readings`). */
  queued: number;
  /** Messages refused so far, for any reason (`ioc_messages_rejected_total`). */
  rejected: number;
}

/** The IOC's ingestion counters from /metrics. */
export async function scrape(httpUrl: string): Promise<Scrape> {
  const t0 = performance.now();
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const t1 = performance.now();
  return {
    at: (t0 + t1) / 2,
    total: counterTotal(text, 'ioc_readings_accepted_total'),
    queued: counterTotal(text, 'ioc_ingest_queue_readings'),
    rejected: counterTotal(text, 'ioc_messages_rejected_total'),
  };
}
