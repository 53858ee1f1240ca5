/**
 * `npm run bench -- alerts`: the rule engine under load (issue #4, point 8). Per storage mode
 * (embedded PGlite, PostgreSQL), two fresh IOC processes on fresh stores, the same city:
 *
 *  - **the fleet**: `--devices` (2,000) devices of six types (air quality 6 attributes, traffic 2,
 *    flood depth, rain gauge, river level 1 each, wastewater 5), spread in blocks of 20 over the
 *    preset's 47 wards and communes, registered through `POST /api/v1/devices/import`, publishing
 *    FIWARE IoT Agent JSON to `/alerts/{id}/attrs` over MQTT, one connection per device, from a
 *    separate load process (this file, forked with `--alerts-load-worker`). Values stay inside
 *    every rule's safe side: the background load raises no alert (checked: the SSE stream must
 *    carry no event of another rule than the probe's).
 *  - **rules off**: the IOC with no rule at all (the 10 preset rules deleted through the API).
 *  - **rules on**: the same, then `--rules` (1,000) enabled rules created through
 *    `POST /api/v1/rules`: the probe rule; 20 city-wide rules (absence of flood sensors and
 *    traffic counters, `any` and `all` composites per device, and an extreme-value threshold for
 *    each of the 16 attributes); 8 district-wide composites (`all` of a 3 h rain window and a
 *    river threshold, per area); then up to 21 per ward/commune (thresholds with hysteresis,
 *    durations in minutes and in readings, rates, window sums and averages over 60 and 180 min,
 *    over every type) — 971 of them for 1,000 rules. A background reading is watched by ~3 rules.
 *
 * Measured:
 *  1. **throughput**, rules off and rules on: MQTT QoS 1, closed loop (`--window` messages
 *     unacknowledged per connection; the embedded broker sends the PUBACK after commit), so the
 *     IOC is saturated; readings committed per second (`ioc_readings_accepted_total`) over
 *     `--seconds` after `--warmup`. Both IOCs run side by side and are measured in turn,
 *     `--rounds` times, the order alternating (off, on, on, off, …), so that a slow spell of the
 *     shared machine falls on both. The ratio on/off is the engine's cost on ingestion.
 *  2. **alert latency** (rules on): one SSE client on `GET /api/v1/live/alerts` as the admin, one
 *     MQTT client (QoS 1) for a probe device (flood depth, placed at the city level so that only
 *     the probe rule and two city-wide rules — absence, depth above 250 — watch it). Each sample publishes a depth
 *     alternately above the probe rule's raise level (150 ≥ 100: the alert is raised or reopened)
 *     and below its clear level (10 < 50: resolved), so every sample causes exactly one SSE
 *     event; the latency is publish → receipt of that event, both on this process's
 *     performance.now(). Also publish → PUBACK (the reading committed and evaluated by the engine,
 *     which runs before the writers are answered) and PUBACK → event (the alert's transaction on
 *     the engine's chain, the stream and the SSE write).
 *     First `--idle-samples` with no other load, then `--samples` while the load process
 *     publishes `--background-rate` readings/s (QoS 0, paced every 5 ms), spaced `--spacing-ms`
 *     to twice that (random) apart.
 *  3. **RSS** of the IOC with the devices registered, with the rules loaded, and its peak.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import type { OptionSpecs, Options } from './cli.ts';
import { CpuMeter } from './lib/cpu.ts';
import { writeResult } from './lib/result.ts';
import { authHeaders, benchApi, createStore, DEFAULT_PG_URL, forEachMode, type IocProcess, type Mode, procCpuSeconds, procStatus, RssSampler, scrape, startIocProcess, type Store } from './lib/server.ts';
import { int, latencySummary, ms, percentile, sleep, table } from './lib/stats.ts';

export const ALERTS_OPTIONS = {
  modes: { type: 'list', default: 'embedded,postgres', choices: ['embedded', 'postgres'], help: 'storage modes' },
  devices: { type: 'number', default: 2000, help: 'devices (one MQTT connection each), six types over the 47 wards and communes' },
  rules: { type: 'number', default: 1000, help: 'enabled rules in the "rules on" run (the probe rule included)' },
  'background-rate': { type: 'number', default: 10_000, help: 'readings/s of background load (MQTT QoS 0) while the latency is measured' },
  samples: { type: 'number', default: 200, help: 'latency samples under the background load' },
  'idle-samples': { type: 'number', default: 50, help: 'latency samples with no other load, first (0 = none)' },
  'spacing-ms': { type: 'number', default: 50, help: 'least time between two probe publications; each waits spacing to 2 × spacing (random)' },
  'background-warmup': { type: 'number', default: 5, help: 'background load before the latency samples start, seconds' },
  'latency-limit': { type: 'number', default: 90, help: 'the latency samples under load stop after this many seconds at most' },
  rounds: { type: 'number', default: 3, help: 'throughput: rounds; each measures the rules-off and the rules-on IOC in turn (order alternating)' },
  seconds: { type: 'number', default: 8, help: 'throughput: measured window per IOC and round, seconds' },
  warmup: { type: 'number', default: 2, help: 'throughput: load before each window opens, seconds' },
  window: { type: 'number', default: 4, help: 'throughput: MQTT QoS 1 messages unacknowledged per connection' },
  'rule-concurrency': { type: 'number', default: 4, help: 'POST /api/v1/rules requests in flight while the rules are created' },
  'pg-url': { type: 'string', default: DEFAULT_PG_URL, help: 'PostgreSQL server for postgres mode (a bench_* database is created and dropped)' },
  out: { type: 'string', default: 'bench/results', help: 'folder for the JSON result ("" = do not write)' },
} satisfies OptionSpecs;

export type AlertsOptions = Options<typeof ALERTS_OPTIONS>;

type Log = (line: string) => void;
type Latency = ReturnType<typeof latencySummary> & { p95: number };

/** The issue's targets: alert p99 under 50 ms; ingestion with rules at least 70 % of without. */
export const TARGET_P99_MS = 50;
export const TARGET_RATIO = 0.7;

const APIKEY = 'alerts';
const PROBE_ID = 'al-probe';
const PROBE_RULE = 'bench-probe';
const PROBE_RAISE = 150;
const PROBE_CLEAR = 10;
const WORKER_FLAG = '--alerts-load-worker';

// ── The city: devices and their values ─────────────────────────────────────────────────────

const TYPE_ATTRS: Record<string, readonly string[]> = {
  air_quality: ['pm25', 'pm10', 'no2', 'so2', 'co', 'o3'],
  traffic: ['speed', 'vehicles'],
  flood_depth: ['depth'],
  rain_gauge: ['rain'],
  river_level: ['level'],
  wastewater: ['ph', 'cod', 'tss', 'nh4', 'flow'],
};
/** One block of 20 devices: the type mix (6 air, 5 traffic, 3 flood, 3 rain, 1 river, 2 wastewater). */
const BLOCK = [
  ...Array<string>(6).fill('air_quality'),
  ...Array<string>(5).fill('traffic'),
  ...Array<string>(3).fill('flood_depth'),
  ...Array<string>(3).fill('rain_gauge'),
  'river_level',
  ...Array<string>(2).fill('wastewater'),
];

export interface BenchDevice {
  id: string;
  type: string;
  unitCode: string;
}

interface UnitRow {
  code: string;
  kind: string;
  parent: string | null;
  status?: string;
}

/** The devices: blocks of 20 (every type) in turn over the wards and communes. */
export function buildFleet(n: number, leaves: readonly string[]): BenchDevice[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `al-${String(i).padStart(5, '0')}`,
    type: BLOCK[i % BLOCK.length]!,
    unitCode: leaves[Math.floor(i / BLOCK.length) % leaves.length]!,
  }));
}

