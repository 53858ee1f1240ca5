import {
  AQI_LOOKBACK_MS,
  AQI_PARAMS,
  type AqiClock,
  type AqiParam,
  type DerivedValues,
  type FloodStation,
  HOUR_MS,
  type HourlyMeans,
  MAX_FUTURE_MS,
  RAIN_WINDOW_MAX,
  RAIN_WINDOW_MS,
  RainWindow,
  type WarningThresholds,
  aqiDayDerived,
  aqiHourDerived,
  derivationPlan,
  floodDepthDerived,
  hourStart,
  hoursToClose,
  isLocalDayEnd,
  rainDerived,
  riverLevelDerived,
} from '@haidang/domain';
import type { DeviceDirectory, DirectoryEntry } from './device-directory.ts';
import type { ReadingWriter } from './reading-writer.ts';
import type { Clock, DeviceStore, Logger, ReadingStore, SeriesReading } from './ports.ts';

/** What derived series read from storage: hourly means (rollups), raw readings and latest values. */
export type DerivedSource = Pick<ReadingStore, 'series' | 'raw' | 'latest'>;

export interface DerivedSeriesOptions {
  directory: DeviceDirectory;
  /** Creates the series of derived attributes for devices registered before they existed. */
  devices: Pick<DeviceStore, 'ensureSeries' | 'getMany'>;
  writer: ReadingWriter;
  store: DerivedSource;
  /** Validated warning thresholds (flood stations with their devices, rainfall classes, depth bands). */
  thresholds: WarningThresholds;
  clock: Clock;
  log: Logger;
  /** A quiet device's hour is closed this long after its end (default 10 min). */
  graceMs?: number;
  /** How often the hour-closing sweep runs (default 60 s). */
  sweepMs?: number;
  /** At start and for a new device, hours are closed back to this long before now at most (default 24 h). */
  catchUpMs?: number;
}

export const DEFAULT_GRACE_MS = 10 * 60_000;
const DEFAULT_SWEEP_MS = 60_000;
const DEFAULT_CATCH_UP_MS = 24 * HOUR_MS;
/** Series per query when the rain windows are loaded. */
const LOAD_CHUNK = 50;

interface AirState extends AqiClock {
  /** Close hours up to here at the next run of the device's task. */
  target: number;
  /** A task for the device is queued and has not started. */
  queued: boolean;
}

/**
 * Derived series (docs/derived-series.md): listens to committed readings and writes the values the
 * domain derives from them (derived-series.ts) back through the reading writer, so that they are
 * stored, rolled up, streamed and seen by rules like any reading. Readings of derived attributes
 * are never derived from (no loops).
 *
 * - Per reading (river alarm level, rain sums and class, street-flood depth class): computed in
 *   `apply`, at the reading's instant. Rain keeps a 24-hour window per gauge in memory, loaded from
 *   the stored raw readings at start.
 * - Per hour (VN_AQI): an hour of an air-quality device is closed when a reading of a later hour
 *   arrives, or by the sweep once the hour is `graceMs` past; its index is computed from the hourly
 *   rollups and stamped at the end of the hour. The local day's index is added at local midnight.
 *   Late data for an hour already closed does not change its index.
 *
 * Writes are idempotent: the store ignores a reading of a series and instant it already holds.
 */
export class DerivedSeries {
  private readonly opts: Required<Omit<DerivedSeriesOptions, 'thresholds'>>;
  private readonly thresholds: WarningThresholds;
  private readonly stations = new Map<string, FloodStation>();
  /** Rain windows by the series id of `rain`. */
  private readonly rain = new Map<number, RainWindow>();
  private readonly air = new Map<string, AirState>();
  /** Hour-closing tasks run one at a time, in order. */
  private tail: Promise<void> = Promise.resolve();
  private readonly pending = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private warnedFull = new Set<number>();

  constructor(opts: DerivedSeriesOptions) {
    this.thresholds = opts.thresholds;
    this.opts = { graceMs: DEFAULT_GRACE_MS, sweepMs: DEFAULT_SWEEP_MS, catchUpMs: DEFAULT_CATCH_UP_MS, ...opts };
    for (const s of opts.thresholds.floodStations) for (const d of s.devices ?? []) this.stations.set(d, s);
  }

