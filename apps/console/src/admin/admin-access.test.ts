import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Grant, OrgTree } from '@haidang/domain';
import { ADMIN_TABS } from '../shared/route.ts';
import { adminTabs, delegableGrants, mayVerifyChain, showsAdmin } from './admin-access.ts';

const tree = new OrgTree([
  { code: '48', parent: null, status: 'active', successor: null },
  { code: '492', parent: '48', status: 'active', successor: null },
]);
const cityAdmin: Grant[] = [{ role: 'system_admin', unitCode: '48', sector: null }];
const districtAdmin: Grant[] = [{ role: 'system_admin', unitCode: '492', sector: null }];
const leader: Grant[] = [{ role: 'city_leader', unitCode: '48', sector: null }];
const operator: Grant[] = [{ role: 'oc_operator', unitCode: '492', sector: null }];
const analyst: Grant[] = [{ role: 'analyst', unitCode: '48', sector: null }];

describe('administration access', () => {
  it('shows the view to holders of user.manage, unit.manage, audit.read or delegation.grant', () => {
    assert.equal(showsAdmin(cityAdmin), true);
    assert.equal(showsAdmin(leader), true);
    assert.equal(showsAdmin(operator), true);
    assert.equal(showsAdmin(analyst), false);
  });

  it('offers only the tabs the user may use', () => {
    assert.deepEqual(adminTabs(cityAdmin, ADMIN_TABS), ['units', 'users', 'delegations', 'audit']);
    assert.deepEqual(adminTabs(leader, ADMIN_TABS), ['delegations', 'audit']);
    assert.deepEqual(adminTabs(operator, ADMIN_TABS), ['delegations']);
  });

  it('verifies the whole chain only with audit.read over the whole city', () => {
    assert.equal(mayVerifyChain(cityAdmin, tree), true);
    assert.equal(mayVerifyChain(leader, tree), true);
    assert.equal(mayVerifyChain(districtAdmin, tree), false);
    assert.equal(mayVerifyChain([{ role: 'system_admin', unitCode: '48', sector: 'health' }], tree), false);
    assert.equal(mayVerifyChain(operator, tree), false);
  });

  it('lends only one’s own grants, never delegated ones', () => {
    const lent: Grant = { role: 'city_leader', unitCode: '48', sector: null, delegation: { id: 'd1', grantorId: 'u1', grantorName: 'leader' } };
    assert.deepEqual(delegableGrants([...operator, ...analyst, lent]), operator);
  });
});