/** Background values: varied, and on the safe side of every rule below (no alert is raised). */
export function backgroundValues(type: string, k: number): Record<string, number> {
  // A low-discrepancy walk in [0, 1) per message, a different phase per attribute.
  const u = (phase: number) => (k * 0.6180339887 + phase) % 1;
  const v = (lo: number, hi: number, phase: number) => Math.round((lo + (hi - lo) * u(phase)) * 10) / 10;
  switch (type) {
    case 'air_quality':
      return { pm25: v(10, 60, 0.1), pm10: v(20, 100, 0.2), no2: v(10, 60, 0.3), so2: v(5, 30, 0.4), co: v(300, 1500, 0.5), o3: v(20, 100, 0.6) };
    case 'traffic':
      return { speed: v(30, 60, 0.1), vehicles: v(10, 80, 0.2) };
    case 'flood_depth':
      return { depth: v(0, 5, 0.3) };
    case 'rain_gauge':
      return { rain: k % 10 === 0 ? 0.1 : 0 };
    case 'river_level':
      return { level: v(1, 2, 0.4) };
    default:
      return { ph: v(6.8, 7.6, 0.1), cod: v(20, 80, 0.2), tss: v(10, 60, 0.3), nh4: v(1, 5, 0.4), flow: v(100, 500, 0.5) };
  }
}

// ── The rules ─────────────────────────────────────────────────────────────────────────────────

interface Template {
  key: string;
  type: string;
  name: [string, string];
  condition: Record<string, unknown>;
  severity: string;
}

/** Per ward or commune: 21 rules over every type and every condition kind but anomaly and absence. */
const UNIT_TEMPLATES: Template[] = [
  { key: 'pm25-high', type: 'air_quality', name: ['Bụi PM2.5 rất cao', 'PM2.5 very high'], severity: 'major', condition: { kind: 'threshold', attr: 'pm25', op: '>', raise: 300, clear: 200 } },
  { key: 'pm10-high', type: 'air_quality', name: ['Bụi PM10 rất cao', 'PM10 very high'], severity: 'major', condition: { kind: 'threshold', attr: 'pm10', op: '>', raise: 600, clear: 400 } },
  { key: 'no2-sustained', type: 'air_quality', name: ['NO2 cao kéo dài', 'NO2 high for 30 min'], severity: 'minor', condition: { kind: 'duration', attr: 'no2', op: '>', value: 1500, minutes: 30 } },
  { key: 'pm25-hour', type: 'air_quality', name: ['PM2.5 trung bình giờ cao', 'PM2.5 hourly mean high'], severity: 'minor', condition: { kind: 'window', attr: 'pm25', agg: 'avg', minutes: 60, op: '>', raise: 250, clear: 150 } },
  { key: 'pm25-rising', type: 'air_quality', name: ['PM2.5 tăng nhanh', 'PM2.5 rising fast'], severity: 'minor', condition: { kind: 'rate', attr: 'pm25', change: 200, minutes: 60 } },
  { key: 'o3-high', type: 'air_quality', name: ['O3 cao', 'O3 high'], severity: 'minor', condition: { kind: 'threshold', attr: 'o3', op: '>', raise: 800, clear: 600 } },
  { key: 'so2-run', type: 'air_quality', name: ['SO2 cao liên tiếp', 'SO2 high 5 readings in a row'], severity: 'minor', condition: { kind: 'duration', attr: 'so2', op: '>', value: 2000, readings: 5 } },
  { key: 'co-high', type: 'air_quality', name: ['CO cao', 'CO high'], severity: 'major', condition: { kind: 'threshold', attr: 'co', op: '>', raise: 50000, clear: 30000 } },
  { key: 'traffic-stopped', type: 'traffic', name: ['Giao thông đứng yên', 'Traffic at a standstill'], severity: 'major', condition: { kind: 'duration', attr: 'speed', op: '<=', value: 3, minutes: 15 } },
  { key: 'traffic-heavy', type: 'traffic', name: ['Lưu lượng xe rất lớn', 'Very heavy traffic'], severity: 'minor', condition: { kind: 'threshold', attr: 'vehicles', op: '>', raise: 400, clear: 300 } },
  { key: 'traffic-drop', type: 'traffic', name: ['Tốc độ giảm đột ngột', 'Sudden speed drop'], severity: 'minor', condition: { kind: 'rate', attr: 'speed', change: -60, minutes: 10 } },
  { key: 'flood-deep', type: 'flood_depth', name: ['Ngập sâu', 'Deep flooding'], severity: 'major', condition: { kind: 'threshold', attr: 'depth', op: '>=', raise: 50, clear: 30 } },
  { key: 'flood-rising', type: 'flood_depth', name: ['Nước ngập lên nhanh', 'Flood rising fast'], severity: 'major', condition: { kind: 'rate', attr: 'depth', change: 30, minutes: 30 } },
  { key: 'flood-standing', type: 'flood_depth', name: ['Ngập kéo dài', 'Standing flood'], severity: 'minor', condition: { kind: 'duration', attr: 'depth', op: '>', value: 20, minutes: 10 } },
  { key: 'rain-3h', type: 'rain_gauge', name: ['Mưa lớn 3 giờ', 'Heavy rain over 3 h'], severity: 'major', condition: { kind: 'window', attr: 'rain', agg: 'sum', minutes: 180, op: '>=', raise: 100, clear: 70 } },
  { key: 'rain-1h', type: 'rain_gauge', name: ['Mưa lớn 1 giờ', 'Heavy rain over 1 h'], severity: 'minor', condition: { kind: 'window', attr: 'rain', agg: 'sum', minutes: 60, op: '>=', raise: 60, clear: 40 } },
  { key: 'river-high', type: 'river_level', name: ['Mực nước sông cao', 'River high'], severity: 'major', condition: { kind: 'threshold', attr: 'level', op: '>=', raise: 8, clear: 7 } },
  { key: 'river-rising', type: 'river_level', name: ['Nước sông lên nhanh', 'River rising fast'], severity: 'major', condition: { kind: 'rate', attr: 'level', change: 2, minutes: 60 } },
  { key: 'cod-sustained', type: 'wastewater', name: ['COD vượt chuẩn kéo dài', 'COD over the limit for 30 min'], severity: 'major', condition: { kind: 'duration', attr: 'cod', op: '>', value: 150, minutes: 30 } },
  { key: 'ph-low', type: 'wastewater', name: ['pH nước thải thấp', 'Wastewater pH low'], severity: 'minor', condition: { kind: 'threshold', attr: 'ph', op: '<', raise: 5.5, clear: 6 } },
  { key: 'tss-hour', type: 'wastewater', name: ['TSS trung bình giờ cao', 'TSS hourly mean high'], severity: 'minor', condition: { kind: 'window', attr: 'tss', agg: 'avg', minutes: 60, op: '>', raise: 300, clear: 200 } },
];

const bi = (vi: string, en: string) => ({ vi, en });

/** City-wide, one per attribute: a value near the instrument's limit (a gross fault or an extreme event). */
const EXTREMES: [type: string, attr: string, op: string, raise: number, clear: number][] = [
  ['air_quality', 'pm25', '>', 900, 800],
  ['air_quality', 'pm10', '>', 1800, 1600],
  ['air_quality', 'no2', '>', 1800, 1600],
  ['air_quality', 'so2', '>', 2400, 2200],
  ['air_quality', 'co', '>', 90000, 80000],
  ['air_quality', 'o3', '>', 1100, 1000],
  ['traffic', 'speed', '>', 190, 180],
  ['traffic', 'vehicles', '>', 480, 450],
  ['flood_depth', 'depth', '>', 250, 200],
  ['rain_gauge', 'rain', '>', 150, 120],
  ['river_level', 'level', '>', 15, 12],
  ['wastewater', 'ph', '<', 1, 2],
  ['wastewater', 'cod', '>', 4500, 4000],
  ['wastewater', 'tss', '>', 4500, 4000],
  ['wastewater', 'nh4', '>', 450, 400],
  ['wastewater', 'flow', '>', 18000, 16000],
];

/**
 * `n` rule definitions: the probe rule, 20 city-wide rules (4, and one extreme-value threshold per
 * attribute), 8 district-wide rules, then the unit templates over every ward and commune (in rounds,
 * with a suffix, when more are asked for; the last round may cover only some units).
 */
