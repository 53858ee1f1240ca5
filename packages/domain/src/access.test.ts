import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Actor,
  type Assignment,
  checkDelegation,
  delegationStatus,
  effectiveGrants,
  filterAllows,
  grantFor,
  ROLE_PERMISSIONS,
  ROLES,
  scopeConditions,
  scopeFilter,
  type StoredDelegation,
} from './access.ts';
import { OrgTree, type OrgNode } from './org.ts';

const n = (code: string, parent: string | null): OrgNode => ({ code, parent, status: 'active', successor: null });
const tree = new OrgTree([n('48', null), n('492', '48'), n('20233', '492'), n('20236', '492'), n('493', '48'), n('20263', '493'), n('48-health', '48')]);
const ALL = ['48', '492', '20233', '20236', '493', '20263', '48-health'];
const actor = (...grants: Actor['grants']): Actor => ({ userId: 'u1', username: 'u1', kind: 'person', unitCode: '492', grants });
const HOUR = 3_600_000;

describe('roles', () => {
  it('every role reads the org tree; only admins manage users, units; data providers ingest', () => {
    for (const r of ROLES) assert.ok(ROLE_PERMISSIONS[r].includes('unit.read'), r);
    assert.deepEqual(ROLES.filter((r) => ROLE_PERMISSIONS[r].includes('user.manage')), ['system_admin']);
    assert.deepEqual(ROLES.filter((r) => ROLE_PERMISSIONS[r].includes('unit.manage')), ['system_admin']);
    assert.ok(!ROLE_PERMISSIONS.analyst.includes('device.manage'));
    assert.ok(!ROLE_PERMISSIONS.data_provider.includes('delegation.grant'));
  });
});

describe('scope', () => {
  const hc = actor({ role: 'oc_operator', unitCode: '492', sector: null });
  it('places a record in a grant by subtree and sector', () => {
    assert.ok(grantFor(tree, hc, 'device.read', { unitCode: '20233', sector: 'environment' }));
    assert.equal(grantFor(tree, hc, 'device.read', { unitCode: '20263', sector: 'environment' }), undefined);
    assert.equal(grantFor(tree, hc, 'user.manage', { unitCode: '20233', sector: 'environment' }), undefined, 'the role lacks it');
    const health = actor({ role: 'oc_operator', unitCode: '48', sector: 'health' });
    assert.ok(grantFor(tree, health, 'device.read', { unitCode: '20263', sector: 'health' }));
    assert.equal(grantFor(tree, health, 'device.read', { unitCode: '20263', sector: 'environment' }), undefined);
  });
  it('prefers an own grant to a delegated one', () => {
    const both = actor({ role: 'oc_operator', unitCode: '492', sector: null, delegation: { id: 'd', grantorId: 'g', grantorName: 'g' } }, { role: 'oc_operator', unitCode: '48', sector: null });
    assert.equal(grantFor(tree, both, 'device.read', { unitCode: '20233', sector: 'x' })?.delegation, undefined);
  });
  it('makes a filter: all for a city-wide grant, none without one, some otherwise', () => {
    assert.deepEqual(scopeFilter(tree, actor({ role: 'system_admin', unitCode: '48', sector: null }), 'device.read'), { kind: 'all' });
    assert.deepEqual(scopeFilter(tree, actor(), 'device.read'), { kind: 'none' });
    const f = scopeFilter(tree, hc, 'device.read');
    assert.equal(f.kind, 'some');
    assert.ok(filterAllows(f, { unitCode: '20236', sector: 'x' }));
    assert.ok(!filterAllows(f, { unitCode: '20263', sector: 'x' }));
    assert.ok(!filterAllows({ kind: 'none' }, { unitCode: '20236', sector: 'x' }));
  });
  it('turns scopes into short query conditions', () => {
    const sub = (c: string) => tree.subtree(c);
    assert.deepEqual(scopeConditions([{ unitCodes: sub('492'), sector: null }], ALL), [{ units: { in: ['492', '20236', '20233'] }, sector: null }].map((x) => ({ ...x, units: { in: [...sub('492')] } })));
    // Two districts and more than half the tree: the units outside it instead.
    const wide = scopeConditions([{ unitCodes: sub('492'), sector: null }, { unitCodes: sub('493'), sector: null }], ALL);
    assert.deepEqual(wide, [{ units: { notIn: ['48', '48-health'] }, sector: null }]);
    // A sector over the root: no unit condition at all.
    assert.deepEqual(scopeConditions([{ unitCodes: sub('48'), sector: 'health' }], ALL), [{ units: 'any', sector: 'health' }]);
    // A sector scope inside an all-sector scope adds nothing.
    assert.deepEqual(scopeConditions([{ unitCodes: sub('492'), sector: null }, { unitCodes: sub('20233'), sector: 'health' }], ALL).length, 1);
  });
});

