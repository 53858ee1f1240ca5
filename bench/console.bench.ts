/**
 * `npm run bench -- console`: the operator console (apps/console, React + MapLibre GL) in headless
 * Chromium against real IOC processes:
 *
 *  1. **JavaScript budget of the first view**: the scripts and style sheets apps/console/dist/index.html
 *     loads (entry, module preloads) plus MapLibre's worker chunk, raw and gzip (level 9) sizes;
 *     budget 550 kB (550,000 bytes) of gzipped JavaScript.
 *  2. **First load of the overview with the demo running**: an IOC with `IOC_DEMO=1` (the demo city's
 *     ~335 devices, the simulator publishing over MQTT on a free port) on a fresh embedded store,
 *     left to publish for `--settle` seconds. Then `--warmup` + `--runs` loads, each in a new browser
 *     context (empty cache) holding the admin's session cookie: wall clock from `page.goto(…/console/#/overview)`
 *     until the map is loaded with its devices (`.city-map[data-ready="true"]`, `data-devices` > 0)
 *     and the alert tile is visible; p50/p95/max, target p95 < 2 s. Also per load: the page's navigation
 *     timing, the bytes it transferred, and when the devices were in the map's rendered tiles.
 *  3. **The map with `--devices` devices** (10,000): a second IOC (demo off, fresh store), the devices
 *     imported through `POST /api/v1/devices/import` over the preset's districts and wards (points
 *     inside each district's boundary, in Đà Nẵng's lat 15.95–16.15, lon 108.05–108.30), four types,
 *     one reading each over MQTT. `--large-runs` timed first loads, then on one open overview a
 *     `longtask` PerformanceObserver while the mouse pans the map for `--pan-seconds` (drags in 8
 *     directions, a wheel zoom in or out after every second); target: no task over 100 ms. The
 *     console refetches the map's devices every 15 s on its own: the long tasks that begin while
 *     such a refresh is in flight or within REFRESH_TAIL_MS after it are also counted apart.
 *
 * The in-page probes are plain JavaScript strings (the bench is compiled without the DOM types):
 * installed with `addInitScript` before the console's own scripts, read with `page.evaluate`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../e2e/browser.ts';
import { buildConsole } from '../scripts/build-console.mjs';
import type { OptionSpecs, Options } from './cli.ts';
import { writeResult } from './lib/result.ts';
import { BENCH_ADMIN_PASSWORD, benchApi, counterTotal, createStore, type IocProcess, ROOT, startIocProcess } from './lib/server.ts';
import { int, ms, percentile, sleep, table } from './lib/stats.ts';

export const CONSOLE_OPTIONS = {
  runs: { type: 'number', default: 10, help: 'measured first loads of the overview with the demo running' },
  warmup: { type: 'number', default: 1, help: 'unmeasured loads before them (recorded apart)' },
  settle: { type: 'number', default: 5, help: 'seconds the demo simulator publishes before the first load' },
  devices: { type: 'number', default: 10000, help: 'devices on the second IOC, for the large map and panning (0 = skip that part)' },
  'large-runs': { type: 'number', default: 3, help: 'measured first loads of the overview with --devices devices' },
  'pan-seconds': { type: 'number', default: 10, help: 'seconds of mouse panning and zooming while long tasks are recorded' },
  rebuild: { type: 'boolean', default: false, help: 'build the console even when apps/console/dist is up to date' },
  out: { type: 'string', default: 'bench/results', help: 'folder for the JSON result ("" = do not write)' },
} satisfies OptionSpecs;

export type ConsoleOptions = Options<typeof CONSOLE_OPTIONS>;

type Log = (line: string) => void;

/** The issue's targets. */
export const JS_BUDGET_GZIP = 550_000;
export const FIRST_LOAD_TARGET_MS = 2000;
export const LONG_TASK_LIMIT_MS = 100;
const VIEWPORT = { width: 1440, height: 900 };
const SESSION_COOKIE = 'hd_session'; // packages/server/src/http/auth.ts
const APIKEY = 'console-bench';
const LOAD_TIMEOUT_MS = 60_000;

// ── 1. The first view's bytes ─────────────────────────────────────────────────────────────

export interface AssetSize {
  file: string;
  kind: 'js' | 'css' | 'worker';
  raw: number;
  gzip: number;
}

export interface BudgetResult {
  /** Everything the first view loads from dist: entry script, module preloads, style sheets, the MapLibre worker. */
  firstView: AssetSize[];
  /** Other built chunks (lazy routes), not counted. */
  notInFirstView: AssetSize[];
  js: { raw: number; gzip: number };
  css: { raw: number; gzip: number };
  budgetGzip: number;
  met: boolean;
}

const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length;

