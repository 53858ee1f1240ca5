import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OrgTree, type OrgNode } from './org.ts';

const n = (code: string, parent: string | null, status: 'active' | 'retired' = 'active', successor: string | null = null): OrgNode => ({ code, parent, status, successor });

// 48 → 492 → (20233, 20236); 48 → 493 → 20263; 2025: 20242 (new ward) absorbed 20233, which was retired.
const tree = new OrgTree([n('48', null), n('492', '48', 'retired', '48'), n('20233', '492', 'retired', '20242'), n('20236', '492'), n('493', '48'), n('20263', '493'), n('20242', '48')]);

describe('OrgTree', () => {
  it('gives a subtree with the units below and the retired units mapped into it', () => {
    assert.deepEqual([...tree.subtree('20242')].sort(), ['20233', '20242']);
    assert.deepEqual([...tree.subtree('493')].sort(), ['20263', '493']);
    assert.equal(tree.subtree('48').size, 7);
    assert.equal(tree.subtree('nope').size, 0);
  });

  it('keeps the old subtree findable under the old code', () => {
    assert.deepEqual([...tree.subtree('492')].sort(), ['20233', '20236', '492']);
  });

  it('covers, current, ancestors, roots', () => {
    assert.ok(tree.covers('48', '20263'));
    assert.ok(!tree.covers('493', '20236'));
    assert.ok(tree.covers('20242', '20233'));
    assert.equal(tree.current('20233'), '20242');
    assert.equal(tree.current('492'), '48');
    assert.equal(tree.current('20263'), '20263');
    assert.equal(tree.current('nope'), undefined);
    assert.deepEqual(tree.ancestors('20236'), ['20236', '492', '48']);
    assert.deepEqual(tree.roots(), ['48']);
  });

  it('survives cycles in bad data (successor loops, parent loops)', () => {
    const bad = new OrgTree([n('a', 'b', 'retired', 'b'), n('b', 'a', 'retired', 'a')]);
    assert.equal(bad.current('a'), undefined);
    assert.deepEqual([...bad.subtree('a')].sort(), ['a', 'b']);
    assert.deepEqual(bad.ancestors('a'), ['a', 'b']);
  });
});
