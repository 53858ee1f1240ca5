import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Grant, OrgTree } from '@haidang/domain';
import { emptyUser, userBody, userProblems, withKind } from './user-form.ts';

const tree = new OrgTree([
  { code: '48', parent: null, status: 'active', successor: null },
  { code: '490', parent: '48', status: 'active', successor: null },
  { code: '492', parent: '48', status: 'active', successor: null },
]);
const districtAdmin: Grant[] = [{ role: 'system_admin', unitCode: '490', sector: null }];

describe('new user form', () => {
  const good = { ...emptyUser('490'), username: 'LC.Operator ', displayName: ' Điều hành viên Liên Chiểu ', password: 'Sóng-biển-Liên-Chiểu-2026!' };

  it('accepts a person homed and given roles within the admin’s scope, and sends it as the API takes it', () => {
    assert.deepEqual(userProblems(good, districtAdmin, tree), []);
    assert.deepEqual(userBody(good), {
      username: 'lc.operator',
      displayName: 'Điều hành viên Liên Chiểu',
      kind: 'person',
      unitCode: '490',
      password: 'Sóng-biển-Liên-Chiểu-2026!',
      assignments: [{ role: 'oc_operator', unitCode: '490', sector: null }],
    });
  });

  it('names the fields to fix: required fields, home unit outside one’s scope, the password policy (the domain’s), assignments', () => {
    const fields = (d: typeof good) => userProblems(d, districtAdmin, tree).map((p) => `${p.field}:${p.reason}`);
    assert.deepEqual(fields({ ...good, username: ' ', displayName: '' }).slice(0, 2), ['username:required', 'displayName:required']);
    assert.deepEqual(fields({ ...good, unitCode: '492', assignments: [] }), ['unitCode:exceeds_own']);
    assert.deepEqual(fields({ ...good, password: 'short' }), ['password:too_short']);
    assert.deepEqual(fields({ ...good, password: 'lc.operator-Long-2026' }), ['password:contains_username']);
    assert.deepEqual(fields({ ...good, assignments: [{ role: 'oc_operator', unitCode: '492', sector: null }] }), ['assignments/0/unitCode:exceeds_own']);
  });

  it('makes a service account: no password, the data_provider role only', () => {
    const svc = withKind(good, 'service');
    assert.equal(svc.password, '');
    assert.deepEqual(svc.assignments, [{ role: 'data_provider', unitCode: '490', sector: null }]);
    assert.deepEqual(userProblems(svc, districtAdmin, tree), []);
    assert.equal('password' in userBody(svc), false);
    assert.deepEqual(withKind(svc, 'person').assignments, [{ role: 'oc_operator', unitCode: '490', sector: null }]);
  });
});