/** Reads apps/console/dist/index.html and sizes what it loads, plus the MapLibre worker chunk. */
export async function measureBudget(dist = join(ROOT, 'apps/console/dist')): Promise<BudgetResult> {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const refs: { file: string; kind: AssetSize['kind'] }[] = [];
  const local = (url: string) => url.replace(/^\/console\//, '').replace(/^\.?\//, '');
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) refs.push({ file: local(m[1]!), kind: 'js' });
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = m[0];
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    const rel = /\brel="([^"]+)"/.exec(tag)?.[1] ?? '';
    if (!href) continue;
    if (rel === 'stylesheet') refs.push({ file: local(href), kind: 'css' });
    else if (rel === 'modulepreload') refs.push({ file: local(href), kind: 'js' });
  }
  const assets = (await readdir(join(dist, 'assets'))).filter((f) => /\.(js|css)$/.test(f));
  for (const f of assets) if (/^maplibre-gl-worker-.*\.js$/.test(f)) refs.push({ file: `assets/${f}`, kind: 'worker' });
  if (!refs.some((r) => r.kind === 'js')) throw new Error(`no script in ${dist}/index.html`);
  if (!refs.some((r) => r.kind === 'worker')) throw new Error(`no assets/maplibre-gl-worker-*.js in ${dist}`);
  const size = async (file: string, kind: AssetSize['kind']): Promise<AssetSize> => {
    const b = await readFile(join(dist, file));
    return { file, kind, raw: b.length, gzip: gz(b) };
  };
  const firstView = await Promise.all(refs.map((r) => size(r.file, r.kind)));
  const counted = new Set(firstView.map((a) => a.file));
  const notInFirstView = await Promise.all(assets.filter((f) => !counted.has(`assets/${f}`)).map((f) => size(`assets/${f}`, f.endsWith('.css') ? 'css' : 'js')));
  const sum = (xs: AssetSize[]) => ({ raw: xs.reduce((a, x) => a + x.raw, 0), gzip: xs.reduce((a, x) => a + x.gzip, 0) });
  const js = sum(firstView.filter((a) => a.kind !== 'css'));
  return { firstView, notInFirstView, js, css: sum(firstView.filter((a) => a.kind === 'css')), budgetGzip: JS_BUDGET_GZIP, met: js.gzip <= JS_BUDGET_GZIP };
}

// ── CPU during a measurement ──────────────────────────────────────────────────────────────

/** Cores used over a measurement: the IOC, Chromium (this process's other descendants), this process, and everything else. */
export interface CpuShare {
  ioc: number;
  chromium: number;
  bench: number;
  /** The machine's busy cores minus the three above: other programs (and Chromium processes that exited meanwhile). */
  others: number;
}

interface ProcRow {
  ppid: number;
  /** utime + stime, seconds. */
  cpu: number;
}

/** Every process's parent and CPU time, from /proc (Linux); empty elsewhere. */
async function procTable(): Promise<Map<number, ProcRow>> {
  const rows = new Map<number, ProcRow>();
  let pids: string[] = [];
  try {
    pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  } catch {
    return rows;
  }
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const text = await readFile(`/proc/${pid}/stat`, 'utf8');
        const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
        rows.set(Number(pid), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 });
      } catch {
        /* gone */
      }
    }),
  );
  return rows;
}

