import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retentionCutoffs } from './retention.job.ts';

test('retention cut-offs per resolution; 0 days keeps forever', () => {
  const now = Date.UTC(2026, 10, 25);
  const day = 86_400_000;
  assert.deepEqual(retentionCutoffs({ rawDays: 30, minuteDays: 400, hourDays: 0 }, now), { raw: now - 30 * day, '1m': now - 400 * day });
  assert.deepEqual(retentionCutoffs({ rawDays: 0, minuteDays: 0, hourDays: 0 }, now), {});
  assert.deepEqual(retentionCutoffs({ rawDays: 1, minuteDays: 2, hourDays: 3 }, now), { raw: now - day, '1m': now - 2 * day, '1h': now - 3 * day });
});
