import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OrgTree } from '@haidang/domain';
import type { AlertView } from '../api/types.ts';
import { type AlertFilter, applyLiveAlert, DEFAULT_FILTER, filterQuery, matchesFilter } from './alert-filters.ts';

const tree = new OrgTree([
  { code: '48', parent: null, status: 'active', successor: null },
  { code: '492', parent: '48', status: 'active', successor: null },
  { code: '20236', parent: '492', status: 'active', successor: null },
  { code: '490', parent: '48', status: 'active', successor: null },
]);

const alert = (over: Partial<AlertView>): AlertView => ({
  id: '1', ruleId: 'r', ruleVersion: 1, subject: 'device:d', deviceId: 'd', unitCode: '20236', sector: 'construction', ownerUnit: '492',
  state: 'open', severity: 'major', title: { vi: 'Ngập', en: 'Flooding' }, openedAt: '2026-11-25T07:00:00.000Z', firstTs: '2026-11-25T07:00:00.000Z',
  lastTs: '2026-11-25T07:00:00.000Z', count: 1, firstValue: 60, lastValue: 60, peakValue: 60, ackedAt: null, ackedBy: null, assignee: null,
  escalated: false, escalatedTo: null, resolvedAt: null, closedAt: null, closedBy: null, reopenCount: 0, evidence: null, updatedAt: '2026-11-25T07:00:00.000Z',
  ...over,
});
const f = (over: Partial<AlertFilter>): AlertFilter => ({ ...DEFAULT_FILTER, ...over });

describe('alert filters', () => {
  it('turn into the list query, leaving out what is not filtered', () => {
    assert.deepEqual(filterQuery(DEFAULT_FILTER), { state: 'active', severity: undefined, unit: undefined, sector: undefined, escalated: undefined });
    assert.deepEqual(filterQuery(f({ state: 'all', severities: ['major', 'extreme'], unit: '492', sector: 'health', escalated: true })), {
      state: undefined, severity: 'major,extreme', unit: '492', sector: 'health', escalated: true,
    });
  });

  it('match by state (active = open or acknowledged), severity, unit subtree, sector and escalation', () => {
    const cases: [Partial<AlertView>, Partial<AlertFilter>, boolean][] = [
      [{ state: 'open' }, {}, true],
      [{ state: 'acknowledged' }, {}, true],
      [{ state: 'resolved' }, {}, false],
      [{ state: 'resolved' }, { state: 'resolved' }, true],
      [{ state: 'closed' }, { state: 'all' }, true],
      [{ severity: 'minor' }, { severities: ['major', 'critical'] }, false],
      [{ severity: 'critical' }, { severities: ['major', 'critical'] }, true],
      [{ unitCode: '20236' }, { unit: '492' }, true],
      [{ unitCode: '20236' }, { unit: '490' }, false],
      [{ sector: 'construction' }, { sector: 'health' }, false],
      [{ escalated: false }, { escalated: true }, false],
      [{ escalated: true }, { escalated: true }, true],
    ];
    for (const [a, flt, want] of cases) assert.equal(matchesFilter(alert(a), f(flt), tree), want, JSON.stringify([a, flt]));
  });

  it('apply live events: add a new alert in order, update in place, drop one that no longer matches', () => {
    const older = alert({ id: '1', openedAt: '2026-11-25T06:00:00.000Z' });
    let list = [older];
    let r = applyLiveAlert(list, alert({ id: '2', openedAt: '2026-11-25T08:00:00.000Z' }), DEFAULT_FILTER, tree);
    assert.deepEqual(r.items.map((a) => a.id), ['2', '1']);
    assert.equal(r.totalDelta, 1);
    list = r.items;
    r = applyLiveAlert(list, alert({ id: '1', openedAt: older.openedAt, state: 'acknowledged', count: 5 }), DEFAULT_FILTER, tree);
    assert.equal(r.items.find((a) => a.id === '1')!.count, 5);
    assert.equal(r.totalDelta, 0);
    r = applyLiveAlert(r.items, alert({ id: '2', state: 'resolved' }), DEFAULT_FILTER, tree);
    assert.deepEqual(r.items.map((a) => a.id), ['1']);
    assert.equal(r.totalDelta, -1);
    r = applyLiveAlert(r.items, alert({ id: '9', unitCode: '490' }), f({ unit: '492' }), tree);
    assert.deepEqual(r.items.map((a) => a.id), ['1']);
    assert.equal(r.totalDelta, 0);
  });
});
