/**
 * DerivedSeries over an in-memory store: what it writes for each kind of reading, that it never
 * derives from a derived value, that it survives bad input and storage failures, and that it
 * loads its state (series of old devices, rain windows, closed hours) at start.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEVICE_TYPES, HOUR_MS, seriesAttributes, type Device, type WarningThresholds } from '@haidang/domain';
import { shippedWarningThresholds } from '../config/warning-thresholds.ts';
import { DerivedSeries } from './derived-series.ts';
import { DeviceDirectory } from './device-directory.ts';
import type { DeviceStore, IngestMetrics, Logger, ReadingStore, SeriesPoint, SeriesReading, StoredDevice } from './ports.ts';
import { ReadingWriter } from './reading-writer.ts';

const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const MIN = 60_000;
const noMetrics: IngestMetrics = { accepted() {}, rejected() {}, ingestLatency() {}, queueDepth() {}, dbLatency() {} };

/** A store that keeps readings in memory, ignores a second reading of a series at one instant, and can be made to fail. */
class MemoryStore implements ReadingStore {
  rows = new Map<string, SeriesReading>();
  /** Writes that hold one of these series fail (every write with `all`). */
  failing: Set<number> | 'all' = new Set();
  writes = 0;
  async write(readings: SeriesReading[]): Promise<number> {
    this.writes++;
    if (this.failing === 'all' || readings.some((r) => (this.failing as Set<number>).has(r.seriesId))) throw new Error('disk full');
    let n = 0;
    for (const r of readings) {
      const k = `${r.seriesId}@${r.ts}`;
      if (!this.rows.has(k)) {
        this.rows.set(k, r);
        n++;
      }
    }
    return n;
  }
  of(seriesId: number): SeriesReading[] {
    return [...this.rows.values()].filter((r) => r.seriesId === seriesId).sort((a, b) => a.ts - b.ts);
  }
  async latest(ids: number[]) {
    return ids.flatMap((id) => this.of(id).slice(-1));
  }
  async series(seriesId: number, q: { from: number; to: number; resolution: string }): Promise<SeriesPoint[]> {
    assert.equal(q.resolution, '1h');
    const buckets = new Map<number, number[]>();
    for (const r of this.of(seriesId)) {
      const b = Math.floor(r.ts / HOUR_MS) * HOUR_MS;
      if (b >= Math.floor(q.from / HOUR_MS) * HOUR_MS && b < q.to) buckets.set(b, [...(buckets.get(b) ?? []), r.value]);
    }
    return [...buckets].map(([ts, v]) => ({ ts, value: v.at(-1)!, count: v.length, avg: v.reduce((s, x) => s + x, 0) / v.length }));
  }
  async raw(ids: readonly number[], from: number, to: number) {
    return ids.flatMap((id) => this.of(id)).filter((r) => r.ts >= from && r.ts < to).sort((a, b) => a.ts - b.ts);
  }
  async purge() {
    return { raw: 0, '1m': 0, '1h': 0 };
  }
}

/** Devices with every series (declared and derived) numbered from 1, unless `without` says otherwise. */
function devicesOf(list: Pick<Device, 'id' | 'type'>[], without: string[] = []): StoredDevice[] {
  let next = 1;
  return list.map(({ id, type }) => {
    const device: Device = { id, type, name: id, location: { lat: 16, lon: 108 }, unitCode: '1', sector: 'environment', apikey: 'k', attributes: DEVICE_TYPES[type]!.attributes };
    const series: Record<string, number> = {};
    for (const a of seriesAttributes(device)) {
      const sid = next++;
      if (!without.includes(`${id}.${a}`)) series[a] = sid;
    }
    return { device, tokenHash: null, tokenCreatedAt: null, tokenLastUsedAt: null, series, createdAt: new Date(0), updatedAt: new Date(0) };
  });
}

const DEVICES = [
  { id: 'rl-1', type: 'river_level' },
  { id: 'rg-1', type: 'rain_gauge' },
  { id: 'fd-1', type: 'flood_depth' },
  { id: 'aq-1', type: 'air_quality' },
  { id: 'tr-1', type: 'traffic' },
];

