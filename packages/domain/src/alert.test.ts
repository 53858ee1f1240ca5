import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Sector } from './device-types.ts';
import { OrgTree, type OrgNode } from './org.ts';
import type { Checked } from './result.ts';
import {
  ALERT_STATES,
  DEFAULT_ESCALATION,
  actionRefused,
  escalationDue,
  isActive,
  ownerUnit,
  parseEscalationPolicy,
  validateAlertAction,
  type AlertAction,
  type AlertState,
} from './alert.ts';
import type { Severity } from './rule.ts';

function errs(r: Checked<unknown>): [string, string][] {
  if (r.ok) assert.fail(`expected a failure, got ${JSON.stringify(r.value)}`);
  for (const e of r.errors) assert.ok(e.message.length > 0, 'every error has a message');
  return r.errors.map((e) => [e.field, e.reason]);
}
function value<T>(r: Checked<T>): T {
  if (!r.ok) assert.fail(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.value;
}

const n = (code: string, parent: string | null, status: 'active' | 'retired' = 'active', successor: string | null = null, sector: Sector | null = null): OrgNode => ({
  code,
  parent,
  status,
  successor,
  sector,
});

/** 2023 layout: city 48 → district 492 → wards 20236, 20239. */
const tree2023 = new OrgTree([n('48', null), n('492', '48'), n('20236', '492'), n('20239', '492'), n('48-health', '48', 'active', null, 'health')]);
/** 2025 layout: city 48 → wards; the districts and some wards retired into their successors. */
const tree2025 = new OrgTree([
  n('48', null),
  n('20242', '48'),
  n('20194', '48'),
  n('492', '48', 'retired', '48'),
  n('20233', '492', 'retired', '20242'),
  n('20236', '492', 'retired', '20242'),
  n('490', '48', 'retired', '48'),
  n('20195', '490', 'retired', '20194'),
  n('48-health', '48', 'active', null, 'health'),
]);

const noSectorOcs = new Map<Sector, string>();
const sectorOcs = new Map<Sector, string>([['health', '48-health']]);

describe('actionRefused', () => {
  const allowed = (state: AlertState, action: AlertAction): boolean => actionRefused(state, action) === undefined;

  it('acknowledges only an open alert', () => {
    assert.deepEqual(
      ALERT_STATES.map((s) => allowed(s, 'acknowledge')),
      [true, false, false, false],
    );
    assert.match(actionRefused('acknowledged', 'acknowledge')!, /acknowledged/);
  });

  it('assigns only an active (open or acknowledged) alert', () => {
    assert.deepEqual(
      ALERT_STATES.map((s) => allowed(s, 'assign')),
      [true, true, false, false],
    );
    assert.match(actionRefused('resolved', 'assign')!, /resolved/);
  });

  it('closes anything not already closed, a resolved alert included', () => {
    assert.deepEqual(
      ALERT_STATES.map((s) => allowed(s, 'close')),
      [true, true, true, false],
    );
    assert.match(actionRefused('closed', 'close')!, /already closed/);
  });

  it('allows a comment in every state', () => {
    for (const s of ALERT_STATES) assert.equal(actionRefused(s, 'comment'), undefined, s);
  });

  it('calls open and acknowledged active', () => {
    assert.deepEqual(ALERT_STATES.map(isActive), [true, true, false, false]);
  });
});

describe('parseEscalationPolicy', () => {
  it('parses minutes per severity, with spaces', () => {
    assert.deepEqual(value(parseEscalationPolicy('extreme=5,critical=10,major=30,minor=120')), DEFAULT_ESCALATION);
    assert.deepEqual(value(parseEscalationPolicy(' extreme = 5 , info=10080 ')), { extreme: 5, info: 10080 });
  });

  it('turns escalation off for an empty or blank string', () => {
    assert.deepEqual(value(parseEscalationPolicy('')), {});
    assert.deepEqual(value(parseEscalationPolicy('   ')), {});
  });

  it('lets a later entry for the same severity win', () => {
    assert.deepEqual(value(parseEscalationPolicy('major=30,major=15')), { major: 15 });
  });

  it('refuses unknown severities and empty entries', () => {
    assert.deepEqual(errs(parseEscalationPolicy('urgent=5')), [['urgent', 'bad_value']]);
    assert.deepEqual(errs(parseEscalationPolicy('Extreme=5')), [['Extreme', 'bad_value']]);
    assert.deepEqual(errs(parseEscalationPolicy('extreme=5,')), [['', 'bad_value']]);
    assert.deepEqual(errs(parseEscalationPolicy('__proto__=5')), [['__proto__', 'bad_value']]);
    assert.deepEqual(errs(parseEscalationPolicy('toString=5')), [['toString', 'bad_value']]);
  });

  it('refuses minutes that are not an integer in 1..10080', () => {
    for (const text of ['major', 'major=', 'major=0', 'major=-5', 'major=1.5', 'major=10081', 'major=ten', 'major=NaN', 'major=Infinity']) {
      assert.deepEqual(errs(parseEscalationPolicy(text)), [['major', 'out_of_range']], text);
    }
  });

  it('refuses minutes written in other notations or followed by more', () => {
    for (const text of ['major=0x1e', 'major=3e1', 'major=30=60', 'major=+30', 'major=30 min']) {
      assert.deepEqual(errs(parseEscalationPolicy(text)), [['major', 'out_of_range']], text);
    }
  });
});

describe('escalationDue', () => {
  const policy = { extreme: 5, critical: 10, major: 30 };
  const t0 = Date.parse('2025-09-01T03:00:00Z');
  const min = 60_000;
  const alert = (over: Partial<{ state: AlertState; severity: Severity; escalatedAt: number | null; escalatedTo: string | null; ownerUnit: string }> = {}) => ({
    state: 'open' as AlertState,
    severity: 'critical' as Severity,
    openedAt: t0,
    escalatedAt: null,
    escalatedTo: null,
    ownerUnit: '20236',
    ...over,
  });

  it('is not due before the policy minutes for the severity', () => {
    assert.equal(escalationDue(alert(), policy, tree2023, t0 + 10 * min - 1), undefined);
    assert.equal(escalationDue(alert(), policy, tree2023, t0 + 10 * min), '492');
  });

  it('waits per severity', () => {
    const at = t0 + 6 * min;
    assert.equal(escalationDue(alert({ severity: 'extreme' }), policy, tree2023, at), '492');
    assert.equal(escalationDue(alert({ severity: 'critical' }), policy, tree2023, at), undefined);
    assert.equal(escalationDue(alert({ severity: 'major' }), policy, tree2023, t0 + 29 * min), undefined);
    assert.equal(escalationDue(alert({ severity: 'major' }), policy, tree2023, t0 + 30 * min), '492');
  });

  it('never escalates a severity without minutes in the policy', () => {
    assert.equal(escalationDue(alert({ severity: 'minor' }), policy, tree2023, t0 + 100_000 * min), undefined);
    assert.equal(escalationDue(alert({ severity: 'extreme' }), {}, tree2023, t0 + 100_000 * min), undefined);
  });

  it('escalates only open alerts', () => {
    for (const state of ['acknowledged', 'resolved', 'closed'] as const) {
      assert.equal(escalationDue(alert({ state }), policy, tree2023, t0 + 1000 * min), undefined, state);
    }
  });

  it('climbs one parent per period, counting from the last escalation', () => {
    const once = alert({ escalatedAt: t0 + 10 * min, escalatedTo: '492' });
    assert.equal(escalationDue(once, policy, tree2023, t0 + 19 * min), undefined);
    assert.equal(escalationDue(once, policy, tree2023, t0 + 20 * min), '48');
  });

  it('stops at the root', () => {
    const top = alert({ escalatedAt: t0 + 20 * min, escalatedTo: '48' });
    assert.equal(escalationDue(top, policy, tree2023, t0 + 1000 * min), undefined);
    assert.equal(escalationDue(alert({ ownerUnit: '48' }), policy, tree2023, t0 + 1000 * min), undefined);
  });

  it('goes from a 2025 ward straight to the city', () => {
    assert.equal(escalationDue(alert({ ownerUnit: '20242' }), policy, tree2025, t0 + 10 * min), '48');
  });

  it('gives nothing for a unit the tree does not know', () => {
    assert.equal(escalationDue(alert({ ownerUnit: '99999' }), policy, tree2023, t0 + 1000 * min), undefined);
  });
});

describe('ownerUnit', () => {
  it('2023 layout: a ward alert belongs to its district OC', () => {
    assert.equal(ownerUnit(tree2023, noSectorOcs, '20236', 'environment', 'area'), '492');
    assert.equal(ownerUnit(tree2023, noSectorOcs, '20239', null, 'area'), '492');
  });

  it('2023 layout: a district alert belongs to the district', () => {
    assert.equal(ownerUnit(tree2023, noSectorOcs, '492', null, 'area'), '492');
  });

  it('2025 layout: a ward alert belongs to the ward itself', () => {
    assert.equal(ownerUnit(tree2025, noSectorOcs, '20242', null, 'area'), '20242');
  });

  it('a city-wide alert belongs to the root', () => {
    assert.equal(ownerUnit(tree2023, noSectorOcs, '48', null, 'area'), '48');
    assert.equal(ownerUnit(tree2025, noSectorOcs, '48', null, 'area'), '48');
  });

  it('a retired unit is owned through its successor', () => {
    assert.equal(ownerUnit(tree2025, noSectorOcs, '20233', null, 'area'), '20242');
    assert.equal(ownerUnit(tree2025, noSectorOcs, '20195', null, 'area'), '20194');
    // A retired district maps into the city.
    assert.equal(ownerUnit(tree2025, noSectorOcs, '492', null, 'area'), '48');
  });

  it('route "sector" goes to the sector OC of the sector', () => {
    assert.equal(ownerUnit(tree2023, sectorOcs, '20236', 'health', 'sector'), '48-health');
    assert.equal(ownerUnit(tree2025, sectorOcs, '20233', 'health', 'sector'), '48-health');
  });

  it('route "sector" without an OC for the sector, or without a sector, falls back to the area owner', () => {
    assert.equal(ownerUnit(tree2023, sectorOcs, '20236', 'transport', 'sector'), '492');
    assert.equal(ownerUnit(tree2023, sectorOcs, '20236', null, 'sector'), '492');
  });

  it('route "area" ignores the sector OCs', () => {
    assert.equal(ownerUnit(tree2023, sectorOcs, '20236', 'health', 'area'), '492');
  });

  it('keeps a code the tree does not know', () => {
    assert.equal(ownerUnit(tree2023, noSectorOcs, '77777', null, 'area'), '77777');
  });
});

describe('validateAlertAction', () => {
  it('acknowledge: an optional note', () => {
    assert.deepEqual(value(validateAlertAction('acknowledge', undefined)), {});
    assert.deepEqual(value(validateAlertAction('acknowledge', null)), {});
    assert.deepEqual(value(validateAlertAction('acknowledge', {})), {});
    assert.deepEqual(value(validateAlertAction('acknowledge', { note: 'Đã cử đội kiểm tra' })), { note: 'Đã cử đội kiểm tra' });
  });

  it('close and comment: a note is required', () => {
    for (const action of ['close', 'comment'] as const) {
      assert.deepEqual(errs(validateAlertAction(action, {})), [['note', 'required']], action);
      assert.deepEqual(errs(validateAlertAction(action, undefined)), [['note', 'required']], action);
      assert.deepEqual(errs(validateAlertAction(action, { note: '   ' })), [['note', 'required']], action);
      assert.deepEqual(value(validateAlertAction(action, { note: 'Báo động giả' })), { note: 'Báo động giả' }, action);
    }
  });

  it('assign: an assignee, or null to unassign, with an optional note', () => {
    assert.deepEqual(value(validateAlertAction('assign', { assignee: 'nguyen.van.a' })), { assignee: 'nguyen.van.a' });
    assert.deepEqual(value(validateAlertAction('assign', { assignee: null, note: 'trả lại' })), { assignee: null, note: 'trả lại' });
    assert.deepEqual(errs(validateAlertAction('assign', {})), [['assignee', 'required']]);
    assert.deepEqual(errs(validateAlertAction('assign', { assignee: 42 })), [['assignee', 'wrong_type']]);
    assert.deepEqual(errs(validateAlertAction('assign', { assignee: 'x'.repeat(65) })), [['assignee', 'too_long']]);
  });

  it('refuses fields of another action', () => {
    assert.deepEqual(errs(validateAlertAction('acknowledge', { assignee: 'a' })), [['assignee', 'unknown_field']]);
    assert.deepEqual(errs(validateAlertAction('close', { note: 'x', state: 'open' })), [['state', 'unknown_field']]);
  });

  it('refuses a body that is not an object and notes that are not short strings', () => {
    assert.deepEqual(errs(validateAlertAction('comment', 'hello')), [['', 'wrong_type']]);
    assert.deepEqual(errs(validateAlertAction('comment', ['hello'])), [['', 'wrong_type']]);
    assert.deepEqual(errs(validateAlertAction('comment', { note: 5 })), [['note', 'wrong_type']]);
    assert.deepEqual(errs(validateAlertAction('comment', { note: 'x'.repeat(4001) })), [['note', 'too_long']]);
    assert.ok(validateAlertAction('comment', { note: 'x'.repeat(4000) }).ok);
  });
});
