import type { LatestValue, ReadingStore, SeriesReading } from './ports.ts';

interface Entry {
  ts: number;
  value: number;
  /** `ts` as ISO 8601, made on first read and kept until the value changes. */
  iso?: string;
}

/**
 * The latest committed value of every series, in memory: loaded from the store's `latest` table at
 * start, then kept current by the reading writer after each commit. Reading 6,000 values here
 * takes well under a millisecond; the same query costs ~14 ms in PGlite.
 *
 * The rule is the store's: a newer instant replaces the value; an equal or older one does not
 * (a redelivery keeps what was stored first). One IOC node per database sees every commit; when
 * several nodes ingest into one database, their commits must reach each other's view over the
 * event bus (NATS), which is not built yet — see docs/architecture.md. The values of a deleted
 * device stay until the next start; nothing reads them, as series ids are never reused.
 */
export class LatestValues {
  private bySeries = new Map<number, Entry>();

  constructor(private readonly store: ReadingStore) {}

  /** Replaces the view with the store's latest values of these series. */
  async load(seriesIds: number[]): Promise<void> {
    const rows = await this.store.latest(seriesIds);
    this.bySeries.clear();
    for (const r of rows) this.bySeries.set(r.seriesId, { ts: r.ts, value: r.value });
  }

  /** Committed readings, in any order. */
  apply(readings: readonly SeriesReading[]): void {
    for (const r of readings) {
      const cur = this.bySeries.get(r.seriesId);
      if (!cur) this.bySeries.set(r.seriesId, { ts: r.ts, value: r.value });
      else if (r.ts > cur.ts) {
        cur.ts = r.ts;
        cur.value = r.value;
        cur.iso = undefined;
      }
    }
  }

  get(seriesId: number): (LatestValue & { iso: string }) | undefined {
    const e = this.bySeries.get(seriesId);
    if (!e) return undefined;
    e.iso ??= new Date(e.ts).toISOString();
    return { seriesId, ts: e.ts, value: e.value, iso: e.iso };
  }

  get size(): number {
    return this.bySeries.size;
  }
}