/** Câu Lâu (BĐ 2/3/4 m) with an area class, mapped to rl-1. */
function thresholds(): WarningThresholds {
  const t = shippedWarningThresholds();
  return { ...t, floodStations: t.floodStations.map((s) => (s.id === 'cau-lau' ? { ...s, riskArea: 1 as const, devices: ['rl-1'] } : { ...s, devices: [] })) };
}

async function setup(opts: { stored?: StoredDevice[]; store?: MemoryStore; now?: () => number } = {}) {
  const stored = opts.stored ?? devicesOf(DEVICES);
  const ensured: string[] = [];
  const full = devicesOf(DEVICES);
  const deviceStore = {
    all: async () => stored,
    ensureSeries: async (ds: readonly Device[]) => {
      ensured.push(...ds.map((d) => d.id));
      return ds.length;
    },
    getMany: async (ids: string[]) => full.filter((d) => ids.includes(d.device.id)),
  } as unknown as DeviceStore;
  const directory = new DeviceDirectory(deviceStore);
  await directory.load();
  const store = opts.store ?? new MemoryStore();
  const writer = new ReadingWriter(store, noMetrics);
  const logged: string[] = [];
  const log: Logger = { info() {}, debug() {}, warn: (_o, m) => void logged.push(`warn ${m}`), error: (_o, m) => void logged.push(`error ${m}`) };
  const derived = new DerivedSeries({ directory, devices: deviceStore, writer, store, thresholds: thresholds(), clock: opts.now ?? (() => NOW), log });
  writer.onCommitted((r) => derived.apply(r));
  await derived.load();
  const sid = (device: string, attr: string) => directory.get(device)!.series[attr]!;
  /** Writes readings of device.attr as a device would (through the writer), then waits for what they derive. */
  const send = async (device: string, attr: string, points: [number, number][]) => {
    await writer.write(points.map(([ts, value]) => ({ seriesId: sid(device, attr), ts, value })));
    await derived.drain();
  };
  const values = (device: string, attr: string) => store.of(sid(device, attr)).map((r) => [r.ts, r.value]);
  return { derived, directory, store, writer, send, values, sid, logged, ensured };
}

