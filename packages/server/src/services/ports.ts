import type { Device, Reading } from '@haidang/domain';

/** Ports: what the services need from storage and infrastructure. Adapters implement them. */

export interface OrgUnit {
  code: string;
  name: { vi: string; en: string };
  kind: string;
  parent: string | null;
}

export interface OrgUnitStore {
  list(): Promise<OrgUnit[]>;
  /** Inserts the units that are missing; existing units are left as they are. */
  insertMissing(units: OrgUnit[]): Promise<number>;
}

/** A device as stored: the device, the hash of its access token, and its series ids by attribute. */
export interface StoredDevice {
  device: Device;
  tokenHash: string | null;
  series: Record<string, number>;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeviceFilter {
  unitCodes?: string[];
  type?: string;
  sector?: string;
  apikey?: string;
  /** Folded search text (no diacritics, lower case) to find in the name or id. */
  search?: string;
  limit: number;
  offset: number;
}

export interface DeviceWrite {
  device: Device;
  tokenHash: string | null;
}

export interface DeviceStore {
  /** Inserts (or, with upsert, replaces) the devices in one transaction: all or none. */
  save(devices: DeviceWrite[], opts: { upsert: boolean }): Promise<void>;
  /** Ids among these that exist already. */
  existing(ids: string[]): Promise<string[]>;
  get(id: string): Promise<StoredDevice | undefined>;
  getMany(ids: string[]): Promise<StoredDevice[]>;
  list(filter: DeviceFilter): Promise<{ items: StoredDevice[]; total: number }>;
  /** Every device, for the in-memory directory used by ingestion. */
  all(): Promise<StoredDevice[]>;
  /** Deletes the device with its series and all their data. */
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
}

/** A reading addressed by its series (one device attribute). */
export interface SeriesReading {
  seriesId: number;
  ts: number;
  value: number;
}

export type Resolution = 'raw' | '1m' | '1h';

export interface SeriesPoint {
  ts: number;
  value: number;
  /** Rollups only: number of readings, extremes and mean in the bucket. */
  count?: number;
  min?: number;
  max?: number;
  avg?: number;
}

export interface LatestValue {
  seriesId: number;
  ts: number;
  value: number;
}

export interface ReadingStore {
  /**
   * Commits the readings with their rollups and latest values, atomically. A reading already
   * stored (same series and instant) is ignored. Returns how many were new.
   */
  write(readings: SeriesReading[]): Promise<number>;
  latest(seriesIds: number[]): Promise<LatestValue[]>;
  series(seriesId: number, q: { from: number; to: number; resolution: Resolution; limit: number }): Promise<SeriesPoint[]>;
  /** Deletes data older than the cut-offs (ms; undefined = keep), in bounded batches. */
  purge(cutoffs: Partial<Record<Resolution, number>>): Promise<Record<Resolution, number>>;
}

export type Transport = 'mqtt' | 'http';

/** What ingestion reports to monitoring. */
export interface IngestMetrics {
  accepted(transport: Transport, readings: number): void;
  rejected(transport: Transport, reason: string): void;
  /** Seconds from reception to commit of one message or request. */
  ingestLatency(seconds: number): void;
  queueDepth(readings: number): void;
  dbLatency(op: string, seconds: number): void;
}

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

/** Time as a port: services never read the wall clock themselves. */
export type Clock = () => number;

export type { Device, Reading };
