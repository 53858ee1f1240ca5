import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateOrgPreset, type OrgPreset } from './org-preset.ts';
import type { Checked } from './result.ts';

type Raw = Record<string, unknown>;

const square = [
  [
    [108.2, 16.0],
    [108.21, 16.0],
    [108.21, 16.01],
    [108.2, 16.0],
  ],
];

/** A small valid preset: city, a sector OC, a district with geometry, its ward; one retired ward. */
const base = (): Raw => ({
  preset: 'test-city',
  name: { vi: 'Thành phố thử', en: 'Test city' },
  source: 'unit tests',
  units: [
    { code: '48', name: { vi: 'Thành phố Đà Nẵng', en: 'Da Nang City' }, kind: 'city', parent: null },
    { code: '48-health', name: { vi: 'Trung tâm điều hành Sở Y tế', en: 'Department of Health operation center' }, kind: 'sector_oc', parent: '48', sector: 'health' },
    { code: '492', name: { vi: 'Quận Hải Châu', en: 'Hai Chau District' }, kind: 'district', parent: '48', geometry: { type: 'Polygon', coordinates: square } },
    { code: '20242', name: { vi: 'Phường Hải Châu', en: 'Hai Chau Ward' }, kind: 'ward', parent: '492' },
  ],
  retired: [{ code: '20236', name: { vi: 'Phường Hải Châu', en: 'Hai Chau Ward' }, kind: 'ward', parent: '492', successor: '20242' }],
});