describe('DerivedSeries', () => {
  it('writes alarm_level and, where Điều 45 determines it, risk_level at each level of a mapped river device', async () => {
    const s = await setup();
    await s.send('rl-1', 'level', [[NOW - 3 * MIN, 1.5], [NOW - 2 * MIN, 2.5], [NOW - MIN, 4.5], [NOW, 5.2]]);
    assert.deepEqual(s.values('rl-1', 'alarm_level'), [[NOW - 3 * MIN, 0], [NOW - 2 * MIN, 1], [NOW - MIN, 3], [NOW, 3]]);
    assert.deepEqual(s.values('rl-1', 'risk_level'), [[NOW - 3 * MIN, 0], [NOW - 2 * MIN, 1], [NOW - MIN, 2]], 'BĐ3 + 1.2 m at khu vực 1 is not determined: nothing');
  });

  it('never derives from a derived value, nor from a device sending one, nor from types without rules', async () => {
    const s = await setup();
    const before = s.store.writes;
    await s.send('rl-1', 'alarm_level', [[NOW, 3]]);
    await s.send('tr-1', 'speed', [[NOW, 40]]);
    assert.equal(s.store.writes, before + 2, 'only the two writes themselves');
    assert.deepEqual(s.values('rl-1', 'risk_level'), []);
  });

  it('survives unknown series, negative rain and depth, and a storage failure (logged, not thrown)', async () => {
    const s = await setup();
    assert.doesNotThrow(() => s.derived.apply([{ seriesId: 9999, ts: NOW, value: 1 }, { seriesId: s.sid('rg-1', 'rain'), ts: NOW, value: -1 }, { seriesId: s.sid('fd-1', 'depth'), ts: NOW, value: -5 }]));
    await s.derived.drain();
    assert.deepEqual(s.values('rg-1', 'rain_24h'), []);
    assert.deepEqual(s.values('fd-1', 'depth_class'), []);
    s.store.failing = 'all';
    s.derived.apply([{ seriesId: s.sid('fd-1', 'depth'), ts: NOW, value: 30 }]);
    await s.derived.drain();
    assert.deepEqual(s.logged, ['warn derived series: values could not be written']);
  });

  it('sums rain and classes it; loads the window from stored readings at start', async () => {
    const store = new MemoryStore();
    const s = await setup({ store });
    await s.send('rg-1', 'rain', Array.from({ length: 12 }, (_, i): [number, number] => [NOW - (11 - i) * 5 * MIN, 5]));
    assert.deepEqual(s.values('rg-1', 'rain_24h').at(-1), [NOW, 60]);
    assert.deepEqual(s.values('rg-1', 'rain_class').at(-1), [NOW, 4]);
    const again = await setup({ store });
    await again.send('rg-1', 'rain', [[NOW + 5 * MIN, 45]]);
    assert.deepEqual(again.values('rg-1', 'rain_24h').at(-1), [NOW + 5 * MIN, 105]);
    assert.deepEqual(again.values('rg-1', 'rain_1h').at(-1), [NOW + 5 * MIN, 100]);
    assert.deepEqual(again.values('rg-1', 'rain_class').at(-1), [NOW + 5 * MIN, 5]);
  });

  it('creates the derived series of devices registered before them, at load', async () => {
    const s = await setup({ stored: devicesOf(DEVICES, ['fd-1.depth_class', 'rg-1.rain_class']) });
    assert.deepEqual(s.ensured.sort(), ['fd-1', 'rg-1']);
    assert.ok(s.directory.get('fd-1')!.series.depth_class !== undefined);
    await s.send('fd-1', 'depth', [[NOW, 55]]);
    assert.deepEqual(s.values('fd-1', 'depth_class'), [[NOW, 3]]);
  });

  it('closes an hour that failed to write at the next sweep, and resumes after a restart where it stopped', async () => {
    let now = NOW + 30 * MIN;
    const store = new MemoryStore();
    const s = await setup({ store, now: () => now });
    const pm = (start: number): [number, number][] => [[start + 10 * MIN, 30], [start + 40 * MIN, 30]];
    await s.send('aq-1', 'pm25', [...pm(NOW - 2 * HOUR_MS), ...pm(NOW - HOUR_MS)]);
    await s.send('aq-1', 'pm25', [[NOW + 5 * MIN, 30]]);
    assert.deepEqual(s.values('aq-1', 'aqi'), [[NOW, 60]]);
    // The next hour: its VN_AQI write fails; a later reading of the same hour does not retry, the sweep does.
    now = NOW + HOUR_MS + 5 * MIN;
    store.failing = new Set([s.sid('aq-1', 'aqi')]);
    await s.send('aq-1', 'pm25', [[NOW + HOUR_MS + 1 * MIN, 30]]);
    store.failing = new Set();
    assert.deepEqual(s.values('aq-1', 'aqi'), [[NOW, 60]]);
    now = NOW + HOUR_MS + 11 * MIN;
    s.derived.sweep();
    await s.derived.drain();
    assert.deepEqual(s.values('aq-1', 'aqi'), [[NOW, 60], [NOW + HOUR_MS, 60]]);
    assert.ok(s.logged.some((l) => l.includes('VN_AQI hours could not be closed')));
    // A restart three hours later closes the hours since the last stored index, once. The last
    // mean is of the hour ending NOW + 2 h: the NowCast gives one more value, not two.
    now = NOW + 4 * HOUR_MS + 15 * MIN;
    const again = await setup({ store, now: () => now });
    again.derived.sweep();
    await again.derived.drain();
    assert.deepEqual(again.values('aq-1', 'aqi'), [0, 1, 2, 3].map((h) => [NOW + h * HOUR_MS, 60]));
    const writes = store.writes;
    again.derived.sweep();
    await again.derived.drain();
    assert.equal(store.writes, writes, 'nothing left to close');
  });
});
