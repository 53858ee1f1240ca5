import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UnitView } from '../api/types.ts';
import { childKind, childrenOf, toggled, treeRows, unitChoices, withChildren } from './org-tree.ts';

const unit = (code: string, vi: string, en: string, kind: string, parent: string | null, extra: Partial<UnitView> = {}): UnitView => ({
  code,
  name: { vi, en },
  kind,
  parent,
  sector: null,
  status: 'active',
  successor: null,
  hasGeometry: false,
  ...extra,
});

const UNITS: UnitView[] = [
  unit('48-health', 'Sở Y tế', 'Health Department', 'sector_oc', '48', { sector: 'health' }),
  unit('492', 'Quận Hải Châu', 'Hai Chau District', 'district', '48'),
  unit('48', 'Thành phố Đà Nẵng', 'Da Nang City', 'city', null),
  unit('20236', 'Phường Hòa Thuận Tây', 'Hoa Thuan Tay Ward', 'ward', '492'),
  unit('490', 'Quận Liên Chiểu', 'Lien Chieu District', 'district', '48'),
  unit('20194', 'Phường Hòa Hiệp Bắc', 'Hoa Hiep Bac Ward', 'ward', '490', { status: 'retired', successor: '20197' }),
  unit('20197', 'Phường Hòa Khánh Bắc', 'Hoa Khanh Bac Ward', 'ward', '490'),
];

const codes = (rows: { unit: UnitView }[]) => rows.map((r) => r.unit.code);

describe('org tree', () => {
  it('orders children: areas before other bodies, then by code (numerically)', () => {
    const kids = childrenOf(UNITS);
    assert.deepEqual(kids.get(null)!.map((u) => u.code), ['48']);
    assert.deepEqual(kids.get('48')!.map((u) => u.code), ['490', '492', '48-health']);
  });

  it('shows the children of expanded units only, with their depth', () => {
    const rows = treeRows(UNITS, { query: '', expanded: new Set(['48']), showRetired: true });
    assert.deepEqual(codes(rows), ['48', '490', '492', '48-health']);
    assert.deepEqual(rows.map((r) => r.depth), [0, 1, 1, 1]);
    assert.deepEqual(rows.map((r) => [r.hasChildren, r.expanded]), [[true, true], [true, false], [true, false], [false, false]]);
    const all = treeRows(UNITS, { query: '', expanded: withChildren(UNITS), showRetired: true });
    assert.deepEqual(codes(all), ['48', '490', '20194', '20197', '492', '20236', '48-health']);
  });

  it('hides retired units on request', () => {
    const rows = treeRows(UNITS, { query: '', expanded: withChildren(UNITS), showRetired: false });
    assert.ok(!codes(rows).includes('20194'));
  });

  it('searches with or without diacritics, by name in either language or code, keeping the units above the matches open', () => {
    for (const q of ['Hòa Khánh', 'hoa khanh', 'HOA KHANH BAC', 'khánh', '20197']) {
      assert.deepEqual(codes(treeRows(UNITS, { query: q, expanded: new Set(), showRetired: true })), ['48', '490', '20197'], q);
    }
    assert.deepEqual(codes(treeRows(UNITS, { query: 'health', expanded: new Set(), showRetired: true })), ['48', '48-health']);
    assert.deepEqual(codes(treeRows(UNITS, { query: 'không có', expanded: new Set(), showRetired: true })), []);
    // A matching unit above others shows without its non-matching children.
    assert.deepEqual(codes(treeRows(UNITS, { query: 'liên chiểu', expanded: new Set(), showRetired: true })), ['48', '490']);
  });

  it('does not loop on a malformed tree (a cycle)', () => {
    const cyclic = [unit('a', 'A', 'A', 'city', null), unit('b', 'B', 'B', 'district', 'c'), unit('c', 'C', 'C', 'district', 'b')];
    assert.deepEqual(codes(treeRows(cyclic, { query: '', expanded: new Set(['a', 'b', 'c']), showRetired: true })), ['a']);
  });

  it('toggles a unit open and closed', () => {
    const open = toggled(new Set(['48']), '492');
    assert.deepEqual([...open].sort(), ['48', '492']);
    assert.deepEqual([...toggled(open, '48')], ['492']);
  });

  it('offers active units in tree order for selects, narrowed on request', () => {
    assert.deepEqual(
      unitChoices(UNITS).map((c) => `${c.depth}:${c.unit.code}`),
      ['0:48', '1:490', '2:20197', '1:492', '2:20236', '1:48-health'],
    );
    assert.deepEqual(unitChoices(UNITS, (u) => u.code.startsWith('49')).map((c) => c.unit.code), ['490', '492']);
  });

  it('suggests the kind of a new unit below another', () => {
    assert.equal(childKind('city'), 'district');
    assert.equal(childKind('district'), 'ward');
    assert.equal(childKind('ward'), 'agency');
  });
});
