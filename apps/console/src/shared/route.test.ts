import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRoute, routeHash } from './route.ts';

describe('console routes', () => {
  it('reads the hash, and writes it back', () => {
    const cases: [string, ReturnType<typeof parseRoute>][] = [
      ['', { view: 'overview' }],
      ['#/', { view: 'overview' }],
      ['#/overview/492', { view: 'overview', unit: '492' }],
      ['#/alerts', { view: 'alerts' }],
      ['#/alerts/17', { view: 'alerts', id: '17' }],
      ['#/devices', { view: 'devices' }],
      ['#/rules', { view: 'rules' }],
      ['#/rules/new', { view: 'rules', id: 'new' }],
      ['#/wall', { view: 'wall' }],
      ['#/wall?interval=30', { view: 'wall' }],
      ['#/devices/aq-hc-001', { view: 'devices', id: 'aq-hc-001' }],
      ['#/admin', { view: 'admin' }],
      ['#/admin/units', { view: 'admin', tab: 'units' }],
      ['#/admin/users', { view: 'admin', tab: 'users' }],
      ['#/admin/users/new', { view: 'admin', tab: 'users', id: 'new' }],
      ['#/admin/users/0b6f3c1e-6c1a-4b8e-9d0e-1f2a3b4c5d6e', { view: 'admin', tab: 'users', id: '0b6f3c1e-6c1a-4b8e-9d0e-1f2a3b4c5d6e' }],
      ['#/admin/delegations', { view: 'admin', tab: 'delegations' }],
      ['#/admin/audit', { view: 'admin', tab: 'audit' }],
      ['#/admin/nothing', { view: 'not-found', path: 'admin/nothing' }],
      ['#/nothing/here', { view: 'not-found', path: 'nothing/here' }],
    ];
    for (const [hash, route] of cases) {
      assert.deepEqual(parseRoute(hash), route, hash);
      if (route.view !== 'not-found') assert.deepEqual(parseRoute(routeHash(route)), route);
    }
  });

  it('keeps odd characters inside one segment', () => {
    assert.deepEqual(parseRoute(routeHash({ view: 'alerts', id: 'a/b <x>' })), { view: 'alerts', id: 'a/b <x>' });
    assert.deepEqual(parseRoute(routeHash({ view: 'admin', tab: 'users', id: 'a/b?c' })), { view: 'admin', tab: 'users', id: 'a/b?c' });
  });
});
