import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartPoints, seriesQuery } from './series-range.ts';

describe('device chart ranges', () => {
  const now = Date.parse('2026-11-25T10:00:00Z');
  it('asks for the range ending now at the chosen resolution', () => {
    assert.deepEqual(seriesQuery('6h', 'raw', now), { from: '2026-11-25T04:00:00.000Z', to: '2026-11-25T10:00:00.000Z', resolution: 'raw', limit: 5000 });
    assert.equal(seriesQuery('24h', '1h', now).resolution, '1h');
  });
  it('coarsens a resolution too fine for the range', () => {
    assert.equal(seriesQuery('7d', 'raw', now).resolution, '1m');
    assert.equal(seriesQuery('30d', 'raw', now).resolution, '1h');
    assert.equal(seriesQuery('30d', '1m', now).resolution, '1h');
  });
  it('charts averages of buckets and raw values as they are', () => {
    assert.deepEqual(chartPoints([{ ts: '2026-11-25T09:00:00.000Z', value: 3, avg: 2.5 }, { ts: '2026-11-25T09:01:00.000Z', value: 4 }]), [
      { ts: Date.parse('2026-11-25T09:00:00.000Z'), value: 2.5 },
      { ts: Date.parse('2026-11-25T09:01:00.000Z'), value: 4 },
    ]);
  });
});