  /**
   * Once at start, after the device directory is loaded and before readings arrive: creates the
   * missing series of derived attributes (devices registered before an upgrade), loads the rain
   * windows from the last 24 hours of raw readings, and where each air-quality device's hours
   * were closed.
   */
  async load(): Promise<void> {
    const { directory, devices, store, clock, log } = this.opts;
    const lacking = directory.entries().filter((e) => derivationPlan(e.device).attributes.some((a) => e.series[a.name] === undefined));
    if (lacking.length > 0) {
      const added = await devices.ensureSeries(lacking.map((e) => e.device));
      for (const d of await devices.getMany(lacking.map((e) => e.device.id))) directory.put(d);
      log.info({ devices: lacking.length, series: added }, 'derived series created for existing devices');
    }

    const now = clock();
    this.rain.clear();
    const rainIds = directory.entries().flatMap((e) => {
      const id = derivationPlan(e.device).factors.has('rain') && e.device.type === 'rain_gauge' ? e.series.rain : undefined;
      return id === undefined ? [] : [id];
    });
    let loaded = 0;
    for (let i = 0; i < rainIds.length; i += LOAD_CHUNK) {
      const ids = rainIds.slice(i, i + LOAD_CHUNK);
      const rows = await store.raw(ids, now - RAIN_WINDOW_MS, now + MAX_FUTURE_MS + 1, ids.length * RAIN_WINDOW_MAX);
      for (const r of rows) {
        const e = directory.bySeries(r.seriesId);
        const f = e && derivationPlan(e.entry.device).factors.get('rain');
        if (f !== undefined) this.window(r.seriesId).add(r.ts, r.value * f);
      }
      loaded += rows.length;
    }

    this.air.clear();
    const airDevices = directory.entries().filter((e) => e.device.type === 'air_quality' && e.series.aqi !== undefined && derivationPlan(e.device).names.has('aqi'));
    const ids = airDevices.flatMap((e) => [e.series.aqi!, ...this.paramSeries(e).map((p) => p.seriesId)]);
    const latest = new Map((await store.latest(ids)).map((l) => [l.seriesId, l.ts]));
    for (const e of airDevices) {
      const st = this.airState(e.device.id, now);
      const closed = latest.get(e.series.aqi!);
      if (closed !== undefined && closed > st.closedUntil) st.closedUntil = hourStart(closed);
      for (const p of this.paramSeries(e)) {
        const ts = latest.get(p.seriesId);
        if (ts !== undefined && (st.lastData === undefined || ts > st.lastData)) st.lastData = ts;
      }
    }
    log.info({ rainGauges: rainIds.length, rainReadings: loaded, airQuality: airDevices.length }, 'derived series loaded');
  }

  /**
   * Committed readings (the writer's onCommitted): derives what each one gives and writes it,
   * asynchronously. Synchronous, cheap and never throws.
   */
  apply(readings: readonly SeriesReading[]): void {
    const out: SeriesReading[] = [];
    try {
      for (const r of readings) {
        const s = this.opts.directory.bySeries(r.seriesId);
        if (!s) continue;
        const { entry, attr } = s;
        const plan = derivationPlan(entry.device);
        if (plan.attributes.length === 0 || plan.names.has(attr)) continue; // nothing to derive, or a derived value itself
        const f = plan.factors.get(attr);
        if (f === undefined) continue;
        let values: DerivedValues | undefined;
        switch (entry.device.type) {
          case 'river_level': {
            const station = attr === 'level' ? this.stations.get(entry.device.id) : undefined;
            if (station) values = riverLevelDerived(station, r.value * f);
            break;
          }
          case 'flood_depth':
            if (attr === 'depth' && r.value >= 0) values = floodDepthDerived(this.thresholds.urbanFloodDepth, r.value * f);
            break;
          case 'rain_gauge':
            if (attr === 'rain' && r.value >= 0) {
              const w = this.window(r.seriesId);
              const sums = w.add(r.ts, r.value * f);
              if (sums) values = rainDerived(this.thresholds.rainfall, sums);
              if (w.dropped > 0 && !this.warnedFull.has(r.seriesId)) {
                this.warnedFull.add(r.seriesId);
                this.opts.log.warn({ device: entry.device.id, max: RAIN_WINDOW_MAX }, 'rain gauge reports more often than its window holds: rain_24h undercounts');
              }
            }
            break;
          case 'air_quality':
            this.airReading(entry.device.id, r.ts);
            break;
        }
        if (values) this.push(out, entry, r.ts, values);
      }
    } catch (e) {
      this.opts.log.error({ err: (e as Error).message }, 'derived series: a batch could not be derived');
    }
    if (out.length > 0) this.track(this.write(out));
  }

  /** Starts the sweep that closes the hours of quiet air-quality devices (and runs it once now). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), this.opts.sweepMs);
    this.timer.unref();
    this.sweep();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Resolves when every derived value due so far is committed (graceful shutdown: after the
   * listeners stop, before the database closes). Waits for the writer, then for the derived work
   * its last commits started, until nothing is left.
   */
  async drain(): Promise<void> {
    for (;;) {
      await this.opts.writer.drain();
      if (this.pending.size === 0) return;
      await Promise.allSettled([...this.pending]);
    }
  }

