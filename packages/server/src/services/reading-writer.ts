import { IocError } from '@haidang/domain';
import type { IngestMetrics, ReadingStore, SeriesReading } from './ports.ts';

interface Pending {
  readings: SeriesReading[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

export interface ReadingWriterOptions {
  /** Most readings in one database statement. */
  maxBatch?: number;
  /** Readings waiting beyond this are refused (HTTP 503, MQTT client disconnected unacknowledged). */
  maxQueued?: number;
}

/**
 * Group commit. Writers wait for the commit of the batch that carries their readings; while one
 * batch commits, the next accumulates, so batches grow with load and latency stays one commit
 * under light load. One batch at a time per node keeps the rollups' lock order simple.
 */
export class ReadingWriter {
  private queue: Pending[] = [];
  private queued = 0;
  private flushing = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly listeners: ((readings: readonly SeriesReading[]) => void)[] = [];
  private readonly maxBatch: number;
  private readonly maxQueued: number;

  constructor(
    private readonly store: ReadingStore,
    private readonly metrics: IngestMetrics,
    opts: ReadingWriterOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 20_000;
    this.maxQueued = opts.maxQueued ?? 500_000;
  }

  /** Resolves once the readings are committed; rejects if they could not be. */
  write(readings: SeriesReading[]): Promise<void> {
    if (readings.length === 0) return Promise.resolve();
    if (this.queued + readings.length > this.maxQueued) {
      return Promise.reject(new IocError('IOC_ERR_UNAVAILABLE', 'ingest queue is full; retry later'));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ readings, resolve, reject });
      this.queued += readings.length;
      this.metrics.queueDepth(this.queued);
      this.schedule();
    });
  }

  /** Calls `listener` with every batch once it is committed, before the writers are answered. */
  onCommitted(listener: (readings: readonly SeriesReading[]) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves when everything written so far is committed (graceful shutdown). */
  drain(): Promise<void> {
    if (!this.flushing && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    // Let the readings that arrive in this turn of the event loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch: Pending[] = [];
      let n = 0;
      while (this.queue.length > 0 && (n === 0 || n + this.queue[0]!.readings.length <= this.maxBatch)) {
        const p = this.queue.shift()!;
        batch.push(p);
        n += p.readings.length;
      }
      const rows = batch.length === 1 ? batch[0]!.readings : batch.flatMap((p) => p.readings);
      const t0 = performance.now();
      let committed = false;
      try {
        await this.store.write(rows);
        committed = true;
        this.metrics.dbLatency('readings.write', (performance.now() - t0) / 1000);
      } catch (e) {
        for (const p of batch) p.reject(new IocError('IOC_ERR_UNAVAILABLE', `storage failed: ${(e as Error).message}`));
      }
      if (committed) {
        // Listeners are in-process views (latest values, later rules and live streams); they
        // must not throw, and the readings are answered as committed whatever they do.
        for (const l of this.listeners) l(rows);
        for (const p of batch) p.resolve();
      }
      this.queued -= n;
      this.metrics.queueDepth(this.queued);
      // One turn of the event loop before the next batch: the writes the listeners started (an
      // alert raised by these readings) reach the database first instead of waiting a whole batch
      // behind it (embedded mode has one connection), and the next batch gathers what arrived.
      if (this.queue.length > 0) await new Promise<void>((r) => setImmediate(r));
    }
    this.flushing = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