export function buildRules(n: number, leaves: readonly string[], districts: readonly string[]): Record<string, unknown>[] {
  const base = { route: 'area', enabled: true } as const;
  const out: Record<string, unknown>[] = [
    {
      ...base, id: PROBE_RULE, name: bi('Đầu dò của phép đo', 'Benchmark probe'), unitCode: '48', devices: [PROBE_ID], per: 'device', severity: 'major',
      condition: { kind: 'threshold', attr: 'depth', op: '>=', raise: 100, clear: 50 },
    },
    { ...base, id: 'bench-city-flood-offline', name: bi('Cảm biến ngập mất tín hiệu', 'Flood sensor offline'), unitCode: '48', deviceType: 'flood_depth', per: 'device', severity: 'minor', condition: { kind: 'absence', factor: 10 } },
    { ...base, id: 'bench-city-traffic-offline', name: bi('Bộ đếm xe mất tín hiệu', 'Traffic counter offline'), unitCode: '48', deviceType: 'traffic', per: 'device', severity: 'info', condition: { kind: 'absence', attr: 'vehicles', factor: 10 } },
    {
      ...base, id: 'bench-city-air-any', name: bi('Bụi mịn nguy hại', 'Hazardous particulates'), unitCode: '48', deviceType: 'air_quality', per: 'device', severity: 'critical',
      condition: { kind: 'any', conditions: [{ kind: 'threshold', attr: 'pm25', op: '>', raise: 500, clear: 350 }, { kind: 'threshold', attr: 'pm10', op: '>', raise: 1000, clear: 700 }] },
    },
    {
      ...base, id: 'bench-city-wastewater-all', name: bi('Xả thải COD cao lưu lượng lớn', 'High COD at high flow'), unitCode: '48', deviceType: 'wastewater', per: 'device', severity: 'major',
      condition: { kind: 'all', conditions: [{ kind: 'threshold', attr: 'cod', op: '>', raise: 300, clear: 200 }, { kind: 'threshold', attr: 'flow', op: '>', raise: 15000, clear: 10000 }] },
    },
    ...EXTREMES.map(([type, attr, op, raise, clear]) => ({
      ...base, id: `bench-city-${attr}-extreme`, name: bi(`Giá trị cực đoan ${attr}`, `Extreme ${attr}`), unitCode: '48', deviceType: type, per: 'device', severity: 'critical',
      condition: { kind: 'threshold', attr, op, raise, clear },
    })),
    ...districts.map((d) => ({
      ...base, id: `bench-${d}-rain-river`, name: bi(`Mưa lớn và sông lên ${d}`, `Heavy rain and high river ${d}`), unitCode: d, per: 'area', severity: 'critical', reopenMinutes: 60,
      condition: {
        kind: 'all',
        conditions: [
          { kind: 'window', deviceType: 'rain_gauge', attr: 'rain', agg: 'sum', minutes: 180, op: '>=', raise: 80, clear: 50 },
          { kind: 'threshold', deviceType: 'river_level', attr: 'level', op: '>=', raise: 6, clear: 5 },
        ],
      },
    })),
  ];
  for (let round = 0; out.length < n; round++) {
    for (const unit of leaves) {
      for (const t of UNIT_TEMPLATES) {
        if (out.length >= n) break;
        const suffix = round ? `-r${round}` : '';
        out.push({ ...base, id: `bench-${unit}-${t.key}${suffix}`, name: bi(`${t.name[0]} ${unit}${suffix}`, `${t.name[1]} ${unit}${suffix}`), unitCode: unit, deviceType: t.type, per: 'device', severity: t.severity, condition: t.condition });
      }
    }
  }
  return out.slice(0, n);
}

interface Binding {
  /** Series watched, summed over rules (a series watched by 3 rules counts 3). */
  bindings: number;
  series: number;
  /** Rules watching a reading, on average over the background's readings. */
  perReading: number;
  /** The most rules watching one series. */
  max: number;
}

/** How many rules watch each series of the fleet (mirrors bindRule: unit subtree, type, attribute). */
export function ruleBindings(rules: Record<string, unknown>[], fleet: BenchDevice[], parentOf: (code: string) => string | null): Binding {
  const covers = (ruleUnit: string, unit: string) => {
    for (let u: string | null = unit; u; u = parentOf(u)) if (u === ruleUnit) return true;
    return false;
  };
  const watchers = new Map<string, number>();
  const leavesOf = (c: Record<string, unknown>): Record<string, unknown>[] =>
    c.kind === 'all' || c.kind === 'any' ? (c.conditions as Record<string, unknown>[]).flatMap(leavesOf) : [c];
  for (const r of rules) {
    const devs = fleet.filter((d) => covers(r.unitCode as string, d.unitCode) && (!r.deviceType || d.type === r.deviceType) && (!r.devices || (r.devices as string[]).includes(d.id)));
    const watched = new Set<string>();
    for (const leaf of leavesOf(r.condition as Record<string, unknown>)) {
      for (const d of devs) {
        if (leaf.deviceType && leaf.deviceType !== d.type) continue;
        const attrs = leaf.attr ? [leaf.attr as string] : TYPE_ATTRS[d.type]!;
        for (const a of attrs) if (TYPE_ATTRS[d.type]!.includes(a)) watched.add(`${d.id}/${a}`);
      }
    }
    for (const k of watched) watchers.set(k, (watchers.get(k) ?? 0) + 1);
  }
  const series = fleet.reduce((n, d) => n + TYPE_ATTRS[d.type]!.length, 0);
  const bindings = [...watchers.values()].reduce((a, b) => a + b, 0);
  return { bindings, series, perReading: bindings / series, max: Math.max(0, ...watchers.values()) };
}

// ── HTTP helpers ──────────────────────────────────────────────────────────────────────────────

const api = benchApi;

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(width, items.length)) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function registerFleet(ioc: IocProcess, devices: BenchDevice[]): Promise<void> {
  for (let i = 0; i < devices.length; i += 1000) {
    const chunk = devices.slice(i, i + 1000).map((d, k) => ({
      id: d.id,
      type: d.type,
      name: `Thiết bị thử ${d.id}`,
      location: { lat: 16.0 + ((i + k) % 100) / 1000, lon: 108.1 + Math.floor((i + k) / 100) / 1000 },
      unitCode: d.unitCode,
      apikey: APIKEY,
    }));
    await api(ioc, 'POST', '/api/v1/devices/import?mode=insert', chunk);
  }
}

async function deleteAllRules(ioc: IocProcess): Promise<number> {
  const { items } = (await api(ioc, 'GET', '/api/v1/rules?limit=1000')) as { items: { id: string }[] };
  for (const r of items) await api(ioc, 'DELETE', `/api/v1/rules/${encodeURIComponent(r.id)}`);
  return items.length;
}

/**
 * CPU use of the IOC, the load process, this process and (PostgreSQL mode) the run database's
 * backends; a backend that ends meanwhile (the pool closes idle connections) is left out.
 */
class Cpu {
  private meter: CpuMeter | undefined;
  private readonly pg0 = new Map<number, number>();
  private t0 = 0;
  constructor(
    private readonly ioc: IocProcess,
    private readonly load: LoadProcess,
    private readonly store: Store,
  ) {}
  async start(): Promise<void> {
    for (const pid of await postgresBackends(this.store)) this.pg0.set(pid, await procCpuSeconds(pid));
    this.meter = new CpuMeter({ server: [this.ioc.pid], load: [this.load.pid], bench: [process.pid] });
    await this.meter.start();
    this.t0 = performance.now();
  }
  async stop(): Promise<Throughput['cpu']> {
    const m = await this.meter!.stop();
    const secs = (performance.now() - this.t0) / 1000;
    if (!this.store.databaseUrl) return m;
    let pgSecs = 0;
    for (const [pid, s0] of this.pg0) {
      const s1 = await procCpuSeconds(pid);
      if (Number.isFinite(s1) && Number.isFinite(s0)) pgSecs += s1 - s0;
    }
    const postgres = pgSecs / secs;
    return { cores: { ...m.cores, postgres }, machineBusy: m.machineBusy, otherCores: Math.max(0, m.otherCores - postgres) };
  }
}