  /** Queues the closing of every hour that ended `graceMs` ago or earlier, for each air-quality device. */
  sweep(): void {
    const upTo = this.opts.clock() - this.opts.graceMs;
    for (const [id, st] of this.air) if (hoursToClose(st, upTo).length > 0) this.schedule(id, st, upTo);
  }

  // ── air quality ──────────────────────────────────────────────────────────────────────────────

  private airState(deviceId: string, now: number): AirState {
    let st = this.air.get(deviceId);
    if (!st) {
      st = { closedUntil: hourStart(now - this.opts.catchUpMs), lastData: undefined, target: 0, queued: false };
      this.air.set(deviceId, st);
    }
    return st;
  }

  /** A reading of a later hour closes the hours before it (those that have ended by now). */
  private airReading(deviceId: string, ts: number): void {
    const now = this.opts.clock();
    const st = this.airState(deviceId, now);
    if (st.lastData === undefined || ts > st.lastData) st.lastData = ts;
    const upTo = Math.min(hourStart(ts), now);
    if (upTo > st.closedUntil) this.schedule(deviceId, st, upTo);
  }

  private schedule(deviceId: string, st: AirState, upTo: number): void {
    st.target = Math.max(st.target, upTo);
    if (st.queued) return;
    st.queued = true;
    const task = this.tail.then(() => this.closeHours(deviceId, st));
    this.tail = task.catch(() => undefined);
    this.track(task);
  }

  private paramSeries(e: DirectoryEntry): { param: AqiParam; seriesId: number; factor: number }[] {
    const plan = derivationPlan(e.device);
    return AQI_PARAMS.flatMap((param) => {
      const seriesId = e.series[param];
      const factor = plan.factors.get(param);
      return seriesId === undefined || factor === undefined ? [] : [{ param, seriesId, factor }];
    });
  }

  private async closeHours(deviceId: string, st: AirState): Promise<void> {
    st.queued = false;
    const entry = this.opts.directory.get(deviceId);
    if (!entry || entry.device.type !== 'air_quality') {
      this.air.delete(deviceId);
      return;
    }
    const ends = hoursToClose(st, st.target);
    if (ends.length === 0) return;
    const params = this.paramSeries(entry);
    const from = ends[0]! - AQI_LOOKBACK_MS;
    const to = ends[ends.length - 1]!;
    const means: HourlyMeans = {};
    try {
      for (const p of params) {
        const points = await this.opts.store.series(p.seriesId, { from, to, resolution: '1h', limit: Math.ceil((to - from) / HOUR_MS) + 1 });
        means[p.param] = new Map(points.filter((pt) => pt.avg !== undefined).map((pt) => [pt.ts, pt.avg! * p.factor]));
      }
      const out: SeriesReading[] = [];
      for (const end of ends) {
        const values = aqiHourDerived(means, end);
        if (isLocalDayEnd(end)) Object.assign(values, aqiDayDerived(means, end));
        this.push(out, entry, end, values);
      }
      // A device deleted meanwhile gets nothing (series ids are never reused).
      if (out.length > 0 && this.opts.directory.get(deviceId) === entry) await this.opts.writer.write(out);
      st.closedUntil = Math.max(st.closedUntil, to);
    } catch (e) {
      // Not closed: the next sweep tries again.
      this.opts.log.warn({ err: (e as Error).message, device: deviceId }, 'derived series: VN_AQI hours could not be closed');
    }
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────

  private window(seriesId: number): RainWindow {
    let w = this.rain.get(seriesId);
    if (!w) {
      w = new RainWindow();
      this.rain.set(seriesId, w);
    }
    return w;
  }

  private push(out: SeriesReading[], entry: DirectoryEntry, ts: number, values: DerivedValues): void {
    for (const [attr, value] of Object.entries(values)) {
      const seriesId = entry.series[attr];
      if (seriesId !== undefined && Number.isFinite(value)) out.push({ seriesId, ts, value });
    }
  }

  private async write(rows: SeriesReading[]): Promise<void> {
    try {
      await this.opts.writer.write(rows);
    } catch (e) {
      this.opts.log.warn({ err: (e as Error).message, readings: rows.length }, 'derived series: values could not be written');
    }
  }

  private track(p: Promise<unknown>): void {
    const t = p.catch(() => undefined).finally(() => this.pending.delete(t));
    this.pending.add(t);
  }
}
