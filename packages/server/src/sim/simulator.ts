import type { AttributeSpec } from '@haidang/domain';
import { attributeSpecs, sampleDevice } from './device.model.ts';
import {
  DEFAULT_BAD_MESSAGE_RATE,
  DEFAULT_DROPOUT_RATE,
  dropoutDurationMs,
  pickBadKind,
  spoilValues,
  truncateJson,
} from './faults.ts';
import { encodeIotAgent, encodeThingsBoard, iotAgentTopic, THINGSBOARD_TOPIC } from './payload.ts';
import { createPublisher } from './publisher.ts';
import { getScenario } from './scenario.ts';
import { SCENARIO_NAMES, type DeviceLike, type Outage, type ScenarioName, type SimContext } from './sim.types.ts';

export { loadDemoDevices, loadDevicesFile } from './demo-data.ts';
export type { DeviceLike, ScenarioName } from './sim.types.ts';

export interface SimulatorOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  url: string;
  devices: DeviceLike[];
  scenario?: ScenarioName;
  /** Simulated seconds per wall-clock second (default 1). */
  speed?: number;
  /** Share of messages sent deliberately bad (default 0.005). */
  badMessageRate?: number;
  /** Chance per report that a device falls silent for 5–30 periods (default 0.001). */
  dropoutRate?: number;
  qos?: 0 | 1;
  /** Simulated instant the run starts at (ms; default now), e.g. 05:00 to watch the morning rush. */
  startAt?: number;
  log?: (msg: string) => void;
  /** Source of randomness for timing and faults (default Math.random); models use hashed noise. */
  random?: () => number;
}

export interface SimulatorStats {
  /** Messages the broker accepted, bad ones included. */
  published: number;
  /** Of those, messages spoiled on purpose. */
  bad: number;
}

export interface Simulator {
  stop(): Promise<void>;
  stats(): SimulatorStats;
}

/** Minimum wall-clock time between two messages of one device, whatever the speed-up. */
const MIN_PERIOD_MS = 1000;
const CONNECT_WAIT_MS = 5000;

/** One publishing stream: a device's attributes that share a reporting period. */
interface Stream {
  device: DeviceLike;
  specs: AttributeSpec[];
  periodS: number;
  periodMs: number;
  lastSimTs?: number;
  silentUntil: number;
  timer?: NodeJS.Timeout;
}

function checkOptions(opts: SimulatorOptions): void {
  const speed = opts.speed ?? 1;
  if (!Number.isFinite(speed) || speed <= 0) throw new RangeError('speed must be a positive number');
  for (const [name, v] of [['badMessageRate', opts.badMessageRate], ['dropoutRate', opts.dropoutRate]] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0 || v > 1)) throw new RangeError(`${name} must be between 0 and 1`);
  }
  if (opts.scenario !== undefined && !SCENARIO_NAMES.includes(opts.scenario)) {
    throw new RangeError(`scenario must be one of ${SCENARIO_NAMES.join(', ')}`);
  }
  if (opts.qos !== undefined && opts.qos !== 0 && opts.qos !== 1) throw new RangeError('qos must be 0 or 1');
}

/** Groups a device's attributes by reporting period: one message per period. */
function streamsOf(device: DeviceLike, speed: number): Stream[] {
  const byPeriod = new Map<number, AttributeSpec[]>();
  for (const spec of attributeSpecs(device)) byPeriod.set(spec.periodS, [...(byPeriod.get(spec.periodS) ?? []), spec]);
  return [...byPeriod].map(([periodS, specs]) => ({
    device,
    specs,
    periodS,
    periodMs: Math.max(MIN_PERIOD_MS, (periodS * 1000) / speed),
    silentUntil: 0,
  }));
}

