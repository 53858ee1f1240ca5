import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAD_TO_SIGMA, median, robustBaseline, robustScore, vnHourOfDay } from './robust-stats.ts';

describe('median', () => {
  it('is undefined for no values', () => {
    assert.equal(median([]), undefined);
  });

  it('is the middle value of an odd count and the mean of the two middle values of an even count', () => {
    assert.equal(median([7]), 7);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([-5, -1]), -3);
  });

  it('sorts numerically, not as strings', () => {
    assert.equal(median([10, 9, 100]), 10);
    assert.equal(median([2, 10, 1, 20]), 6);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    assert.deepEqual(values, [3, 1, 2]);
  });
});

describe('robustBaseline', () => {
  it('is undefined without history', () => {
    assert.equal(robustBaseline([]), undefined);
  });

  it('gives the median, the median absolute deviation and the number of days', () => {
    // |x − 3| = 2, 1, 0, 1, 97 → MAD 1.
    assert.deepEqual(robustBaseline([1, 2, 3, 4, 100]), { median: 3, mad: 1, days: 5 });
  });

  it('is not dragged by a few outliers', () => {
    const calm = robustBaseline([10, 11, 9, 10, 10, 12, 8])!;
    const spiky = robustBaseline([10, 11, 9, 10, 10, 500, -300])!;
    assert.equal(spiky.median, calm.median);
    assert.equal(spiky.mad, 1);
  });

  it('has a MAD of 0 for a flat history', () => {
    assert.deepEqual(robustBaseline([4, 4, 4]), { median: 4, mad: 0, days: 3 });
  });
});

describe('robustScore', () => {
  const b = { median: 10, mad: 2, days: 14 };

  it('is |x − median| / (1.4826 · MAD), symmetric on both sides', () => {
    assert.equal(robustScore(10, b), 0);
    assert.ok(Math.abs(robustScore(10 + 2 * MAD_TO_SIGMA * 3, b) - 3) < 1e-12);
    assert.equal(robustScore(4, b), robustScore(16, b));
  });

  it('floors the spread at minScale', () => {
    // 1.4826 · 2 ≈ 2.97 < 5: the scale is 5.
    assert.equal(robustScore(20, b, 5), 2);
    // minScale below the MAD scale changes nothing.
    assert.equal(robustScore(20, b, 1), robustScore(20, b));
  });

  it('with a flat history (MAD 0) and no minScale: 0 at the median, infinite elsewhere', () => {
    const flat = { median: 4, mad: 0, days: 7 };
    assert.equal(robustScore(4, flat), 0);
    assert.equal(robustScore(4.01, flat), Number.POSITIVE_INFINITY);
    assert.equal(robustScore(3, flat), Number.POSITIVE_INFINITY);
  });

  it('with a flat history and a minScale: a finite score', () => {
    const flat = { median: 4, mad: 0, days: 7 };
    assert.equal(robustScore(4.5, flat, 0.5), 1);
    assert.equal(robustScore(2, flat, 0.5), 4);
  });
});

describe('vnHourOfDay', () => {
  const utc = (iso: string): number => Date.parse(iso);

  it('is the hour in Vietnam (UTC+7)', () => {
    assert.equal(vnHourOfDay(0), 7);
    assert.equal(vnHourOfDay(utc('2025-07-01T00:00:00Z')), 7);
    assert.equal(vnHourOfDay(utc('2025-07-01T16:59:59.999Z')), 23);
    assert.equal(vnHourOfDay(utc('2025-07-01T17:00:00Z')), 0);
    assert.equal(vnHourOfDay(utc('2025-07-01T23:30:00Z')), 6);
    assert.equal(vnHourOfDay(utc('2025-07-01T08:15:00+07:00')), 8);
  });

  it('has no daylight saving: the same local hour in January and July', () => {
    assert.equal(vnHourOfDay(utc('2025-01-15T05:00:00Z')), vnHourOfDay(utc('2025-07-15T05:00:00Z')));
  });

  it('is always an integer in 0..23', () => {
    for (let ts = utc('2025-03-01T00:00:00Z'); ts < utc('2025-03-03T00:00:00Z'); ts += 17 * 60_000 + 3_001) {
      const h = vnHourOfDay(ts);
      assert.ok(Number.isInteger(h) && h >= 0 && h <= 23, String(ts));
    }
  });
});