async function postgresBackends(store: Store): Promise<number[]> {
  if (!store.databaseUrl) return [];
  const c = new pg.Client({ connectionString: store.databaseUrl });
  await c.connect();
  const r = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  await c.end();
  return r.rows.map((x) => x.pid);
}

/**
 * Every device sends one message (QoS 1), then the IOC is left until it is idle (under 0.15 of a
 * core for 2 s in a row, nothing queued): the first reading of a new device starts one-off work
 * (derived series close its last 24 hours of VN_AQI) that must not fall in a measured window.
 * Returns the seconds it took.
 */
async function settle(ioc: IocProcess, load: LoadProcess, maxS = 120): Promise<number> {
  const t0 = performance.now();
  await load.run({ qos: 1, rate: 0, window: 1, durationMs: maxS * 1000, perDevice: 1 });
  let quiet = 0;
  let cpu = await procCpuSeconds(ioc.pid);
  while (quiet < 2 && performance.now() - t0 < maxS * 1000) {
    await sleep(1000);
    const c = await procCpuSeconds(ioc.pid);
    const s = await scrape(ioc.httpUrl);
    quiet = c - cpu < 0.15 && s.queued === 0 ? quiet + 1 : 0;
    cpu = c;
  }
  return (performance.now() - t0) / 1000;
}

// ── What the IOC's /metrics say about a phase ────────────────────────────────────────────────

/** Value of every sample line of `name` whose labels include all of `match` (e.g. `op="readings.write"`). */
function samples(text: string, name: string, match: string[] = []): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels = line.startsWith(`${name}{`) ? line.slice(name.length + 1, line.lastIndexOf('}')) : '';
    if (match.every((m) => labels.includes(m))) out.push({ labels, value: Number(line.slice(line.lastIndexOf(' ') + 1)) });
  }
  return out;
}
const sum = (xs: { value: number }[]) => xs.reduce((a, x) => a + x.value, 0);

/** Observations of a histogram between two scrapes: how many, and how many took longer than `overS` (a bucket bound). */
function histogramDelta(t0: string, t1: string, name: string, match: string[], overS: number): { n: number; over: number; sumS: number } {
  const count = (t: string) => sum(samples(t, `${name}_count`, match));
  const upTo = (t: string) => sum(samples(t, `${name}_bucket`, [...match, `le="${overS}"`]));
  const n = count(t1) - count(t0);
  return { n, over: n - (upTo(t1) - upTo(t0)), sumS: sum(samples(t1, `${name}_sum`, match)) - sum(samples(t0, `${name}_sum`, match)) };
}

export interface PhaseDiagnostics {
  /** Reading-batch statements (`ioc_db_query_seconds{op="readings.write"}`): how many, mean, and how many over 100 ms. */
  writes: { n: number; meanMs: number; over100ms: number };
  /** Major (mark-compact) garbage collections: how many, their total, and how many over 100 ms. */
  majorGc: { n: number; totalMs: number; over100ms: number };
  /** The largest event-loop delay the IOC saw between two scrapes (one a second), ms. */
  eventLoopLagMaxMs: number;
  /** The largest ingest backlog seen (one scrape a second), readings. */
  maxQueued: number;
}

/** Scrapes /metrics every second while `during` runs; returns its result and what the scrapes show. */
async function watchMetrics<T>(httpUrl: string, during: () => Promise<T>): Promise<{ result: T; diag: PhaseDiagnostics }> {
  const text = async () => (await fetch(`${httpUrl}/metrics`)).text();
  const t0 = await text();
  let lag = 0;
  let queued = 0;
  let last = t0;
  const look = (t: string) => {
    lag = Math.max(lag, ...samples(t, 'ioc_nodejs_eventloop_lag_max_seconds').map((x) => x.value * 1000));
    queued = Math.max(queued, sum(samples(t, 'ioc_ingest_queue_readings')));
    last = t;
  };
  const timer = setInterval(() => void text().then(look, () => undefined), 1000);
  let result: T;
  try {
    result = await during();
  } finally {
    clearInterval(timer);
  }
  look(await text());
  const w = histogramDelta(t0, last, 'ioc_db_query_seconds', ['op="readings.write"'], 0.1);
  const gc = histogramDelta(t0, last, 'ioc_nodejs_gc_duration_seconds', ['kind="major"'], 0.1);
  return {
    result,
    diag: {
      writes: { n: w.n, meanMs: w.n ? (1000 * w.sumS) / w.n : NaN, over100ms: w.over },
      majorGc: { n: gc.n, totalMs: 1000 * gc.sumS, over100ms: gc.over },
      eventLoopLagMaxMs: lag,
      maxQueued: queued,
    },
  };
}

const diagLine = (d: PhaseDiagnostics) =>
  `${int(d.writes.n)} batch writes (mean ${ms(d.writes.meanMs)} ms, ${d.writes.over100ms} over 100 ms), ${d.majorGc.n} major GCs (${int(d.majorGc.totalMs)} ms, ${d.majorGc.over100ms} over 100 ms), ` +
  `event-loop delay max ${ms(d.eventLoopLagMaxMs)} ms, backlog max ${int(d.maxQueued)}`;

// ── The SSE client ────────────────────────────────────────────────────────────────────────────

interface StreamedAlert {
  event: { id: string; kind: string };
  alert: { id: string; ruleId: string; subject: string };
}

interface AlertStreamClient {
  /** Resolves with performance.now() at the receipt of the first event that matches, or undefined after `timeoutMs`. */
  next(match: (e: StreamedAlert) => boolean, timeoutMs: number): Promise<number | undefined>;
  /** Events of other rules than the probe's (the background must raise none). */
  others: { n: number; first: StreamedAlert | undefined };
  /** Why the server ended the stream, if it did. */
  ended: string | undefined;
  close(): void;
}

/** Opens `GET /api/v1/live/alerts` as the admin; resolves on `event: ready`. */
function openAlertStream(httpUrl: string, headers: Record<string, string>): Promise<AlertStreamClient> {
  return new Promise((resolve, reject) => {
    let waiter: { match: (e: StreamedAlert) => boolean; done: (at: number | undefined) => void } | undefined;
    const client: AlertStreamClient = {
      next(match, timeoutMs) {
        return new Promise((done) => {
          const timer = setTimeout(() => {
            waiter = undefined;
            done(undefined);
          }, timeoutMs);
          waiter = {
            match,
            done: (at) => {
              clearTimeout(timer);
              waiter = undefined;
              done(at);
            },
          };
        });
      },
      others: { n: 0, first: undefined },
      ended: undefined,
      close: () => req.destroy(),
    };
    const onBlock = (block: string, at: number) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (event === 'ready') resolve(client);
      else if (event === 'end') client.ended = data.join('\n');
      else if (event === 'alert') {
        const e = JSON.parse(data.join('\n')) as StreamedAlert;
        if (e.alert.ruleId !== PROBE_RULE) {
          client.others.n++;
          client.others.first ??= e;
        }
        if (waiter?.match(e)) waiter.done(at);
      }
    };
    const req = http.request(`${httpUrl}/api/v1/live/alerts`, { headers: { ...headers, accept: 'text/event-stream' } });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET /api/v1/live/alerts: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        const at = performance.now();
        buf += chunk;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          onBlock(block, at);
        }
      });
    });
    req.on('error', (e) => {
      if (!client.ended) reject(e);
    });
    req.end();
  });
}

// ── The load process (this file, forked) ─────────────────────────────────────────────────────

interface LoadRun {
  qos: 0 | 1;
  /** Readings/s offered in total, paced every 5 ms; 0 = closed loop (as fast as acknowledgements allow). */
  rate: number;
  /** Messages in flight per connection (QoS 1 unacknowledged, QoS 0 unwritten). */
  window: number;
  /** Ends by itself after this long; 0 = runs until told to stop. */
  durationMs: number;
  /** Closed loop only: ends once every device has had this many messages acknowledged (0 = no limit). */
  perDevice?: number;
}