async function busyJiffies(): Promise<{ busy: number; total: number }> {
  try {
    const f = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** Starts counting; the returned function stops and attributes the CPU used meanwhile. */
async function cpuMeter(iocPid: number): Promise<() => Promise<CpuShare>> {
  const t0 = performance.now();
  const [p0, m0] = await Promise.all([procTable(), busyJiffies()]);
  return async () => {
    const [p1, m1] = await Promise.all([procTable(), busyJiffies()]);
    const secs = (performance.now() - t0) / 1000;
    const under = (root: number) => {
      const set = new Set([root]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const [pid, r] of p1) {
          if (!set.has(pid) && set.has(r.ppid)) {
            set.add(pid);
            grew = true;
          }
        }
      }
      return set;
    };
    const used = (pids: Iterable<number>) => [...pids].reduce((a, pid) => a + ((p1.get(pid)?.cpu ?? 0) - (p0.get(pid)?.cpu ?? 0)), 0) / secs;
    const iocPids = under(iocPid);
    const mine = under(process.pid);
    const ioc = used(iocPids);
    const bench = used([process.pid]);
    const chromium = used([...mine].filter((pid) => pid !== process.pid && !iocPids.has(pid)));
    const busyCores = ((m1.busy - m0.busy) / (m1.total - m0.total)) * cpus().length;
    return { ioc, chromium, bench, others: Math.max(0, busyCores - ioc - chromium - bench) };
  };
}

// ── The in-page probe ──────────────────────────────────────────────────────────────────────

/**
 * Installed before the console's scripts. `__bench.whenReady(min)` resolves with the page's own
 * clock (ms since navigation start) when the map is loaded with ≥ min devices (≥ 1 when min is 0)
 * and the alert tile is visible; `__bench.whenDrawn()` when the devices are in the map's loaded
 * tiles (MapLibre's map is found through React's fiber of the map container: a probe, not an API;
 * null when not found). Long tasks and animation frames are recorded between record() and stop().
 */
const PROBE = String.raw`(() => {
  if (window.__bench) return;
  const b = (window.__bench = { longtasks: [], frames: 0, maxFrameGap: 0, recording: false });
  const mapEl = () => document.querySelector('.city-map');
  const visible = (el) => { if (!el) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  b.state = () => {
    const m = mapEl();
    return { ready: !!m && m.getAttribute('data-ready') === 'true', devices: m ? Number(m.getAttribute('data-devices') || 0) : 0, tile: visible(document.querySelector('[data-testid="tile-alerts"]')) };
  };
  const ok = (min) => { const s = b.state(); return s.ready && s.tile && s.devices >= Math.max(1, min); };
  b.whenReady = (min) => new Promise((resolve) => {
    let done = false;
    const finish = () => { if (done || !ok(min)) return; done = true; obs.disconnect(); clearInterval(timer); resolve({ at: performance.now(), ...b.state() }); };
    const obs = new MutationObserver(finish);
    obs.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready', 'data-devices', 'class', 'style'] });
    const timer = setInterval(finish, 50);
    finish();
  });
  b.map = () => {
    const el = mapEl();
    if (!el) return null;
    const key = Object.keys(el).find((k) => k.startsWith('__reactFiber$'));
    let f = key ? el[key] : null;
    for (let depth = 0; f && depth < 6; depth++, f = f.return) {
      for (let h = f.memoizedState; h && typeof h === 'object' && 'next' in h; h = h.next) {
        const v = h.memoizedState;
        if (v && typeof v === 'object' && v.current && typeof v.current.querySourceFeatures === 'function') return v.current;
      }
    }
    return null;
  };
  b.whenDrawn = (timeoutMs) => new Promise((resolve) => {
    const t0 = performance.now();
    const tick = () => {
      const map = b.map();
      if (map && map.getSource('devices') && map.isSourceLoaded('devices') && map.querySourceFeatures('devices').length > 0) {
        requestAnimationFrame(() => resolve(performance.now()));
        return;
      }
      if (performance.now() - t0 > timeoutMs) return resolve(null);
      requestAnimationFrame(tick);
    };
    tick();
  });
  b.drawnDevices = () => { const map = b.map(); if (!map) return null; const ids = new Set(); for (const f of map.querySourceFeatures('devices')) ids.add(f.properties && f.properties.id); return ids.size; };
  b.record = () => {
    b.longtasks = []; b.frames = 0; b.maxFrameGap = 0; b.recording = true; b.from = performance.now();
    let last = performance.now();
    const frame = (t) => { if (!b.recording) return; b.frames++; b.maxFrameGap = Math.max(b.maxFrameGap, t - last); last = t; requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
    b.observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) b.longtasks.push({ start: e.startTime, duration: e.duration }); });
    b.observer.observe({ type: 'longtask' });
  };
  b.stop = () => {
    for (const e of b.observer.takeRecords()) b.longtasks.push({ start: e.startTime, duration: e.duration });
    b.observer.disconnect(); b.recording = false;
    const to = performance.now();
    const refreshes = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/v1/map/devices') && r.responseEnd >= b.from && r.startTime <= to).map((r) => ({ start: r.startTime, end: r.responseEnd, bytes: r.encodedBodySize }));
    return { from: b.from, to, longtasks: b.longtasks, frames: b.frames, maxFrameGap: b.maxFrameGap, refreshes };
  };
  b.timing = () => {
    const n = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const api = (p) => { const r = res.filter((x) => x.name.includes(p))[0]; return r ? { start: r.startTime, end: r.responseEnd, bytes: r.encodedBodySize } : null; };
    return {
      domContentLoaded: n ? n.domContentLoadedEventEnd : null,
      load: n ? n.loadEventEnd : null,
      responseEnd: n ? n.responseEnd : null,
      transferBytes: (n ? n.encodedBodySize : 0) + res.reduce((a, r) => a + (r.encodedBodySize || 0), 0),
      scriptBytes: res.filter((r) => /\.js(\?|$)/.test(r.name)).reduce((a, r) => a + (r.encodedBodySize || 0), 0),
      entryScriptEnd: res.filter((r) => /\/assets\/index-[^/]*\.js$/.test(r.name)).reduce((a, r) => Math.max(a, r.responseEnd), 0) || null,
      session: api('/api/v1/auth/session'),
      mapDevices: api('/api/v1/map/devices'),
      overview: api('/api/v1/overview'),
    };
  };
})();`;

interface Probe {
  ready: { at: number; ready: boolean; devices: number; tile: boolean };
  timing: {
    domContentLoaded: number | null;
    load: number | null;
    responseEnd: number | null;
    transferBytes: number;
    scriptBytes: number;
    entryScriptEnd: number | null;
    session: { start: number; end: number; bytes: number } | null;
    mapDevices: { start: number; end: number; bytes: number } | null;
    overview: { start: number; end: number; bytes: number } | null;
  };
  pan: { from: number; to: number; longtasks: { start: number; duration: number }[]; frames: number; maxFrameGap: number; refreshes: { start: number; end: number; bytes: number }[] };
}

// ── 2. and 3. Loading the overview ───────────────────────────────────────────────────────────

export interface LoadSample {
  /** performance.now() in the benchmark from page.goto until ready (map loaded with devices, alert tile visible). */
  wallMs: number;
  /** The same moment on the page's clock (ms since its navigation started). */
  pageMs: number;
  /** The page's clock when the devices were in the map's loaded tiles, one frame later; null when the probe found no map. */
  drawnMs: number | null;
  devices: number;
  domContentLoadedMs: number | null;
  loadEventMs: number | null;
  /** Bytes over the wire: the document and every resource (the IOC sends them uncompressed). */
  transferBytes: number;
  scriptBytes: number;
  /** The page's clock when the HTML and when the entry script had arrived. */
  htmlEndMs: number | null;
  entryScriptEndMs: number | null;
  /** When the app's first request (GET /api/v1/auth/session) started, on the page's clock: the scripts have run. */
  sessionStartMs: number | null;
  /** GET /api/v1/map/devices: when its response ended on the page's clock, and its size. */
  mapDevicesEndMs: number | null;
  mapDevicesBytes: number | null;
  /** Cores used from page.goto until the devices were drawn. */
  cpu: CpuShare;
}

export interface LoadSummary {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

const summary = (xs: number[]): LoadSummary => ({ n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95), max: xs.length ? Math.max(...xs) : NaN });

/** The admin's session cookie, from `POST /api/v1/auth/login`. */
async function sessionCookie(httpUrl: string): Promise<string> {
  const r = await fetch(`${httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: BENCH_ADMIN_PASSWORD }) });
  if (!r.ok) throw new Error(`sign-in failed: HTTP ${r.status} ${await r.text()}`);
  for (const c of r.headers.getSetCookie()) {
    const m = new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(c);
    if (m) return m[1]!;
  }
  throw new Error(`POST /api/v1/auth/login set no ${SESSION_COOKIE} cookie`);
}

/** A fresh browser context (empty cache) signed in as the admin, with the probe installed. */
async function signedInContext(browser: Browser, httpUrl: string, cookie: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  await context.addCookies([{ name: SESSION_COOKIE, value: cookie, url: httpUrl, httpOnly: true, sameSite: 'Strict' }]);
  await context.addInitScript({ content: PROBE });
  return context;
}

/** Opens the overview in `page` and waits until it is ready; `min` devices on the map (0 = any). */
async function loadOverview(page: Page, ioc: IocProcess, min: number): Promise<LoadSample> {
  const httpUrl = ioc.httpUrl;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const stopCpu = await cpuMeter(ioc.pid);
  const t0 = performance.now();
  await page.goto(`${httpUrl}/console/#/overview`, { waitUntil: 'commit', timeout: LOAD_TIMEOUT_MS });
  const ready = await withTimeout(page.evaluate<Probe['ready']>(`window.__bench.whenReady(${min})`), LOAD_TIMEOUT_MS, async () => {
    const s = await page.evaluate('window.__bench.state()').catch(() => undefined);
    return `the overview was not ready within ${LOAD_TIMEOUT_MS / 1000} s: ${JSON.stringify(s)} ${errors.join('; ')}`;
  });
  const wallMs = performance.now() - t0;
  const drawnMs = await page.evaluate<number | null>(`window.__bench.whenDrawn(${LOAD_TIMEOUT_MS})`);
  const cpu = await stopCpu();
  // The load event may come after the map is ready.
  await page.waitForLoadState('load', { timeout: LOAD_TIMEOUT_MS });
  const timing = await page.evaluate<Probe['timing']>('window.__bench.timing()');
  return {
    wallMs,
    pageMs: ready.at,
    drawnMs,
    devices: ready.devices,
    domContentLoadedMs: timing.domContentLoaded,
    loadEventMs: timing.load,
    transferBytes: timing.transferBytes,
    scriptBytes: timing.scriptBytes,
    htmlEndMs: timing.responseEnd,
    entryScriptEndMs: timing.entryScriptEnd,
    sessionStartMs: timing.session?.start ?? null,
    mapDevicesEndMs: timing.mapDevices?.end ?? null,
    mapDevicesBytes: timing.mapDevices?.bytes ?? null,
    cpu,
  };
}

async function withTimeout<T>(p: Promise<T>, msec: number, why: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void why().then((w) => reject(new Error(w))), msec);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `warmup` + `runs` loads, each in a new signed-in context. */
async function measureLoads(browser: Browser, ioc: IocProcess, cookie: string, runs: number, warmup: number, min: number, label: string, log: Log): Promise<{ warmup: LoadSample[]; samples: LoadSample[] }> {
  const out = { warmup: [] as LoadSample[], samples: [] as LoadSample[] };
  for (let i = 0; i < warmup + runs; i++) {
    const context = await signedInContext(browser, ioc.httpUrl, cookie);
    try {
      const s = await loadOverview(await context.newPage(), ioc, min);
      (i < warmup ? out.warmup : out.samples).push(s);
      log(`  ${label} load ${i < warmup ? `warm-up ${i + 1}` : `${i - warmup + 1}/${runs}`}: ready ${ms(s.wallMs)} ms (page ${ms(s.pageMs)}, devices drawn ${ms(s.drawnMs ?? NaN)}, DOMContentLoaded ${ms(s.domContentLoadedMs ?? NaN)}, first API call ${ms(s.sessionStartMs ?? NaN)}, map data ${ms(s.mapDevicesEndMs ?? NaN)}), ${int(s.devices)} devices, ${int(s.transferBytes / 1000)} kB; cores: IOC ${s.cpu.ioc.toFixed(2)}, Chromium ${s.cpu.chromium.toFixed(2)}, others ${s.cpu.others.toFixed(2)}`);
    } finally {
      await context.close();
    }
  }
  return out;
}

export interface LoadResult {
  devices: number;
  warmup: LoadSample[];
  samples: LoadSample[];
  wall: LoadSummary;
  page: LoadSummary;
  drawn: LoadSummary;
  domContentLoaded: LoadSummary;
  loadEvent: LoadSummary;
  /** Mean cores over the measured loads. */
  cpu: CpuShare;
  /** Medians on the page's clock: where the time goes. */
  phases: { htmlEnd: number; entryScriptEnd: number; domContentLoaded: number; firstApiCall: number; mapDataEnd: number; ready: number; devicesDrawn: number };
  targetMs: number;
  met: boolean;
}

function meanCpu(xs: CpuShare[]): CpuShare {
  const mean = (k: keyof CpuShare) => (xs.length ? xs.reduce((a, x) => a + x[k], 0) / xs.length : NaN);
  return { ioc: mean('ioc'), chromium: mean('chromium'), bench: mean('bench'), others: mean('others') };
}

function loadResult(devices: number, l: { warmup: LoadSample[]; samples: LoadSample[] }): LoadResult {
  const wall = summary(l.samples.map((s) => s.wallMs));
  const nums = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
  return {
    devices,
    ...l,
    wall,
    page: summary(l.samples.map((s) => s.pageMs)),
    drawn: summary(nums(l.samples.map((s) => s.drawnMs))),
    domContentLoaded: summary(nums(l.samples.map((s) => s.domContentLoadedMs))),
    loadEvent: summary(nums(l.samples.map((s) => s.loadEventMs))),
    cpu: meanCpu(l.samples.map((s) => s.cpu)),
    phases: {
      htmlEnd: percentile(nums(l.samples.map((s) => s.htmlEndMs)), 50),
      entryScriptEnd: percentile(nums(l.samples.map((s) => s.entryScriptEndMs)), 50),
      domContentLoaded: percentile(nums(l.samples.map((s) => s.domContentLoadedMs)), 50),
      firstApiCall: percentile(nums(l.samples.map((s) => s.sessionStartMs)), 50),
      mapDataEnd: percentile(nums(l.samples.map((s) => s.mapDevicesEndMs)), 50),
      ready: percentile(l.samples.map((s) => s.pageMs), 50),
      devicesDrawn: percentile(nums(l.samples.map((s) => s.drawnMs)), 50),
    },
    targetMs: FIRST_LOAD_TARGET_MS,
    // p95, nearest rank: with 10 loads, the slowest.
    met: wall.p95 < FIRST_LOAD_TARGET_MS,
  };
}

// ── 2. The demo city ───────────────────────────────────────────────────────────────────────

export interface DemoResult extends LoadResult {
  /** Readings the IOC had committed when the first load began (the simulator is running). */
  readingsBefore: number;
  startSeconds: number;
}

async function readingsAccepted(httpUrl: string): Promise<number> {
  return counterTotal(await (await fetch(`${httpUrl}/metrics`)).text(), 'ioc_readings_accepted_total');
}

async function runDemo(browser: Browser, o: ConsoleOptions, log: Log): Promise<DemoResult> {
  const store = await createStore('embedded');
  let ioc: IocProcess | undefined;
  try {
    const t0 = performance.now();
    // startIocProcess gives the embedded broker a free port (never 1883); the simulator publishes to it.
    ioc = await startIocProcess(store, { IOC_DEMO: '1' });
    const deadline = Date.now() + 60_000;
    while ((await readingsAccepted(ioc.httpUrl)) === 0) {
      if (Date.now() > deadline) throw new Error('the demo simulator published nothing within 60 s');
      await sleep(250);
    }
    const startSeconds = (performance.now() - t0) / 1000;
    await sleep(o.settle * 1000);
    const readingsBefore = await readingsAccepted(ioc.httpUrl);
    log(`  demo: IOC up and the simulator publishing after ${startSeconds.toFixed(1)} s; ${int(readingsBefore)} readings stored after ${o.settle} s more`);
    const cookie = await sessionCookie(ioc.httpUrl);
    const loads = await measureLoads(browser, ioc, cookie, o.runs, o.warmup, 0, 'demo', log);
    const devices = loads.samples[0]?.devices ?? loads.warmup[0]?.devices ?? 0;
    return { ...loadResult(devices, loads), readingsBefore, startSeconds };
  } catch (e) {
    if (ioc) (e as Error).message += `\n--- the IOC's last output:\n${ioc.output().slice(-4000)}`;
    throw e;
  } finally {
    await ioc?.stop();
    await store.remove();
  }
}

// ── 3. 10,000 devices ──────────────────────────────────────────────────────────────────────

type Ring = [number, number][];
interface District {
  code: string;
  polygons: Ring[][];
  bbox: [number, number, number, number];
  wards: string[];
}

/** Đà Nẵng's urban area: where the devices go. */
const WINDOW = { minLat: 15.95, maxLat: 16.15, minLon: 108.05, maxLon: 108.3 };

const TYPES = [
  { type: 'traffic', name: 'Bộ đếm giao thông', share: 0.4, reading: (k: number) => ({ speed: 25 + (k % 30), vehicles: 5 + (k % 40) }) },
  { type: 'flood_depth', name: 'Cảm biến độ sâu ngập', share: 0.25, reading: () => ({ depth: 0 }) },
  { type: 'air_quality', name: 'Trạm quan trắc không khí', share: 0.2, reading: (k: number) => ({ pm25: 12 + (k % 20), pm10: 25 + (k % 30) }) },
  { type: 'rain_gauge', name: 'Trạm đo mưa', share: 0.15, reading: () => ({ rain: 0 }) },
] as const;

/** A small deterministic PRNG (mulberry32): the same city on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function inRing(lon: number, lat: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const inPolygons = (lon: number, lat: number, polygons: Ring[][]) => polygons.some(([outer, ...holes]) => !!outer && inRing(lon, lat, outer) && !holes.some((h) => inRing(lon, lat, h)));

const api = benchApi;

/** The preset's districts with a boundary inside the window, and their wards and communes. */
async function districts(ioc: IocProcess): Promise<District[]> {
  const { items } = (await api(ioc, 'GET', '/api/v1/units?status=all')) as { items: { code: string; kind: string; parent: string | null }[] };
  const map = (await api(ioc, 'GET', '/api/v1/map/units')) as { features: { properties: { code: string; kind: string }; geometry: { type: string; coordinates: unknown } }[] };
  const out: District[] = [];
  for (const f of map.features) {
    if (f.properties.kind !== 'district') continue;
    const polygons = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates) as Ring[][];
    const pts = polygons.flatMap((p) => p[0] ?? []);
    const bbox: District['bbox'] = [
      Math.max(WINDOW.minLon, Math.min(...pts.map((p) => p[0]))),
      Math.max(WINDOW.minLat, Math.min(...pts.map((p) => p[1]))),
      Math.min(WINDOW.maxLon, Math.max(...pts.map((p) => p[0]))),
      Math.min(WINDOW.maxLat, Math.max(...pts.map((p) => p[1]))),
    ];
    const wards = items.filter((u) => u.parent === f.properties.code && (u.kind === 'ward' || u.kind === 'commune')).map((u) => u.code);
    if (bbox[0] < bbox[2] && bbox[1] < bbox[3] && wards.length) out.push({ code: f.properties.code, polygons, bbox, wards });
  }
  if (!out.length) throw new Error('no district of the preset has a boundary in the Đà Nẵng window');
  return out.sort((a, b) => a.code.localeCompare(b.code));
}

export const consoleDeviceId = (i: number) => `map-${String(i).padStart(5, '0')}`;

/** Device i: a type by share, a district in turn, a point inside that district, a ward of it in turn. */
export function cityDevices(n: number, ds: District[]): { id: string; type: string; name: string; location: { lat: number; lon: number }; unitCode: string; apikey: string }[] {
  const rnd = prng(20_260_101);
  const bounds = TYPES.map((_, k) => TYPES.slice(0, k + 1).reduce((a, t) => a + t.share, 0));
  return Array.from({ length: n }, (_, i) => {
    const t = TYPES[bounds.findIndex((b) => (i % 100) / 100 < b)] ?? TYPES[0];
    const d = ds[i % ds.length]!;
    let lon = (d.bbox[0] + d.bbox[2]) / 2;
    let lat = (d.bbox[1] + d.bbox[3]) / 2;
    for (let k = 0; k < 200; k++) {
      const x = d.bbox[0] + rnd() * (d.bbox[2] - d.bbox[0]);
      const y = d.bbox[1] + rnd() * (d.bbox[3] - d.bbox[1]);
      if (inPolygons(x, y, d.polygons)) {
        lon = x;
        lat = y;
        break;
      }
    }
    return {
      id: consoleDeviceId(i),
      type: t.type,
      name: `${t.name} ${i}`,
      location: { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 },
      unitCode: d.wards[Math.floor(i / ds.length) % d.wards.length]!,
      apikey: APIKEY,
    };
  });
}

/** One reading per device over MQTT QoS 1 (one connection); resolves when the IOC has committed them all. */
async function sendReadings(ioc: IocProcess, devices: { id: string; type: string }[]): Promise<void> {
  const before = await readingsAccepted(ioc.httpUrl);
  const client = await mqtt.connectAsync(ioc.mqttUrl, { clientId: `console-bench-${process.pid}` });
  let expected = 0;
  try {
    const ts = new Date(Date.now() - 30_000).toISOString();
    const inFlight = new Set<Promise<unknown>>();
    for (const [k, d] of devices.entries()) {
      const values = TYPES.find((t) => t.type === d.type)!.reading(k);
      expected += Object.keys(values).length;
      const p = client.publishAsync(`/${APIKEY}/${d.id}/attrs`, JSON.stringify({ TimeInstant: ts, ...values }), { qos: 1 });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= 200) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await client.endAsync();
  }
  const deadline = Date.now() + 60_000;
  while ((await readingsAccepted(ioc.httpUrl)) - before < expected) {
    if (Date.now() > deadline) throw new Error(`only ${(await readingsAccepted(ioc.httpUrl)) - before} of ${expected} readings committed within 60 s`);
    await sleep(200);
  }
}

export interface PanResult {
  seconds: number;
  drags: number;
  zooms: number;
  longTasks: number;
  longestMs: number;
  over100: number;
  totalLongTaskMs: number;
  /**
   * The same, leaving out the tasks that began while the console's periodic refresh of
   * /api/v1/map/devices was in flight or within REFRESH_TAIL_MS of its response (parsing the
   * answer and handing it to MapLibre): what panning and zooming themselves cost.
   */
  outsideRefresh: { longTasks: number; longestMs: number; over100: number };
  /** Long tasks: start on the page's clock and duration, ms; whether it fell in a refresh's span. */
  tasks: { start: number; duration: number; refresh: boolean }[];
  frames: number;
  fps: number;
  maxFrameGapMs: number;
  /** The console's own 15-s refreshes of /api/v1/map/devices that fell in the window. */
  refreshes: { start: number; end: number; bytes: number }[];
  /** Cores used over the window. */
  cpu: CpuShare;
  met: boolean;
}

export interface LargeResult extends LoadResult {
  importSeconds: number;
  readingsSeconds: number;
  /** Distinct device ids in the map's loaded tiles when panning began; null when the probe found no map. */
  drawnDevices: number | null;
  pan: PanResult | undefined;
}

/** After a refresh's response, how long its work (JSON parse, styling, MapLibre's setData) is taken to last. */
export const REFRESH_TAIL_MS = 1000;

/** Drags across the middle of the map in 8 directions (each followed by its opposite) and zooms with the wheel, in and out in turn, after every second drag. */
async function pan(page: Page, seconds: number): Promise<{ drags: number; zooms: number }> {
  const box = await page.locator('.city-map').boundingBox();
  if (!box) throw new Error('the map has no box');
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const len = Math.min(box.width, box.height) * 0.35;
  const dirs = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [1, -1], [-1, 1]] as const;
  let drags = 0;
  let zooms = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const [dx, dy] = dirs[drags % dirs.length]!;
    const u = dx / Math.hypot(dx, dy);
    const v = dy / Math.hypot(dx, dy);
    await page.mouse.move(cx - (u * len) / 2, cy - (v * len) / 2);
    await page.mouse.down();
    await page.mouse.move(cx + (u * len) / 2, cy + (v * len) / 2, { steps: 5 });
    await page.mouse.up();
    drags++;
    if (drags % 2 === 0) {
      await page.mouse.move(cx, cy);
      await page.mouse.wheel(0, zooms % 2 === 0 ? -360 : 360);
      zooms++;
      await sleep(150);
    }
  }
  return { drags, zooms };
}