/**
 * Starts publishing simulated readings of the devices over MQTT, each at its declared period
 * divided by the speed-up; the models run on a sim clock = start + elapsed × speed. Resolves once
 * connected (or after 5 s, retrying in the background); never rejects for broker trouble.
 */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  checkOptions(opts);
  const speed = opts.speed ?? 1;
  const qos = opts.qos ?? 1;
  const badRate = opts.badMessageRate ?? DEFAULT_BAD_MESSAGE_RATE;
  const dropoutRate = opts.dropoutRate ?? DEFAULT_DROPOUT_RATE;
  const random = opts.random ?? Math.random;
  const log = opts.log ?? (() => {});
  const scenario = getScenario(opts.scenario ?? 'normal');
  const seed = Math.floor(random() * 4294967296);
  const wallStart = Date.now();
  const simStart = opts.startAt ?? wallStart;
  const stats: SimulatorStats = { published: 0, bad: 0 };
  let stopped = false;

  const outages = new Map<string, Outage[]>();
  for (const o of scenario.outages(opts.devices)) outages.set(o.deviceId, [...(outages.get(o.deviceId) ?? []), o]);
  const streams: Stream[] = [];
  for (const d of opts.devices) {
    const s = streamsOf(d, speed);
    if (s.length === 0) log(`device ${d.id}: type ${d.type} has no known attributes, not simulated`);
    streams.push(...s);
  }

  const publisher = createPublisher({ url: opts.url, devices: opts.devices, qos, log });
  if (!(await publisher.waitConnected(CONNECT_WAIT_MS))) {
    log(`MQTT broker ${opts.url} not (fully) reachable yet; publishing as connections come up`);
  }

  const tick = (stream: Stream): void => {
    if (stopped) return;
    const wallNow = Date.now();
    const simNow = simStart + (wallNow - wallStart) * speed;
    const intervalS = stream.lastSimTs === undefined ? stream.periodS : (simNow - stream.lastSimTs) / 1000;
    stream.lastSimTs = simNow;
    const ctx: SimContext = { ts: simNow, elapsedS: (simNow - simStart) / 1000, seed, scenario };
    const { device } = stream;
    const knockedOut = outages.get(device.id)?.some((o) => ctx.elapsedS >= o.fromS && ctx.elapsedS < o.toS) ?? false;
    if (!knockedOut && wallNow >= stream.silentUntil) {
      if (random() < dropoutRate) stream.silentUntil = wallNow + dropoutDurationMs(stream.periodMs, random);
      else send(stream, ctx, intervalS, wallNow);
    }
    // ±10 % jitter keeps devices from falling into lockstep and bursting the broker.
    stream.timer = setTimeout(() => tick(stream), stream.periodMs * (0.9 + 0.2 * random()));
  };

  const send = (stream: Stream, ctx: SimContext, intervalS: number, wallNow: number): void => {
    const { device, specs } = stream;
    const all = sampleDevice(device, ctx, intervalS);
    const values: Record<string, number> = {};
    for (const s of specs) values[s.name] = all[s.name]!;
    const tb = Boolean(device.accessToken);
    const encode = (v: Record<string, unknown>) => (tb ? encodeThingsBoard(wallNow, v) : encodeIotAgent(v));
    const bad = random() < badRate;
    let body = encode(values);
    if (bad) {
      const spoiled = spoilValues(pickBadKind(random), values, specs, random);
      body = 'truncate' in spoiled ? truncateJson(body, random) : encode(spoiled.values);
    }
    const topic = tb ? THINGSBOARD_TOPIC : iotAgentTopic(device.apikey, device.id);
    publisher.send(device, topic, body, (ok) => {
      if (!ok) return;
      stats.published++;
      if (bad) stats.bad++;
    });
  };

  for (const stream of streams) stream.timer = setTimeout(() => tick(stream), random() * stream.periodMs);
  log(
    `simulating ${opts.devices.length} devices, scenario ${scenario.name}, speed ×${speed}, ` +
      `sim clock from ${new Date(simStart).toISOString()}`,
  );

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const s of streams) clearTimeout(s.timer);
      await publisher.close();
    },
    stats: () => ({ ...stats }),
  };
}
