import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Grant, OrgTree } from '@haidang/domain';
import { addAssignment, assignmentProblems, assignmentsBody, changeAssignment, lockedRemovals, mayGive, removeAssignment } from './assignments.ts';

const tree = new OrgTree([
  { code: '48', parent: null, status: 'active', successor: null },
  { code: '492', parent: '48', status: 'active', successor: null },
  { code: '20236', parent: '492', status: 'active', successor: null },
  { code: '490', parent: '48', status: 'active', successor: null },
  { code: '20194', parent: '490', status: 'retired', successor: '490' },
]);
const cityAdmin: Grant[] = [{ role: 'system_admin', unitCode: '48', sector: null }];
const districtAdmin: Grant[] = [{ role: 'system_admin', unitCode: '492', sector: null }];

describe('role assignments', () => {
  it('adds, changes and removes rows without touching the others', () => {
    const one = addAssignment([], { role: 'oc_operator', unitCode: '492', sector: null });
    const two = addAssignment(one, { role: 'analyst', unitCode: '48', sector: null });
    const changed = changeAssignment(two, 1, { sector: 'health' });
    assert.deepEqual(changed[1], { role: 'analyst', unitCode: '48', sector: 'health' });
    assert.equal(changed[0], two[0]);
    assert.deepEqual(removeAssignment(changed, 0), [{ role: 'analyst', unitCode: '48', sector: 'health' }]);
    assert.equal(two.length, 2, 'the input list is not changed');
  });

  it('lets an admin give roles within their own scope only', () => {
    assert.equal(mayGive(districtAdmin, tree, { role: 'oc_operator', unitCode: '20236', sector: null }), true);
    assert.equal(mayGive(districtAdmin, tree, { role: 'oc_operator', unitCode: '490', sector: null }), false);
    assert.equal(mayGive(cityAdmin, tree, { role: 'oc_operator', unitCode: '48', sector: 'health' }), true);
    assert.equal(mayGive([{ role: 'city_leader', unitCode: '48', sector: null }], tree, { role: 'analyst', unitCode: '492', sector: null }), false);
  });

  it('names the problem fields as the API does', () => {
    const problems = assignmentProblems(
      [
        { role: 'oc_operator', unitCode: '492', sector: null },
        { role: 'oc_operator', unitCode: '490', sector: null },
        { role: 'oc_operator', unitCode: '492', sector: null },
        { role: 'analyst', unitCode: '20194', sector: null },
      ],
      districtAdmin,
      tree,
      'person',
    );
    assert.deepEqual(problems, [
      { field: 'assignments/1/unitCode', reason: 'exceeds_own' },
      { field: 'assignments/2', reason: 'duplicate' },
      { field: 'assignments/3/unitCode', reason: 'unknown_unit' },
    ]);
    assert.deepEqual(assignmentProblems([{ role: 'oc_operator', unitCode: '492', sector: null }], cityAdmin, tree, 'service'), [{ field: 'assignments/0/role', reason: 'service_role' }]);
  });

  it('finds roles taken away that lie beyond the admin’s scope', () => {
    const before = [
      { role: 'oc_operator' as const, unitCode: '492', sector: null },
      { role: 'analyst' as const, unitCode: '48', sector: null },
    ];
    assert.deepEqual(lockedRemovals(before, [], districtAdmin, tree), [before[1]]);
    assert.deepEqual(lockedRemovals(before, before, districtAdmin, tree), []);
    assert.deepEqual(lockedRemovals(before, [], cityAdmin, tree), []);
  });

  it('sends every sector as null', () => {
    assert.deepEqual(assignmentsBody([{ role: 'analyst', unitCode: '48', sector: undefined as never }]), [{ role: 'analyst', unitCode: '48', sector: null }]);
  });
});