async function runLarge(browser: Browser, o: ConsoleOptions, log: Log): Promise<LargeResult> {
  const store = await createStore('embedded');
  let ioc: IocProcess | undefined;
  try {
    ioc = await startIocProcess(store);
    const ds = await districts(ioc);
    const devices = cityDevices(o.devices, ds);
    let t0 = performance.now();
    for (let i = 0; i < devices.length; i += 1000) await api(ioc, 'POST', '/api/v1/devices/import?mode=insert', devices.slice(i, i + 1000));
    const importSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await sendReadings(ioc, devices);
    const readingsSeconds = (performance.now() - t0) / 1000;
    const counts = TYPES.map((t) => `${int(devices.filter((d) => d.type === t.type).length)} ${t.type}`).join(', ');
    log(`  map: ${int(devices.length)} devices (${counts}) over ${ds.length} districts imported in ${importSeconds.toFixed(1)} s; one reading each committed in ${readingsSeconds.toFixed(1)} s`);
    // Derived series and the latest values settle after the commit.
    await sleep(2000);
    const cookie = await sessionCookie(ioc.httpUrl);
    const loads = await measureLoads(browser, ioc, cookie, o['large-runs'], o.warmup, o.devices, 'map', log);
    for (const s of [...loads.warmup, ...loads.samples]) if (s.devices !== o.devices) throw new Error(`the map shows ${s.devices} devices, not ${o.devices}`);

    let panResult: PanResult | undefined;
    let drawnDevices: number | null = null;
    if (o['pan-seconds'] > 0) {
      const context = await signedInContext(browser, ioc.httpUrl, cookie);
      try {
        const page = await context.newPage();
        await loadOverview(page, ioc, o.devices);
        drawnDevices = await page.evaluate<number | null>('window.__bench.drawnDevices()');
        // Past the view's first fitBounds animation (600 ms) and the first frames.
        await sleep(1500);
        await page.evaluate('window.__bench.record()');
        const stopCpu = await cpuMeter(ioc.pid);
        const moves = await pan(page, o['pan-seconds']);
        // Inertia and the last zoom's easing end.
        await sleep(500);
        const cpu = await stopCpu();
        const rec = await page.evaluate<Probe['pan']>('window.__bench.stop()');
        const secs = (rec.to - rec.from) / 1000;
        const durations = rec.longtasks.map((t) => t.duration);
        const tasks = rec.longtasks.map((t) => ({ ...t, refresh: rec.refreshes.some((r) => t.start >= r.start && t.start <= r.end + REFRESH_TAIL_MS) }));
        const outside = tasks.filter((t) => !t.refresh).map((t) => t.duration);
        panResult = {
          seconds: secs,
          ...moves,
          longTasks: durations.length,
          longestMs: durations.length ? Math.max(...durations) : 0,
          over100: durations.filter((d) => d > LONG_TASK_LIMIT_MS).length,
          totalLongTaskMs: durations.reduce((a, d) => a + d, 0),
          outsideRefresh: { longTasks: outside.length, longestMs: outside.length ? Math.max(...outside) : 0, over100: outside.filter((d) => d > LONG_TASK_LIMIT_MS).length },
          tasks,
          frames: rec.frames,
          fps: rec.frames / secs,
          maxFrameGapMs: rec.maxFrameGap,
          refreshes: rec.refreshes,
          cpu,
          met: durations.every((d) => d <= LONG_TASK_LIMIT_MS),
        };
        log(
          `  map pan: ${moves.drags} drags, ${moves.zooms} zooms in ${secs.toFixed(1)} s; ${panResult.longTasks} long tasks, longest ${ms(panResult.longestMs)} ms, ${panResult.over100} over ${LONG_TASK_LIMIT_MS} ms ` +
            `(outside the data refresh: ${outside.length}, longest ${ms(panResult.outsideRefresh.longestMs)} ms, ${panResult.outsideRefresh.over100} over); ` +
            `${panResult.fps.toFixed(0)} frames/s, longest gap ${ms(panResult.maxFrameGapMs)} ms; ${rec.refreshes.length} data refresh(es) in the window; ` +
            `cores: IOC ${cpu.ioc.toFixed(2)}, Chromium ${cpu.chromium.toFixed(2)}, others ${cpu.others.toFixed(2)}`,
        );
      } finally {
        await context.close();
      }
    }
    return { ...loadResult(o.devices, loads), importSeconds, readingsSeconds, drawnDevices, pan: panResult };
  } catch (e) {
    if (ioc) (e as Error).message += `\n--- the IOC's last output:\n${ioc.output().slice(-4000)}`;
    throw e;
  } finally {
    await ioc?.stop();
    await store.remove();
  }
}

