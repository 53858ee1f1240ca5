import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Grant, OrgTree } from '@haidang/domain';
import { allows, allowsSomewhere } from './permissions.ts';

const tree = new OrgTree([
  { code: '48', parent: null, status: 'active', successor: null },
  { code: '492', parent: '48', status: 'active', successor: null },
  { code: '20236', parent: '492', status: 'active', successor: null },
  { code: '490', parent: '48', status: 'active', successor: null },
]);

describe('console permissions', () => {
  const districtOperator: Grant[] = [{ role: 'oc_operator', unitCode: '492', sector: null }];
  const analyst: Grant[] = [{ role: 'analyst', unitCode: '48', sector: null }];
  const healthOc: Grant[] = [{ role: 'oc_operator', unitCode: '48', sector: 'health' }];

  it('allows handling alerts only inside the grant’s subtree and sector', () => {
    assert.equal(allows(districtOperator, tree, 'alert.handle', { unitCode: '20236', sector: 'construction' }), true);
    assert.equal(allows(districtOperator, tree, 'alert.handle', { unitCode: '490', sector: 'construction' }), false);
    assert.equal(allows(analyst, tree, 'alert.handle', { unitCode: '20236' }), false);
    assert.equal(allows(healthOc, tree, 'alert.handle', { unitCode: '20236', sector: 'health' }), true);
    assert.equal(allows(healthOc, tree, 'alert.handle', { unitCode: '20236', sector: null }), false);
  });

  it('tells whether a view has anything for the user', () => {
    assert.equal(allowsSomewhere(analyst, 'alert.read'), true);
    assert.equal(allowsSomewhere(analyst, 'rule.manage'), false);
  });
});
