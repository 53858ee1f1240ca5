import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pageInfo, pageOf, stepPage } from './paging.ts';

describe('paging', () => {
  const items = Array.from({ length: 120 }, (_, i) => i);

  it('cuts a page and says where it is', () => {
    assert.deepEqual(pageOf(items, 100, 50), items.slice(100));
    assert.deepEqual(pageInfo(0, 50, 120), { from: 1, to: 50, total: 120, hasPrevious: false, hasNext: true });
    assert.deepEqual(pageInfo(100, 50, 120), { from: 101, to: 120, total: 120, hasPrevious: true, hasNext: false });
    assert.deepEqual(pageInfo(0, 50, 0), { from: 0, to: 0, total: 0, hasPrevious: false, hasNext: false });
  });

  it('steps within the list', () => {
    assert.equal(stepPage(0, 50, 120, 1), 50);
    assert.equal(stepPage(100, 50, 120, 1), 100);
    assert.equal(stepPage(50, 50, 120, -1), 0);
    assert.equal(stepPage(0, 50, 120, -1), 0);
  });
});
