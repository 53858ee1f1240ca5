import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatestValues } from './latest-values.ts';
import type { ReadingStore } from './ports.ts';

const store = (rows: { seriesId: number; ts: number; value: number }[]): ReadingStore => ({
  write: async () => 0,
  latest: async (ids) => rows.filter((r) => ids.includes(r.seriesId)),
  series: async () => [],
  raw: async () => [],
  purge: async () => ({ raw: 0, '1m': 0, '1h': 0 }),
});

describe('LatestValues', () => {
  it('loads the stored latest values of the series asked for', async () => {
    const v = new LatestValues(store([{ seriesId: 1, ts: 1000, value: 5 }, { seriesId: 2, ts: 2000, value: 6 }]));
    await v.load([1]);
    assert.deepEqual(v.get(1), { seriesId: 1, ts: 1000, value: 5, iso: '1970-01-01T00:00:01.000Z' });
    assert.equal(v.get(2), undefined);
    assert.equal(v.size, 1);
  });

  it('keeps the newest instant whatever the order of the readings, as the store does', async () => {
    const v = new LatestValues(store([]));
    v.apply([{ seriesId: 1, ts: 2000, value: 2 }, { seriesId: 1, ts: 3000, value: 3 }, { seriesId: 1, ts: 1000, value: 1 }]);
    assert.equal(v.get(1)!.value, 3);
    v.apply([{ seriesId: 1, ts: 2500, value: 9 }]);
    assert.equal(v.get(1)!.value, 3, 'late data does not replace a newer value');
    v.apply([{ seriesId: 1, ts: 3000, value: 7 }]);
    assert.equal(v.get(1)!.value, 3, 'a redelivery of the same instant keeps what was stored first');
  });

  it('renews the ISO time when the value changes', async () => {
    const v = new LatestValues(store([]));
    v.apply([{ seriesId: 1, ts: 0, value: 1 }]);
    assert.equal(v.get(1)!.iso, '1970-01-01T00:00:00.000Z');
    v.apply([{ seriesId: 1, ts: 60_000, value: 2 }]);
    assert.equal(v.get(1)!.iso, '1970-01-01T00:01:00.000Z');
  });
});