describe('delegation', () => {
  const now = Date.UTC(2026, 10, 25, 2);
  const leader = { userId: 'lead', kind: 'person' as const, assignments: [{ role: 'city_leader', unitCode: '48', sector: null }] as Assignment[] };
  const deputy = { userId: 'dep', kind: 'person' as const };
  const req = (over: Partial<Parameters<typeof checkDelegation>[3]> = {}) => ({ granteeId: 'dep', role: 'city_leader' as const, unitCode: '492', sector: null, validFrom: now, validUntil: now + 24 * HOUR, reason: 'Nghỉ phép', ...over });
  const reasons = (d = req(), grantor = leader, grantee: typeof deputy | { userId: string; kind: 'service' } | null = deputy) => checkDelegation(tree, grantor, grantee ?? undefined, d, now).map((e) => `${e.field}:${e.reason}`);

  it('lends part of the grantor’s own role and scope', () => {
    assert.deepEqual(reasons(), []);
    assert.deepEqual(reasons(req({ unitCode: '48', sector: 'health' })), []);
  });
  it('refuses more than the grantor holds, other roles, bad windows, bad grantees and empty reasons', () => {
    const hcLeader = { ...leader, assignments: [{ role: 'city_leader', unitCode: '492', sector: null }] as Assignment[] };
    assert.deepEqual(reasons(req({ unitCode: '48' }), hcLeader), ['unitCode:exceeds_own']);
    assert.deepEqual(reasons(req({ role: 'ioc_operator' })), ['role:exceeds_own']);
    assert.deepEqual(reasons(req({ role: 'analyst' })), ['role:not_delegable', 'role:exceeds_own']);
    assert.deepEqual(reasons(req({ validUntil: now - 1 })), ['validUntil:out_of_range', 'validUntil:out_of_range']);
    assert.deepEqual(reasons(req({ validUntil: now + 91 * 24 * HOUR })), ['validUntil:out_of_range']);
    assert.deepEqual(reasons(req({ reason: ' ' })), ['reason:invalid']);
    assert.deepEqual(reasons(req(), leader, { userId: 'lead', kind: 'person' }), ['granteeId:self']);
    assert.deepEqual(reasons(req(), leader, { userId: 'svc', kind: 'service' }), ['granteeId:not_allowed']);
    assert.deepEqual(reasons(req(), leader, null), ['granteeId:unknown_user']);
    assert.deepEqual(reasons(req({ unitCode: 'nowhere' })), ['unitCode:unknown_unit']);
  });
  it('grants only while in its window, not revoked, and backed by the grantor’s role', () => {
    const d: StoredDelegation = { id: 'd1', grantorId: 'lead', grantorName: 'lead', role: 'city_leader', unitCode: '492', sector: null, validFrom: now, validUntil: now + HOUR, revokedAt: null };
    const backing = new Map([['lead', leader.assignments]]);
    const at = (t: number, dd = d, b = backing) => effectiveGrants(tree, [], [dd], b, t);
    assert.equal(at(now + 1).length, 1);
    assert.equal(at(now + 1)[0]!.delegation?.grantorName, 'lead');
    assert.equal(at(now - 1).length, 0, 'not yet');
    assert.equal(at(now + HOUR).length, 0, 'expired');
    assert.equal(at(now + 1, { ...d, revokedAt: now }).length, 0, 'revoked');
    assert.equal(at(now + 1, d, new Map()).length, 0, 'the grantor lost the role');
    assert.deepEqual([now - 1, now + 1, now + HOUR].map((t) => delegationStatus(d, t)), ['scheduled', 'active', 'expired']);
    assert.equal(delegationStatus({ ...d, revokedAt: now }, now + 1), 'revoked');
  });
});
