import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { niceTicks, timeTicks } from './chart-scales.ts';
import { formatAgo, formatDateTime, formatNumber } from './format.ts';

describe('formatting for people', () => {
  it('shows instants in Asia/Ho_Chi_Minh (UTC+7), whatever the browser zone', () => {
    assert.equal(formatDateTime('2026-11-25T17:30:05.000Z', 'en'), '26/11/2026, 00:30:05');
    assert.match(formatDateTime('2026-11-25T17:30:05.000Z', 'vi'), /00:30:05/);
    assert.match(formatDateTime('2026-11-25T17:30:05.000Z', 'vi'), /26\/11\/2026/);
    assert.equal(formatDateTime(null, 'vi'), '—');
    assert.equal(formatDateTime('not a date', 'vi'), '—');
  });

  it('writes numbers in each language’s convention', () => {
    assert.equal(formatNumber(1234.56, 'en'), '1,234.6');
    assert.equal(formatNumber(1234.56, 'vi'), '1.234,6');
    assert.equal(formatNumber(null, 'vi'), '—');
  });

  it('says how long ago, coarsely', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    assert.equal(formatAgo('2026-11-25T09:55:00Z', now, 'vi'), '5 phút trước');
    assert.equal(formatAgo('2026-11-25T07:00:00Z', now, 'en'), '3 h ago');
  });
});

describe('chart scales', () => {
  it('puts value ticks on round steps', () => {
    assert.deepEqual(niceTicks(0, 10), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(niceTicks(0.3, 1.2, 4), [0.4, 0.6, 0.8, 1, 1.2]);
    assert.deepEqual(niceTicks(5, 5), [5]);
  });

  it('puts time ticks on whole minutes or hours', () => {
    const t0 = Date.parse('2026-11-25T07:03:00Z');
    const ticks = timeTicks(t0, t0 + 3 * 3_600_000);
    assert.ok(ticks.length >= 3 && ticks.length <= 6);
    for (const t of ticks) assert.equal(t % 1_800_000, 0);
  });
});