// ── Output ─────────────────────────────────────────────────────────────────────────────────

export interface ConsoleResult {
  build: { built: boolean; assets: string[] };
  budget: BudgetResult;
  demo: DemoResult | undefined;
  large: LargeResult | undefined;
  chromium: string;
}

const kb = (n: number) => (n / 1000).toFixed(1);
const met = (b: boolean) => (b ? 'met' : 'NOT met');

export function consoleTables(r: ConsoleResult): string {
  const out: string[] = [];
  const b = r.budget;
  out.push(
    table(
      ['first view', 'kind', 'raw kB', 'gzip kB'],
      [
        ...b.firstView.map((a) => [a.file, a.kind, kb(a.raw), kb(a.gzip)]),
        ['JavaScript (entry + worker)', 'js', kb(b.js.raw), kb(b.js.gzip)],
        ['CSS', 'css', kb(b.css.raw), kb(b.css.gzip)],
        ...b.notInFirstView.map((a) => [`(not in the first view) ${a.file}`, a.kind, kb(a.raw), kb(a.gzip)]),
      ],
    ),
  );
  out.push(`JavaScript of the first view: ${kb(b.js.gzip)} kB gzipped, budget ${kb(b.budgetGzip)} kB: ${met(b.met)}`);
  const rows: string[][] = [];
  const row = (label: string, l: LoadResult) => {
    rows.push([label, 'ready (wall)', String(l.wall.n), ms(l.wall.p50), ms(l.wall.p95), ms(l.wall.max), `p95 < ${l.targetMs}: ${met(l.met)}`]);
    rows.push([label, 'ready (page clock)', String(l.page.n), ms(l.page.p50), ms(l.page.p95), ms(l.page.max), '']);
    rows.push([label, 'devices in map tiles', String(l.drawn.n), ms(l.drawn.p50), ms(l.drawn.p95), ms(l.drawn.max), '']);
    rows.push([label, 'DOMContentLoaded', String(l.domContentLoaded.n), ms(l.domContentLoaded.p50), ms(l.domContentLoaded.p95), ms(l.domContentLoaded.max), '']);
    rows.push([label, 'load event', String(l.loadEvent.n), ms(l.loadEvent.p50), ms(l.loadEvent.p95), ms(l.loadEvent.max), '']);
  };
  if (r.demo) row(`demo, ${int(r.demo.devices)} devices`, r.demo);
  if (r.large) row(`${int(r.large.devices)} devices`, r.large);
  if (rows.length) {
    out.push('');
    out.push(table(['overview first load', 'until', 'n', 'p50 ms', 'p95 ms', 'max ms', 'target'], rows));
    out.push('');
    const loads = [['demo', r.demo], [`${int(r.large?.devices ?? 0)} devices`, r.large]] as const;
    out.push(
      table(
        ['medians, page clock (ms)', 'HTML', 'entry script', 'DOMContentLoaded', 'first API call', 'map data', 'ready', 'devices in map tiles'],
        loads.flatMap(([label, l]) => (l ? [[label, ms(l.phases.htmlEnd), ms(l.phases.entryScriptEnd), ms(l.phases.domContentLoaded), ms(l.phases.firstApiCall), ms(l.phases.mapDataEnd), ms(l.phases.ready), ms(l.phases.devicesDrawn)]] : [])),
      ),
    );
    for (const [label, l] of loads) {
      if (!l) continue;
      out.push(`${label}: cores in use during a load (mean): IOC ${l.cpu.ioc.toFixed(2)}, Chromium ${l.cpu.chromium.toFixed(2)}, other programs ${l.cpu.others.toFixed(2)}${l.cpu.others > 0.25 ? '  ← the machine was busy with other work' : ''}`);
    }
  }
  const p = r.large?.pan;
  if (p) {
    out.push('');
    out.push(
      table(
        ['panning', 'long tasks', 'seconds', 'drags', 'zooms', 'n', 'longest ms', `> ${LONG_TASK_LIMIT_MS} ms`, 'frames/s', 'max frame gap ms', 'target'],
        [
          [`${int(r.large!.devices)} devices`, `all (${p.refreshes.length} data refresh)`, p.seconds.toFixed(1), String(p.drags), String(p.zooms), String(p.longTasks), ms(p.longestMs), String(p.over100), p.fps.toFixed(0), ms(p.maxFrameGapMs), `none > ${LONG_TASK_LIMIT_MS} ms: ${met(p.met)}`],
          [`${int(r.large!.devices)} devices`, 'outside the refresh', '', '', '', String(p.outsideRefresh.longTasks), ms(p.outsideRefresh.longestMs), String(p.outsideRefresh.over100), '', '', ''],
        ],
      ),
    );
  }
  return out.join('\n');
}

