import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scopeFilter, type Actor } from './access.ts';
import { derivedAttributes } from './derived-series.ts';
import { DEVICE_TYPES } from './device-types.ts';
import { DEVICE_MAP_STATES, MAP_ATTRIBUTES, deviceMapState, filterCoversUnit, mapAttributesOf, moreSevere, severityCounts } from './device-map.ts';
import { OrgTree } from './org.ts';
import { SEVERITIES, type Severity } from './rule.ts';

describe('deviceMapState', () => {
  it('is offline whenever the engine says so, whatever the alerts', () => {
    for (const s of [null, ...SEVERITIES]) assert.equal(deviceMapState(true, s), 'offline', String(s));
  });

  it('is ok without an active alert, warning for info and minor, alert from major up', () => {
    const got = Object.fromEntries([null, ...SEVERITIES].map((s) => [String(s), deviceMapState(false, s)]));
    assert.deepEqual(got, { null: 'ok', info: 'warning', minor: 'warning', major: 'alert', critical: 'alert', extreme: 'alert' });
  });

  it('only gives the states the API documents', () => {
    for (const o of [true, false]) for (const s of [null, ...SEVERITIES]) assert.ok(DEVICE_MAP_STATES.includes(deviceMapState(o, s)));
  });
});

describe('moreSevere and severityCounts', () => {
  it('keeps the more severe, null meaning none', () => {
    assert.equal(moreSevere(null, null), null);
    assert.equal(moreSevere(null, 'minor'), 'minor');
    assert.equal(moreSevere('critical', null), 'critical');
    assert.equal(moreSevere('minor', 'extreme'), 'extreme');
    assert.equal(moreSevere('major', 'info'), 'major');
    const worst = (['info', 'major', 'minor'] as Severity[]).reduce<Severity | null>(moreSevere, null);
    assert.equal(worst, 'major');
  });

  it('counts every severity from 0, a fresh object each time', () => {
    const a = severityCounts();
    assert.deepEqual(a, { info: 0, minor: 0, major: 0, critical: 0, extreme: 0 });
    a.major++;
    assert.equal(severityCounts().major, 0);
  });
});

describe('map attributes', () => {
  it('name, for each known type, attributes its devices really have (measured or derived)', () => {
    for (const [type, attrs] of Object.entries(MAP_ATTRIBUTES)) {
      const info = DEVICE_TYPES[type];
      assert.ok(info, `${type} is a known device type`);
      const names = new Set([...info.attributes.map((a) => a.name), ...derivedAttributes({ type, attributes: info.attributes }).map((a) => a.name)]);
      for (const a of attrs) assert.ok(names.has(a), `${type}: ${a}`);
    }
  });

  it('are none for a type the table does not list, including names of Object.prototype', () => {
    assert.deepEqual(mapAttributesOf('clinic_beds'), []);
    assert.deepEqual(mapAttributesOf('constructor'), []);
    assert.deepEqual(mapAttributesOf('__proto__'), []);
    assert.deepEqual(mapAttributesOf('air_quality'), ['aqi', 'pm25']);
  });
});

describe('filterCoversUnit', () => {
  const tree = new OrgTree([
    { code: '48', parent: null, status: 'active', successor: null },
    { code: '492', parent: '48', status: 'active', successor: null },
    { code: '20233', parent: '492', status: 'active', successor: null },
    { code: '493', parent: '48', status: 'active', successor: null },
    { code: '20263', parent: '493', status: 'active', successor: null },
  ]);
  const actor = (grants: Actor['grants']): Actor => ({ userId: 'u', username: 'u', kind: 'person', unitCode: '48', grants });
  const covered = (a: Actor) => ['48', '492', '20233', '493', '20263'].filter((c) => filterCoversUnit(scopeFilter(tree, a, 'unit.read'), c));

  it('a city-wide grant covers every unit; a district grant its district and wards only', () => {
    assert.deepEqual(covered(actor([{ role: 'ioc_operator', unitCode: '48', sector: null }])), ['48', '492', '20233', '493', '20263']);
    assert.deepEqual(covered(actor([{ role: 'oc_operator', unitCode: '492', sector: null }])), ['492', '20233']);
  });

  it('a sector grant covers the units of its subtree; no grant, none', () => {
    assert.deepEqual(covered(actor([{ role: 'oc_operator', unitCode: '48', sector: 'health' }])), ['48', '492', '20233', '493', '20263']);
    assert.deepEqual(covered(actor([{ role: 'oc_operator', unitCode: '493', sector: 'health' }])), ['493', '20263']);
    assert.deepEqual(covered(actor([])), []);
  });
});
