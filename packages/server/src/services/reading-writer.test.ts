import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IocError } from '@haidang/domain';
import type { IngestMetrics, ReadingStore, SeriesReading } from './ports.ts';
import { ReadingWriter } from './reading-writer.ts';

const noMetrics: IngestMetrics = { accepted() {}, rejected() {}, ingestLatency() {}, queueDepth() {}, dbLatency() {} };

/** A store whose writes complete when the test says so. */
function manualStore() {
  const calls: { rows: SeriesReading[]; finish: (e?: Error) => void }[] = [];
  const store: ReadingStore = {
    write: (rows) => new Promise<number>((resolve, reject) => calls.push({ rows, finish: (e) => (e ? reject(e) : resolve(rows.length)) })),
    latest: async () => [],
    series: async () => [],
    raw: async () => [],
    purge: async () => ({ raw: 0, '1m': 0, '1h': 0 }),
  };
  return { store, calls };
}

const r = (n: number): SeriesReading[] => Array.from({ length: n }, (_, i) => ({ seriesId: 1, ts: i, value: i }));
const tick = () => new Promise((res) => setImmediate(res));

describe('ReadingWriter (group commit)', () => {
  it('commits what arrives in one turn as one batch, and the next turn while the first commits', async () => {
    const { store, calls } = manualStore();
    const w = new ReadingWriter(store, noMetrics);
    const done: string[] = [];
    const p1 = w.write(r(2)).then(() => done.push('a'));
    const p2 = w.write(r(3)).then(() => done.push('b'));
    await tick();
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.rows.length, 5);
    const p3 = w.write(r(4)).then(() => done.push('c'));
    await tick();
    assert.equal(calls.length, 1, 'one batch at a time');
    assert.deepEqual(done, [], 'nobody is told before the commit');
    calls[0]!.finish();
    await Promise.all([p1, p2]);
    await tick();
    assert.equal(calls.length, 2);
    assert.equal(calls[1]!.rows.length, 4);
    calls[1]!.finish();
    await p3;
    assert.deepEqual(done, ['a', 'b', 'c']);
  });

  it('keeps batches under maxBatch without splitting a message', async () => {
    const { store, calls } = manualStore();
    const w = new ReadingWriter(store, noMetrics, { maxBatch: 5 });
    const all = [w.write(r(3)), w.write(r(3)), w.write(r(7))];
    await tick();
    assert.deepEqual([calls[0]!.rows.length], [3]);
    calls[0]!.finish();
    await tick();
    await tick();
    assert.equal(calls[1]!.rows.length, 3);
    calls[1]!.finish();
    await tick();
    await tick();
    assert.equal(calls[2]!.rows.length, 7, 'a message larger than maxBatch goes alone, whole');
    calls[2]!.finish();
    await Promise.all(all);
  });

  it('rejects every writer of a failed batch, and goes on with the next', async () => {
    const { store, calls } = manualStore();
    const w = new ReadingWriter(store, noMetrics);
    const a = w.write(r(1));
    const b = w.write(r(1));
    await tick();
    calls[0]!.finish(new Error('disk full'));
    await assert.rejects(a, (e: unknown) => e instanceof IocError && e.code === 'IOC_ERR_UNAVAILABLE');
    await assert.rejects(b, /disk full/);
    const c = w.write(r(1));
    await tick();
    calls[1]!.finish();
    await c;
  });

  it('refuses writes beyond maxQueued instead of growing without bound', async () => {
    const { store, calls } = manualStore();
    const w = new ReadingWriter(store, noMetrics, { maxQueued: 10 });
    const a = w.write(r(8));
    await assert.rejects(w.write(r(3)), (e: unknown) => e instanceof IocError && e.code === 'IOC_ERR_UNAVAILABLE');
    await tick();
    calls[0]!.finish();
    await a;
    const b = w.write(r(3));
    await tick();
    calls[1]!.finish();
    await b;
  });

  it('drain resolves once everything accepted is committed', async () => {
    const { store, calls } = manualStore();
    const w = new ReadingWriter(store, noMetrics);
    await w.drain();
    void w.write(r(1));
    let drained = false;
    const d = w.drain().then(() => (drained = true));
    await tick();
    assert.equal(drained, false);
    calls[0]!.finish();
    await d;
    assert.equal(drained, true);
  });
});

describe('ReadingWriter listeners', () => {
  it('tells listeners of each committed batch before answering its writers, and never of a failed one', async () => {
    const { store, calls } = manualStore();
    const w = new ReadingWriter(store, noMetrics);
    const seen: string[] = [];
    w.onCommitted((rows) => seen.push(`committed ${rows.length}`));
    const ok = w.write(r(2)).then(() => seen.push('answered'));
    await tick();
    calls[0]!.finish();
    await ok;
    const failed = w.write(r(3)).catch(() => seen.push('refused'));
    await tick();
    calls[1]!.finish(new Error('disk full'));
    await failed;
    assert.deepEqual(seen, ['committed 2', 'answered', 'refused']);
  });
});