const units = (p: Raw): Raw[] => p.units as Raw[];
const retired = (p: Raw): Raw[] => p.retired as Raw[];
/** base() with units[i] patched (undefined deletes a key). */
const withUnit = (i: number, patch: Raw, list: 'units' | 'retired' = 'units'): Raw => {
  const p = base();
  const arr = p[list] as Raw[];
  const u = { ...arr[i]!, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete u[k];
  arr[i] = u;
  return p;
};
const retiredUnit = (over: Raw): Raw => ({ code: '20227', name: { vi: 'Phường Thanh Bình', en: 'Thanh Binh Ward' }, kind: 'ward', parent: '492', successor: '20242', ...over });

/** The [field, reason] pairs of a failed result, in order. */
function errs(r: Checked<unknown>): [string, string][] {
  if (r.ok) assert.fail(`expected a failure, got ${JSON.stringify(r.value)}`);
  for (const e of r.errors) assert.ok(e.message.length > 0, 'every error has a message');
  return r.errors.map((e) => [e.field, e.reason]);
}
function value<T>(r: Checked<T>): T {
  if (!r.ok) assert.fail(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.value;
}

describe('validateOrgPreset: valid presets', () => {
  it('accepts a preset with units, a sector OC, geometry and retired units, and returns it as given', () => {
    const input = base();
    assert.deepEqual(value(validateOrgPreset(input)), input as unknown as OrgPreset);
  });

  it('accepts a preset without retired units, and a MultiPolygon geometry', () => {
    const p = withUnit(2, { geometry: { type: 'MultiPolygon', coordinates: [square, square] } });
    delete p.retired;
    const v = value(validateOrgPreset(p));
    assert.equal('retired' in v, false);
    assert.equal(v.units[2]!.geometry!.type, 'MultiPolygon');
  });

  it('accepts a retired unit with a note, a retired parent, or no parent (a former root)', () => {
    const p = base();
    retired(p).push(
      { code: '491', name: { vi: 'Quận Thanh Khê', en: 'Thanh Khe District' }, kind: 'district', parent: '48', successor: '48' },
      retiredUnit({ code: '20209', parent: '491', note: 'split: part also in Phường Hải Châu (20242)' }),
      { code: '49', name: { vi: 'Tỉnh Quảng Nam', en: 'Quang Nam Province' }, kind: 'city', parent: null, successor: '48' },
    );
    const v = value(validateOrgPreset(p));
    assert.equal(v.retired!.length, 4);
    assert.equal(v.retired![2]!.note, 'split: part also in Phường Hải Châu (20242)');
  });

  it('drops nothing it should keep and adds nothing: sector and geometry only where given', () => {
    const v = value(validateOrgPreset(base()));
    assert.equal('sector' in v.units[0]!, false);
    assert.equal('geometry' in v.units[3]!, false);
    assert.equal(v.units[1]!.sector, 'health');
  });
});

describe('validateOrgPreset: refusals', () => {
  it('refuses what is not an object', () => {
    for (const x of [null, 'preset', 42, [], undefined]) assert.deepEqual(errs(validateOrgPreset(x)), [['', 'wrong_type']]);
  });

  it('refuses missing and invalid top-level fields', () => {
    assert.deepEqual(errs(validateOrgPreset({})), [
      ['preset', 'required'],
      ['name', 'required'],
      ['source', 'required'],
      ['units', 'required'],
    ]);
    assert.deepEqual(errs(validateOrgPreset({ ...base(), preset: 'Đà Nẵng', name: { vi: 'x' }, source: 7, units: {}, retired: 'none', extra: 1 })), [
      ['preset', 'bad_format'],
      ['name/en', 'required'],
      ['source', 'wrong_type'],
      ['units', 'wrong_type'],
      ['retired', 'wrong_type'],
      ['extra', 'unknown_field'],
    ]);
    assert.deepEqual(errs(validateOrgPreset({ ...base(), name: 'Đà Nẵng', units: [] })), [
      ['name', 'wrong_type'],
      ['units', 'empty'],
    ]);
  });

  it('refuses a unit that is not an object', () => {
    const p = base();
    units(p).push('20245' as unknown as Raw);
    assert.deepEqual(errs(validateOrgPreset(p)), [['units/4', 'wrong_type']]);
  });

  it('refuses missing and invalid unit fields, and unknown ones', () => {
    assert.deepEqual(errs(validateOrgPreset(withUnit(1, { code: undefined, name: undefined, kind: undefined, parent: undefined }))), [
      ['units/1/code', 'required'],
      ['units/1/name', 'required'],
      ['units/1/kind', 'required'],
      ['units/1/parent', 'required'],
    ]);
    assert.deepEqual(errs(validateOrgPreset(withUnit(1, { code: 48, name: { vi: '', en: 'x'.repeat(201), fr: 'y' }, parent: 48, colour: 'red' }))), [
      ['units/1/code', 'wrong_type'],
      ['units/1/name/vi', 'required'],
      ['units/1/name/en', 'too_long'],
      ['units/1/name/fr', 'unknown_field'],
      ['units/1/parent', 'wrong_type'],
      ['units/1/colour', 'unknown_field'],
    ]);
  });

  it('refuses a code that does not match UNIT_CODE_PATTERN', () => {
    for (const code of ['20 242', '-48', 'a/b', 'x'.repeat(33)]) {
      const [first] = errs(validateOrgPreset(withUnit(3, { code })));
      assert.deepEqual(first![0], 'units/3/code', code);
      assert.ok(['bad_format', 'too_long'].includes(first![1]), code);
    }
    assert.deepEqual(errs(validateOrgPreset(withUnit(0, { successor: '48', code: 'ô' }, 'retired'))), [
      ['retired/0/code', 'bad_format'],
    ]);
  });

  it('refuses duplicate codes within units and across units and retired', () => {
    const p = base();
    units(p).push({ code: '20242', name: { vi: 'Phường khác', en: 'Another ward' }, kind: 'ward', parent: '492' });
    retired(p).push(retiredUnit({ code: '492' }));
    assert.deepEqual(errs(validateOrgPreset(p)), [
      ['units/4/code', 'duplicate'],
      ['retired/1/code', 'duplicate'],
    ]);
  });

  it('refuses an unknown kind', () => {
    assert.deepEqual(errs(validateOrgPreset(withUnit(3, { kind: 'province' }))), [['units/3/kind', 'unknown_kind']]);
    assert.deepEqual(errs(validateOrgPreset(withUnit(0, { kind: 3 }, 'retired'))), [['retired/0/kind', 'unknown_kind']]);
  });

  it('wants exactly one root among the units', () => {
    const none = withUnit(0, { parent: '48-health' });
    assert.deepEqual(errs(validateOrgPreset(none)), [
      ['units', 'no_root'],
      ['units/0/parent', 'cycle'],
      ['units/1/parent', 'cycle'],
    ]);
    const two = base();
    units(two).push({ code: '49', name: { vi: 'Tỉnh Quảng Nam', en: 'Quang Nam Province' }, kind: 'city', parent: null });
    assert.deepEqual(errs(validateOrgPreset(two)), [['units/4/parent', 'multiple_roots']]);
  });

  it('refuses an unknown parent, and a retired parent of an active unit', () => {
    assert.deepEqual(errs(validateOrgPreset(withUnit(3, { parent: '493' }))), [['units/3/parent', 'unknown_unit']]);
    assert.deepEqual(errs(validateOrgPreset(withUnit(0, { parent: '493' }, 'retired'))), [['retired/0/parent', 'unknown_unit']]);
    const p = base();
    units(p).push({ code: '20245', name: { vi: 'Phường Hòa Thuận Tây', en: 'Hoa Thuan Tay Ward' }, kind: 'ward', parent: '20236' });
    assert.deepEqual(errs(validateOrgPreset(p)), [['units/4/parent', 'retired_parent']]);
  });

  it('refuses parent cycles, among units and through retired units, each unit of the cycle once', () => {
    assert.deepEqual(errs(validateOrgPreset(withUnit(3, { parent: '20242' }))), [['units/3/parent', 'cycle']]);
    const p = withUnit(2, { parent: '20242' });
    assert.deepEqual(errs(validateOrgPreset(p)), [
      ['units/2/parent', 'cycle'],
      ['units/3/parent', 'cycle'],
    ]);
    const q = base();
    retired(q).push(retiredUnit({ code: 'a', parent: 'b' }), retiredUnit({ code: 'b', parent: 'a' }), retiredUnit({ code: 'c', parent: 'a' }));
    assert.deepEqual(errs(validateOrgPreset(q)), [
      ['retired/1/parent', 'cycle'],
      ['retired/2/parent', 'cycle'],
    ]);
  });

  it('wants a sector for, and only for, a sector_oc, and one of SECTORS', () => {
    assert.deepEqual(errs(validateOrgPreset(withUnit(1, { sector: undefined }))), [['units/1/sector', 'required']]);
    assert.deepEqual(errs(validateOrgPreset(withUnit(1, { sector: 'finance' }))), [['units/1/sector', 'bad_value']]);
    assert.deepEqual(errs(validateOrgPreset(withUnit(1, { sector: ['health'] }))), [['units/1/sector', 'bad_value']]);
    assert.deepEqual(errs(validateOrgPreset(withUnit(3, { sector: 'health' }))), [['units/3/sector', 'not_allowed']]);
    assert.deepEqual(errs(validateOrgPreset(withUnit(0, { kind: 'sector_oc' }, 'retired'))), [['retired/0/sector', 'required']]);
  });

  it('refuses an invalid geometry', () => {
    const g = (geometry: unknown) => errs(validateOrgPreset(withUnit(2, { geometry })));
    assert.deepEqual(g('POLYGON((…))'), [['units/2/geometry', 'wrong_type']]);
    assert.deepEqual(g({ type: 'Point', coordinates: [108.2, 16] }), [['units/2/geometry/type', 'bad_value']]);
    assert.deepEqual(g({ coordinates: square }), [['units/2/geometry/type', 'bad_value']]);
    assert.deepEqual(g({ type: 'MultiPolygon', coordinates: square }), [['units/2/geometry/coordinates', 'bad_format']]);
    assert.deepEqual(g({ type: 'Polygon', coordinates: [square[0]!.slice(0, 3)] }), [['units/2/geometry/coordinates', 'bad_format']]);
    assert.deepEqual(g({ type: 'Polygon', coordinates: [[...square[0]!.slice(0, 3), [108.2, 16.02]]] }), [['units/2/geometry/coordinates', 'bad_format']]);
    assert.deepEqual(g({ type: 'Polygon', coordinates: [[[16.0, 200], [16.1, 200], [16.1, 201], [16.0, 200]]] }), [['units/2/geometry/coordinates', 'bad_format']]);
    assert.deepEqual(g({ type: 'Polygon', coordinates: [] }), [['units/2/geometry/coordinates', 'bad_format']]);
    assert.deepEqual(g({ type: 'Polygon', coordinates: square, bbox: [] }), [['units/2/geometry/bbox', 'unknown_field']]);
  });

  it('refuses a retired unit without a successor, or with an unknown or retired one', () => {
    assert.deepEqual(errs(validateOrgPreset(withUnit(0, { successor: undefined }, 'retired'))), [['retired/0/successor', 'required']]);
    assert.deepEqual(errs(validateOrgPreset(withUnit(0, { successor: '20999' }, 'retired'))), [['retired/0/successor', 'unknown_unit']]);
    const p = base();
    retired(p).push(retiredUnit({ successor: '20236' }), retiredUnit({ code: '20230', successor: '20230' }));
    assert.deepEqual(errs(validateOrgPreset(p)), [
      ['retired/1/successor', 'retired_successor'],
      ['retired/2/successor', 'retired_successor'],
    ]);
  });

  it('refuses successor and note on an active unit, and a note that is not text', () => {
    assert.deepEqual(errs(validateOrgPreset(withUnit(3, { successor: '48', note: 'x' }))), [
      ['units/3/successor', 'unknown_field'],
      ['units/3/note', 'unknown_field'],
    ]);
    assert.deepEqual(errs(validateOrgPreset(withUnit(0, { note: ['split'] }, 'retired'))), [['retired/0/note', 'wrong_type']]);
  });

  it('reports every problem at once', () => {
    const p = base();
    units(p)[3] = { code: '20242', name: { vi: 'Phường Hải Châu', en: 'Hai Chau Ward' }, kind: 'hamlet', parent: '999' };
    retired(p)[0] = { ...retired(p)[0]!, successor: '888' };
    assert.deepEqual(errs(validateOrgPreset(p)), [
      ['units/3/kind', 'unknown_kind'],
      ['units/3/parent', 'unknown_unit'],
      ['retired/0/successor', 'unknown_unit'],
    ]);
  });
});