export interface LoadRunResult {
  sentMessages: number;
  sentReadings: number;
  ackedReadings: number;
  seconds: number;
  errors: number;
  firstError: string | undefined;
  disconnects: number;
}

type ToWorker = { type: 'connect'; url: string; devices: BenchDevice[] } | { type: 'run'; run: LoadRun } | { type: 'stop' };
type FromWorker = { type: 'ready' } | { type: 'done'; result: LoadRunResult } | { type: 'failed'; error: string };

interface LoadProcess {
  pid: number;
  run(run: LoadRun): Promise<LoadRunResult>;
  stop(): void;
  kill(): void;
}

/** Forks the load process and waits until every device is connected. */
async function startLoad(url: string, devices: BenchDevice[]): Promise<LoadProcess> {
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, [WORKER_FLAG], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending: { resolve: (r: LoadRunResult) => void; reject: (e: Error) => void } | undefined;
  let onReady: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => (onReady = { resolve, reject }));
  child.on('message', (m: FromWorker) => {
    if (m.type === 'ready') onReady?.resolve();
    else if (m.type === 'done') pending?.resolve(m.result);
    else {
      const e = new Error(`load process failed: ${m.error}`);
      onReady?.reject(e);
      pending?.reject(e);
    }
  });
  child.once('exit', (code) => {
    const e = new Error(`load process exited (${code})`);
    onReady?.reject(e);
    pending?.reject(e);
  });
  child.send({ type: 'connect', url, devices } satisfies ToWorker);
  try {
    await ready;
  } catch (e) {
    child.kill();
    throw e;
  }
  onReady = undefined;
  return {
    pid: child.pid!,
    run(run) {
      const p = new Promise<LoadRunResult>((resolve, reject) => (pending = { resolve, reject }));
      child.send({ type: 'run', run } satisfies ToWorker);
      return p;
    },
    stop: () => void child.send({ type: 'stop' } satisfies ToWorker),
    kill: () => void (child.exitCode === null && child.kill()),
  };
}

async function workerMain(): Promise<void> {
  interface Conn { device: BenchDevice; client: MqttClient; topic: string; readings: number; inflight: number; k: number; lastTs: number }
  const send = (m: FromWorker) => new Promise<void>((resolve) => process.send!(m, undefined, {}, () => resolve()));
  const conns: Conn[] = [];
  let disconnects = 0;
  let stopping = true;
  let stopRun: (() => void) | undefined;

  const connect = async (url: string, devices: BenchDevice[]) => {
    for (let i = 0; i < devices.length; i += 200) {
      const batch = await Promise.all(
        devices.slice(i, i + 200).map(
          (device) =>
            new Promise<Conn>((resolve, reject) => {
              const client = mqtt.connect(url, { clientId: `al-${device.id}-${process.pid}`, clean: true, reconnectPeriod: 1000, connectTimeout: 30_000, keepalive: 60 });
              client.once('connect', () => {
                client.stream.setMaxListeners(0);
                resolve({ device, client, topic: `/${APIKEY}/${device.id}/attrs`, readings: TYPE_ATTRS[device.type]!.length, inflight: 0, k: 0, lastTs: 0 });
              });
              client.once('error', reject);
            }),
        ),
      );
      conns.push(...batch);
    }
    for (const c of conns) {
      c.client.on('error', () => undefined);
      c.client.on('close', () => {
        if (!stopping) disconnects++;
      });
    }
  };

  const run = (task: LoadRun): Promise<LoadRunResult> =>
    new Promise((resolve) => {
      const r = { sentMessages: 0, sentReadings: 0, ackedReadings: 0, errors: 0, firstError: undefined as string | undefined };
      const d0 = disconnects;
      const limit = task.perDevice ?? 0;
      const sentInRun = new Map<Conn, number>();
      let toAck = limit * conns.length;
      const t0 = performance.now();
      stopping = false;
      const allowed = (readings: number) => !stopping && (task.rate <= 0 || r.sentReadings + readings <= (task.rate * (performance.now() - t0)) / 1000);
      const publish = (c: Conn) => {
        // Each device's instants strictly grow (a repeated (series, ts) would be dropped as a redelivery).
        const ts = Math.max(Date.now(), c.lastTs + 1);
        c.lastTs = ts;
        const payload = JSON.stringify({ TimeInstant: new Date(ts).toISOString(), ...backgroundValues(c.device.type, c.k++) });
        c.inflight++;
        r.sentMessages++;
        r.sentReadings += c.readings;
        c.client.publish(c.topic, payload, { qos: task.qos }, (err) => {
          c.inflight--;
          if (err) {
            r.errors++;
            r.firstError ??= err.message;
          } else r.ackedReadings += c.readings;
          if (limit && --toAck === 0) stopRun?.();
          if (task.rate <= 0) pump(c);
        });
      };
      const pump = (c: Conn) => {
        while (c.inflight < task.window && c.client.connected && allowed(c.readings) && (!limit || (sentInRun.get(c) ?? 0) < limit)) {
          sentInRun.set(c, (sentInRun.get(c) ?? 0) + 1);
          publish(c);
        }
      };
      let timer: NodeJS.Timeout | undefined;
      let next = 0;
      if (task.rate > 0) {
        // Paced: every 5 ms, what the rate allows, the devices in turn (each sends its whole message).
        timer = setInterval(() => {
          for (let skipped = 0; skipped < conns.length; ) {
            const c = conns[next % conns.length]!;
            if (!allowed(c.readings)) break;
            next++;
            if (c.inflight < task.window && c.client.connected) {
              publish(c);
              skipped = 0;
            } else skipped++;
          }
        }, 5);
      } else conns.forEach(pump);
      const end = setTimeout(() => stopRun?.(), task.durationMs > 0 ? task.durationMs : 2 ** 31 - 1);
      stopRun = () => {
        stopRun = undefined;
        const seconds = (performance.now() - t0) / 1000;
        stopping = true;
        clearInterval(timer);
        clearTimeout(end);
        void (async () => {
          const deadline = Date.now() + 30_000;
          while (conns.some((c) => c.inflight > 0 && c.client.connected) && Date.now() < deadline) await sleep(20);
          resolve({ ...r, seconds, disconnects: disconnects - d0 });
        })();
      };
    });

  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: ToWorker) => {
    if (m.type === 'connect') {
      connect(m.url, m.devices).then(
        () => send({ type: 'ready' }),
        (e: Error) => send({ type: 'failed', error: e.stack ?? e.message }),
      );
    } else if (m.type === 'run') {
      void run(m.run).then((result) => send({ type: 'done', result }));
    } else stopRun?.();
  });
}