export async function runConsole(o: ConsoleOptions, log: Log = (l) => process.stdout.write(`${l}\n`)): Promise<{ result: ConsoleResult; file: string | undefined }> {
  log(`console: JavaScript budget; ${o.runs} first loads of the overview with the demo running (+${o.warmup} warm-up)${o.devices > 0 ? `; ${int(o.devices)} devices: ${o['large-runs']} first loads, ${o['pan-seconds']} s of panning` : ''}`);
  const built = buildConsole({ force: o.rebuild, quiet: true });
  const budget = await measureBudget();
  log(`  build: ${built ? 'built now' : 'up to date'}; first-view JavaScript ${kb(budget.js.gzip)} kB gzipped (${kb(budget.js.raw)} kB raw)`);
  const browser = await launchChromium();
  const chromium = browser.version();
  let demo: DemoResult | undefined;
  let large: LargeResult | undefined;
  try {
    if (o.runs > 0) demo = await runDemo(browser, o, log);
    if (o.devices > 0) large = await runLarge(browser, o, log);
  } finally {
    await browser.close();
  }
  const result: ConsoleResult = { build: { built, assets: budget.firstView.map((a) => a.file) }, budget, demo, large, chromium };
  log('');
  log(consoleTables(result));
  const file = await writeResult('console', o.out, o, result);
  if (file) log(`\nresult: ${file}`);
  return { result, file };
}
