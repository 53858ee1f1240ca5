import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Grant, OrgTree } from '@haidang/domain';
import { delegationBody, type DelegationDraft, delegationProblems, emptyDelegation } from './delegation-form.ts';

const tree = new OrgTree([
  { code: '48', parent: null, status: 'active', successor: null },
  { code: '492', parent: '48', status: 'active', successor: null },
  { code: '490', parent: '48', status: 'active', successor: null },
]);
const NOW = Date.parse('2026-11-25T00:00:00Z');
const me = { id: '11111111-1111-4111-8111-111111111111', kind: 'person' as const };
const other = '22222222-2222-4222-8222-222222222222';
const operator: Grant[] = [{ role: 'oc_operator', unitCode: '492', sector: null }];
const fields = (d: DelegationDraft, grants = operator) => delegationProblems(d, me, grants, tree, NOW).map((e) => `${e.field}:${e.reason}`);

describe('delegation form', () => {
  it('starts with one’s own role and scope, for a week from now', () => {
    const d = emptyDelegation(operator, NOW);
    assert.deepEqual({ ...d, until: undefined }, { granteeId: '', role: 'oc_operator', unitCode: '492', sector: null, from: '', until: undefined, reason: '' });
    assert.equal(d.until, '2026-12-02T07:00');
  });

  it('is accepted when within one’s own scope, with a grantee, a window and a reason', () => {
    const d = { ...emptyDelegation(operator, NOW), granteeId: other, reason: 'Nghỉ phép' };
    assert.deepEqual(fields(d), []);
    assert.deepEqual(delegationBody(d), { granteeId: other, role: 'oc_operator', unitCode: '492', sector: null, validUntil: '2026-12-02T07:00:00+07:00', reason: 'Nghỉ phép' });
    assert.equal(delegationBody({ ...d, from: '2026-11-26T08:00' }).validFrom, '2026-11-26T08:00:00+07:00');
  });

  it('names each field that is wrong, as the domain checks it', () => {
    const d = { ...emptyDelegation(operator, NOW), granteeId: other, reason: 'Nghỉ phép' };
    assert.deepEqual(fields({ ...d, granteeId: '' }), ['granteeId:required']);
    assert.deepEqual(fields({ ...d, granteeId: me.id }), ['granteeId:self']);
    assert.deepEqual(fields({ ...d, unitCode: '490' }), ['unitCode:exceeds_own']);
    assert.deepEqual(fields({ ...d, role: 'city_leader' }), ['role:exceeds_own']);
    assert.deepEqual(fields({ ...d, role: 'analyst' }), ['role:not_delegable', 'role:exceeds_own']);
    assert.deepEqual(fields({ ...d, until: '2027-06-01T00:00' }), ['validUntil:out_of_range']);
    assert.deepEqual(fields({ ...d, until: '2026-11-20T00:00' }), ['validUntil:out_of_range', 'validUntil:out_of_range']);
    assert.deepEqual(fields({ ...d, until: 'soon' }), ['validUntil:bad_timestamp']);
    assert.deepEqual(fields({ ...d, reason: ' x ' }), ['reason:invalid']);
  });

  it('never lends a delegated grant again', () => {
    const lent: Grant[] = [{ role: 'oc_operator', unitCode: '490', sector: null, delegation: { id: 'd', grantorId: 'g', grantorName: 'g' } }];
    const d = { ...emptyDelegation(operator, NOW), granteeId: other, reason: 'Nghỉ phép', unitCode: '490' };
    assert.deepEqual(fields(d, [...operator, ...lent]), ['unitCode:exceeds_own']);
  });
});