if (process.argv.includes(WORKER_FLAG) && process.send && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void workerMain();

// ── Throughput ────────────────────────────────────────────────────────────────────────────────

export interface Throughput {
  /** Readings committed per second over the window. */
  storedPerSec: number;
  seconds: number;
  /** Readings committed per second, second by second, from the start of the load. */
  timeline: number[];
  sentReadings: number;
  ackedReadings: number;
  errors: number;
  firstError: string | undefined;
  disconnects: number;
  maxQueued: number;
  /** Cores used during the window: the IOC, the load process, PostgreSQL backends, this process; and the rest of the machine. */
  cpu: { cores: Record<string, number>; machineBusy: number; otherCores: number };
}

async function throughput(ioc: IocProcess, load: LoadProcess, store: Store, o: AlertsOptions): Promise<Throughput> {
  const url = ioc.httpUrl;
  const durationMs = (o.warmup + o.seconds) * 1000;
  const timeline: number[] = [];
  let last = await scrape(url);
  const running = load.run({ qos: 1, rate: 0, window: o.window, durationMs });
  const goAt = performance.now();
  const tick = setInterval(() => {
    void scrape(url).then(
      (s) => {
        timeline.push(Math.round(((s.total - last.total) * 1000) / (s.at - last.at)));
        last = s;
      },
      () => undefined,
    );
  }, 1000);
  await sleep(o.warmup * 1000);
  const cpu = new Cpu(ioc, load, store);
  await cpu.start();
  const a0 = await scrape(url);
  await sleep(Math.max(0, goAt + durationMs - performance.now()));
  const a1 = await scrape(url);
  const cpuUse = await cpu.stop();
  clearInterval(tick);
  const res = await running;
  // Drain: until the IOC's queue is empty and the count stops moving.
  let end = await scrape(url);
  for (let stable = 0, t = performance.now(); performance.now() - t < 60_000 && stable < 3; ) {
    await sleep(250);
    const s = await scrape(url);
    stable = s.total === end.total && s.queued === 0 ? stable + 1 : 0;
    end = s;
  }
  const seconds = (a1.at - a0.at) / 1000;
  return {
    storedPerSec: (a1.total - a0.total) / seconds,
    seconds: Math.round(seconds * 100) / 100,
    timeline,
    sentReadings: res.sentReadings,
    ackedReadings: res.ackedReadings,
    errors: res.errors,
    firstError: res.firstError,
    disconnects: res.disconnects,
    maxQueued: Math.max(a0.queued, a1.queued),
    cpu: cpuUse,
  };
}

// ── Alert latency ─────────────────────────────────────────────────────────────────────────────

export interface ProbeResult {
  /** Publish → the alert event received on the SSE stream, ms. */
  sse: Latency;
  /** Publish → PUBACK (the reading committed and handed to the rule engine), ms. */
  puback: Latency;
  /**
   * PUBACK → SSE event, per sample: what follows the commit (the engine's evaluation of the batch
   * is before the PUBACK; after it: the alert's transaction on the engine's chain, the stream, the
   * SSE write), ms. Negative when the event overtook the PUBACK.
   */
  afterCommit: Latency;
  /** Samples whose event did not come within 5 s. */
  lost: number;
  /** The phase stopped early: 5 samples lost in a row, or its time limit passed. */
  cutShort: string | undefined;
  /** Raw samples (publish → SSE), ms, in order. */
  samples: number[];
}

const summary = (xs: number[]): Latency => ({ ...latencySummary(xs), p95: percentile(xs, 95) });

class Probe {
  private lastTs = 0;
  /** The value sent next raises (true) or clears (false) the probe's alert. */
  private raising = true;
  private constructor(private readonly client: MqttClient) {}

  static async connect(url: string): Promise<Probe> {
    const client = mqtt.connect(url, { clientId: `al-probe-${process.pid}`, clean: true, reconnectPeriod: 1000, connectTimeout: 30_000 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return new Probe(client);
  }

  /** `n` samples, or fewer if `limitS` seconds pass or 5 events in a row do not come (the IOC is behind). */
  async measure(sse: AlertStreamClient, n: number, spacingMs: number, limitS: number): Promise<ProbeResult> {
    const toSse: number[] = [];
    const toAck: number[] = [];
    const after: number[] = [];
    let lost = 0;
    let lostInRow = 0;
    let cutShort: string | undefined;
    const deadline = performance.now() + limitS * 1000;
    for (let i = 0; i < n; i++) {
      if (lostInRow >= 5) {
        cutShort = `after ${i} samples: 5 events in a row did not come within 5 s`;
        break;
      }
      if (performance.now() > deadline) {
        cutShort = `after ${i} samples: the ${limitS} s limit passed`;
        break;
      }
      const raise = this.raising;
      this.raising = !raise;
      const ts = Math.max(Date.now(), this.lastTs + 1);
      this.lastTs = ts;
      const payload = JSON.stringify({ TimeInstant: new Date(ts).toISOString(), depth: raise ? PROBE_RAISE : PROBE_CLEAR });
      const kinds = raise ? ['raised', 'reopened'] : ['resolved'];
      const event = sse.next((e) => e.alert.ruleId === PROBE_RULE && kinds.includes(e.event.kind), 5_000);
      const t0 = performance.now();
      const acked = new Promise<number | undefined>((resolve) => this.client.publish(`/${APIKEY}/${PROBE_ID}/attrs`, payload, { qos: 1 }, (err) => resolve(err ? undefined : performance.now())));
      const at = await event;
      const ackAt = await Promise.race([acked, sleep(5_000).then(() => undefined)]);
      if (at === undefined) {
        lost++;
        lostInRow++;
      } else {
        lostInRow = 0;
        toSse.push(at - t0);
        if (ackAt !== undefined) after.push(at - ackAt);
      }
      if (ackAt !== undefined) toAck.push(ackAt - t0);
      await sleep(Math.max(0, t0 + spacingMs * (1 + Math.random()) - performance.now()));
    }
    return { sse: summary(toSse), puback: summary(toAck), afterCommit: summary(after), lost, cutShort, samples: toSse.map((x) => Math.round(x * 100) / 100) };
  }

  /** Publish → PUBACK only (an IOC without rules: the same readings, no alert), `n` samples or `limitS` seconds. */
  async measureAck(n: number, spacingMs: number, limitS: number): Promise<Latency> {
    const toAck: number[] = [];
    const deadline = performance.now() + limitS * 1000;
    for (let i = 0; i < n && performance.now() < deadline; i++) {
      const raise = this.raising;
      this.raising = !raise;
      const ts = Math.max(Date.now(), this.lastTs + 1);
      this.lastTs = ts;
      const payload = JSON.stringify({ TimeInstant: new Date(ts).toISOString(), depth: raise ? PROBE_RAISE : PROBE_CLEAR });
      const t0 = performance.now();
      const ackAt = await Promise.race([
        new Promise<number | undefined>((resolve) => this.client.publish(`/${APIKEY}/${PROBE_ID}/attrs`, payload, { qos: 1 }, (err) => resolve(err ? undefined : performance.now()))),
        sleep(5_000).then(() => undefined),
      ]);
      if (ackAt !== undefined) toAck.push(ackAt - t0);
      await sleep(Math.max(0, t0 + spacingMs * (1 + Math.random()) - performance.now()));
    }
    return summary(toAck);
  }

  end(): Promise<void> {
    return new Promise((resolve) => this.client.end(false, {}, () => resolve()));
  }
}

// ── One IOC: rules off or on ──────────────────────────────────────────────────────────────────

/** An IOC set up for a run: devices registered, rules created (rules on), every device connected and settled. */
interface Setup {
  label: string;
  store: Store;
  ioc: IocProcess;
  load: LoadProcess;
  rss: RssSampler;
  rules: number;
  watchers: Binding | null;
  createSeconds: number | null;
  settleSeconds: number;
  rssBeforeRulesMb: number;
  idleRssMb: number;
}

export interface IocRun {
  rules: number;
  /** Rules watching a background reading, on average (and the most on one series). */
  watchers: Binding | null;
  /** Seconds to create the rules through the API (each create waits until the engine has bound and warmed it). */
  createSeconds: number | null;
  /** Committed readings/s over all rounds' windows, and each round's. */
  throughput: { storedPerSec: number; rounds: Throughput[] };
  idle: ProbeResult | null;
  loaded: ProbeResult | null;
  /** Background readings/s committed while the loaded samples ran, and what the load process offered. */
  background: { storedPerSec: number; offeredPerSec: number; seconds: number; maxQueued: number; disconnects: number; cpu: Throughput['cpu']; diag: PhaseDiagnostics } | null;
  /** Events of rules other than the probe's on the SSE stream (must be 0: the background raises nothing). */
  otherEvents: number;
  streamEnded: string | undefined;
  /** Rules off: the probe's publish → PUBACK under the same background load. */
  control: { storedPerSec: number; puback: Latency; cpu: Throughput['cpu']; diag: PhaseDiagnostics } | null;
  /** RSS of the IOC with the devices registered (and, rules on, the rules loaded), before the load; MB. */
  idleRssMb: number;
  /** RSS before the rules were created (rules on); MB. */
  rssBeforeRulesMb: number;
  /** Largest RSS sampled during the loads, and VmHWM; MB. */
  loadRssMb: number;
  peakRssMb: number;
  /** Seconds from the first message of every device until the IOC was idle again (see settle). */
  settleSeconds: number;
  /** Alerts in the store by the end of other rules than the probe's (must be 0). */
  otherAlerts: number;
  /** Alert transitions the engine could not write (`ioc_alert_writes_total{kind="failure"}`). */
  engineFailures: number;
}

async function setUp(mode: Mode, rulesOn: boolean, o: AlertsOptions, log: Log, cleanups: (() => Promise<void>)[]): Promise<Setup> {
  const label = `${mode} rules ${rulesOn ? 'on' : 'off'}`;
  const store = await createStore(mode, o['pg-url']);
  cleanups.push(() => store.remove());
  const ioc = await startIocProcess(store);
  cleanups.push(async () => {
    const code = await ioc.stop();
    if (code !== 0) log(`  note: the ${label} IOC exited with ${code}; its last output:\n${ioc.output().slice(-2000)}`);
  });
  const { items: units } = (await api(ioc, 'GET', '/api/v1/units?status=all')) as { items: UnitRow[] };
  const leaves = units.filter((u) => (u.kind === 'ward' || u.kind === 'commune') && u.status !== 'retired').map((u) => u.code).sort();
  const districts = units.filter((u) => u.kind === 'district' && u.status !== 'retired').map((u) => u.code).sort();
  const parents = new Map(units.map((u) => [u.code, u.parent]));
  const fleet = buildFleet(o.devices, leaves);
  // The preset rules go first: the engine re-binds every rule after a device import, from a list
  // taken when that starts, and a rule deleted meanwhile would come back in the engine (see docs/benchmarks.md).
  const deleted = await deleteAllRules(ioc);
  await registerFleet(ioc, [...fleet, { id: PROBE_ID, type: 'flood_depth', unitCode: '48' }]);
  const before = await procStatus(ioc.pid);
  let createSeconds: number | null = null;
  let watchers: Binding | null = null;
  let rules = 0;
  if (rulesOn) {
    const defs = buildRules(o.rules, leaves, districts);
    watchers = ruleBindings(defs.slice(1), fleet, (c) => parents.get(c) ?? null);
    const t = performance.now();
    await pool(defs, o['rule-concurrency'], async (d) => void (await api(ioc, 'POST', '/api/v1/rules', d)));
    createSeconds = (performance.now() - t) / 1000;
    rules = ((await api(ioc, 'GET', '/api/v1/rules?limit=1&enabled=true')) as { total: number }).total;
  }
  const idle = await procStatus(ioc.pid);
  const load = await startLoad(ioc.mqttUrl, fleet);
  cleanups.push(async () => load.kill());
  const settleSeconds = await settle(ioc, load);
  log(
    `  ${label}: ${int(fleet.length)} devices + probe; ${deleted} preset rules deleted; ` +
      (rulesOn ? `${int(rules)} rules created in ${createSeconds!.toFixed(1)} s, ${watchers!.perReading.toFixed(2)} rules per background reading (max ${watchers!.max})` : 'no rules') +
      `; first message of every device, idle again after ${settleSeconds.toFixed(1)} s`,
  );
  const rss = new RssSampler(ioc.pid);
  rss.start();
  return { label, store, ioc, load, rss, rules, watchers, createSeconds, settleSeconds, rssBeforeRulesMb: (before?.rss ?? NaN) / 1048576, idleRssMb: (idle?.rss ?? NaN) / 1048576 };
}

/**
 * Rules off, the control: the probe's publish → PUBACK under the same background load on the IOC
 * without rules (what ingestion alone costs the probe's reading).
 */
async function ackControl(s: Setup, o: AlertsOptions, log: Log, cleanups: (() => Promise<void>)[]): Promise<IocRun['control']> {
  const probe = await Probe.connect(s.ioc.mqttUrl);
  cleanups.push(() => probe.end().catch(() => undefined));
  const bg = s.load.run({ qos: 0, rate: o['background-rate'], window: 8, durationMs: 0 });
  await sleep(o['background-warmup'] * 1000);
  const cpu = new Cpu(s.ioc, s.load, s.store);
  await cpu.start();
  const a0 = await scrape(s.ioc.httpUrl);
  const { result: puback, diag } = await watchMetrics(s.ioc.httpUrl, () => probe.measureAck(o.samples, o['spacing-ms'], o['latency-limit']));
  const a1 = await scrape(s.ioc.httpUrl);
  const cpuUse = await cpu.stop();
  s.load.stop();
  await bg;
  const storedPerSec = (a1.total - a0.total) / ((a1.at - a0.at) / 1000);
  log(
    `  ${s.label}: under ${int(storedPerSec)} readings/s committed, the probe's PUBACK p50 ${ms(puback.p50)} ms, p99 ${ms(puback.p99)} ms, max ${ms(puback.max)} ms (no rules: no alert); ` +
      `IOC CPU ${pct(cpuUse.cores.server!)}, other ${cpuUse.otherCores.toFixed(2)} cores`,
  );
  log(`    ${diagLine(diag)}`);
  return { storedPerSec, puback, cpu: cpuUse, diag };
}

/** The alert latency on the rules-on IOC: idle, then under the background load. */
async function latency(s: Setup, o: AlertsOptions, log: Log, cleanups: (() => Promise<void>)[]): Promise<Pick<IocRun, 'idle' | 'loaded' | 'background' | 'otherEvents' | 'streamEnded'>> {
  const { ioc, load, store, label } = s;
  const sse = await openAlertStream(ioc.httpUrl, await authHeaders(ioc.httpUrl));
  cleanups.push(async () => sse.close());
  const probe = await Probe.connect(ioc.mqttUrl);
  cleanups.push(() => probe.end().catch(() => undefined));
  let idle: ProbeResult | null = null;
  if (o['idle-samples'] > 0) {
    idle = await probe.measure(sse, o['idle-samples'], o['spacing-ms'], 60);
    log(`  ${label}: alert latency, no other load: p50 ${ms(idle.sse.p50)} ms, p99 ${ms(idle.sse.p99)} ms (PUBACK p50 ${ms(idle.puback.p50)} ms; PUBACK → event p50 ${ms(idle.afterCommit.p50)} ms)${idle.lost ? `, ${idle.lost} lost` : ''}`);
  }
  const bg = load.run({ qos: 0, rate: o['background-rate'], window: 8, durationMs: 0 });
  await sleep(o['background-warmup'] * 1000);
  const cpu = new Cpu(ioc, load, store);
  await cpu.start();
  const a0 = await scrape(ioc.httpUrl);
  // The IOC's backlog (if it grows, the IOC does not keep up with the background load), its long statements, GCs and event-loop delay.
  const { result: loaded, diag } = await watchMetrics(ioc.httpUrl, () => probe.measure(sse, o.samples, o['spacing-ms'], o['latency-limit']));
  const a1 = await scrape(ioc.httpUrl);
  const cpuUse = await cpu.stop();
  load.stop();
  const bgRes = await bg;
  const secs = (a1.at - a0.at) / 1000;
  // Offered over the whole background run (paced: the same rate throughout).
  const background = { storedPerSec: (a1.total - a0.total) / secs, offeredPerSec: bgRes.sentReadings / bgRes.seconds, seconds: Math.round(secs * 10) / 10, maxQueued: Math.max(a0.queued, a1.queued, diag.maxQueued), disconnects: bgRes.disconnects, cpu: cpuUse, diag };
  log(
    `  ${label}: alert latency under ${int(background.storedPerSec)} readings/s committed (offered ${int(background.offeredPerSec)}): ` +
      `p50 ${ms(loaded.sse.p50)} ms, p95 ${ms(loaded.sse.p95)} ms, p99 ${ms(loaded.sse.p99)} ms, max ${ms(loaded.sse.max)} ms ` +
      `(PUBACK p50 ${ms(loaded.puback.p50)}, p99 ${ms(loaded.puback.p99)} ms; PUBACK → event p50 ${ms(loaded.afterCommit.p50)}, p99 ${ms(loaded.afterCommit.p99)} ms)` +
      `${loaded.lost ? `, ${loaded.lost} lost` : ''}; backlog max ${int(background.maxQueued)} readings; IOC CPU ${pct(cpuUse.cores.server!)}, other ${cpuUse.otherCores.toFixed(2)} cores`,
  );
  log(`    ${diagLine(diag)}`);
  if (loaded.cutShort) log(`  ${label}: note: the latency samples stopped ${loaded.cutShort}`);
  if (sse.others.n) log(`  ${label}: note: ${sse.others.n} alert events of other rules (first: ${JSON.stringify(sse.others.first).slice(0, 300)})`);
  return { idle, loaded, background, otherEvents: sse.others.n, streamEnded: sse.ended };
}

const pct = (cores: number) => `${Math.round(cores * 100)}%`;

export interface AlertsModeResult {
  mode: Mode;
  off: IocRun;
  on: IocRun;
  /** Committed readings/s with the rules over without (all rounds). */
  ratio: number;
  /** The same, round by round. */
  roundRatios: number[];
}

/**
 * One storage mode: both IOCs set up side by side; the throughput windows alternate between them
 * (off, on, on, off, off, on …) so that a slow spell of the shared machine falls on both; then the
 * alert latency on the rules-on IOC.
 */
async function runMode(mode: Mode, o: AlertsOptions, log: Log): Promise<AlertsModeResult> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const off = await setUp(mode, false, o, log, cleanups);
    const on = await setUp(mode, true, o, log, cleanups);
    const rounds: { off: Throughput; on: Throughput }[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const order = r % 2 === 0 ? [off, on] : [on, off];
      const res = new Map<Setup, Throughput>();
      for (const s of order) res.set(s, await throughput(s.ioc, s.load, s.store, o));
      const round = { off: res.get(off)!, on: res.get(on)! };
      rounds.push(round);
      const line = (t: Throughput) =>
        `${int(t.storedPerSec)} r/s (IOC ${pct(t.cpu.cores.server!)}, load ${pct(t.cpu.cores.load!)}${t.cpu.cores.postgres !== undefined ? `, postgres ${pct(t.cpu.cores.postgres)}` : ''}, other ${t.cpu.otherCores.toFixed(2)} cores${t.errors ? `, ${t.errors} errors: ${t.firstError}` : ''}${t.disconnects ? `, ${t.disconnects} disconnects` : ''})`;
      log(`  ${mode} throughput round ${r + 1}: rules off ${line(round.off)}; rules on ${line(round.on)}; on/off ${((100 * round.on.storedPerSec) / round.off.storedPerSec).toFixed(0)}%`);
    }
    const control = await ackControl(off, o, log, cleanups);
    const lat = await latency(on, o, log, cleanups);
    const finish = async (s: Setup, l: Partial<IocRun>, pick: (x: { off: Throughput; on: Throughput }) => Throughput): Promise<IocRun> => {
      const peak = await s.rss.stop();
      const tps = rounds.map(pick);
      const secs = tps.reduce((a, t) => a + t.seconds, 0);
      return {
        rules: s.rules,
        watchers: s.watchers,
        createSeconds: s.createSeconds,
        throughput: { storedPerSec: tps.reduce((a, t) => a + t.storedPerSec * t.seconds, 0) / secs, rounds: tps },
        idle: l.idle ?? null,
        loaded: l.loaded ?? null,
        background: l.background ?? null,
        otherEvents: l.otherEvents ?? 0,
        streamEnded: l.streamEnded,
        control: l.control ?? null,
        idleRssMb: s.idleRssMb,
        rssBeforeRulesMb: s.rssBeforeRulesMb,
        loadRssMb: peak.duringLoad / 1048576,
        peakRssMb: peak.lifetime / 1048576,
        settleSeconds: s.settleSeconds,
        otherAlerts:
          ((await api(s.ioc, 'GET', '/api/v1/alerts?limit=1')) as { total: number }).total - ((await api(s.ioc, 'GET', `/api/v1/alerts?limit=1&rule=${PROBE_RULE}`)) as { total: number }).total,
        engineFailures: sum(samples(await (await fetch(`${s.ioc.httpUrl}/metrics`)).text(), 'ioc_alert_writes_total', ['kind="failure"'])),
      };
    };
    const offRun = await finish(off, { control }, (x) => x.off);
    const onRun = await finish(on, lat, (x) => x.on);
    return { mode, off: offRun, on: onRun, ratio: onRun.throughput.storedPerSec / offRun.throughput.storedPerSec, roundRatios: rounds.map((x) => x.on.storedPerSec / x.off.storedPerSec) };
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e: Error) => log(`  note: clean-up: ${e.message}`));
  }
}

export function alertsTable(results: AlertsModeResult[]): string {
  const lat = table(
    ['mode', 'load', 'samples', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'PUBACK p50', 'PUBACK p99', 'ack→event p50', 'ack→event p99', 'lost', `p99 < ${TARGET_P99_MS} ms`],
    results.flatMap((r) => {
      const rows: [string, ProbeResult | null][] = [
        ['none', r.on.idle],
        [`${int(r.on.background?.storedPerSec ?? NaN)} r/s`, r.on.loaded],
      ];
      const c = r.off.control;
      return [
        ...rows
          .filter((x): x is [string, ProbeResult] => x[1] !== null)
          .map(([load, p]) => [r.mode, load, String(p.sse.n), ms(p.sse.p50), ms(p.sse.p95), ms(p.sse.p99), ms(p.sse.max), ms(p.puback.p50), ms(p.puback.p99), ms(p.afterCommit.p50), ms(p.afterCommit.p99), String(p.lost), p.sse.p99 < TARGET_P99_MS ? 'yes' : 'NO']),
        ...(c ? [[`${r.mode} (no rules)`, `${int(c.storedPerSec)} r/s`, String(c.puback.n), '—', '—', '—', '—', ms(c.puback.p50), ms(c.puback.p99), '—', '—', '—', '—']] : []),
      ];
    }),
  );
  const tp = table(
    ['mode', 'rules', 'committed r/s', 'rounds', 'IOC CPU', 'RSS idle MB', 'RSS peak MB', 'errors'],
    results.flatMap((r) =>
      [r.off, r.on].map((x) => [
        r.mode,
        int(x.rules),
        int(x.throughput.storedPerSec),
        x.throughput.rounds.map((t) => int(t.storedPerSec)).join(' '),
        pct(x.throughput.rounds.reduce((a, t) => a + t.cpu.cores.server!, 0) / x.throughput.rounds.length),
        int(x.idleRssMb),
        int(x.peakRssMb),
        String(x.throughput.rounds.reduce((a, t) => a + t.errors, 0)),
      ]),
    ),
  );
  const ratio = table(
    ['mode', 'on / off', 'by round', `≥ ${TARGET_RATIO * 100}%`, 'rules created in', 'RSS +rules MB', 'other alerts'],
    results.map((r) => [
      r.mode,
      `${(r.ratio * 100).toFixed(0)}%`,
      r.roundRatios.map((x) => `${(x * 100).toFixed(0)}%`).join(' '),
      r.ratio >= TARGET_RATIO ? 'yes' : 'NO',
      `${(r.on.createSeconds ?? NaN).toFixed(1)} s`,
      int(r.on.idleRssMb - r.on.rssBeforeRulesMb),
      `${r.off.otherAlerts} / ${r.on.otherAlerts}`,
    ]),
  );
  return `Alert latency (publish → SSE event):\n${lat}\n\nIngest throughput (MQTT QoS 1, closed loop):\n${tp}\n\n${ratio}`;
}

export async function runAlerts(o: AlertsOptions, log: Log = (l) => process.stdout.write(`${l}\n`)): Promise<{ results: AlertsModeResult[]; file: string | undefined }> {
  log(
    `alerts: ${int(o.devices)} devices, ${int(o.rules)} rules; throughput: ${o.rounds} rounds of ${o.warmup} s + ${o.seconds} s per IOC (rules off, rules on); ` +
      `latency: ${o['idle-samples']} samples idle, ${o.samples} under ${int(o['background-rate'])} readings/s`,
  );
  const results = await forEachMode(o.modes, o['pg-url'], log, (mode) => runMode(mode, o, log));
  log('');
  log(alertsTable(results));
  const file = await writeResult('alerts', o.out, o, results);
  if (file) log(`\nresult: ${file}`);
  return { results, file };
}
