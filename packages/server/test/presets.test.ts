/** The org-tree presets of Đà Nẵng (packages/server/presets): valid, complete, and old codes map onto the 2025 units. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SECTORS } from '../../domain/src/device-types.ts';
import { OrgTree, type OrgNode } from '../../domain/src/org.ts';
import { validateOrgPreset, type OrgPreset } from '../../domain/src/org-preset.ts';

const readJson = (rel: string): unknown => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));

function load(name: string): OrgPreset {
  const r = validateOrgPreset(readJson(`../presets/${name}.json`));
  if (!r.ok) assert.fail(`${name}: ${JSON.stringify(r.errors, null, 2)}`);
  assert.equal(r.value.preset, name);
  return r.value;
}

const p2023 = load('danang-2023');
const p2025 = load('danang-2025');
const AREA_KINDS = new Set(['city', 'district', 'ward', 'commune', 'special_zone']);
const count = (p: OrgPreset, kind: string) => p.units.filter((u) => u.kind === kind).length;

function tree(p: OrgPreset): OrgTree {
  const nodes: OrgNode[] = [
    ...p.units.map((u): OrgNode => ({ code: u.code, parent: u.parent, status: 'active', successor: null, sector: u.sector ?? null })),
    ...(p.retired ?? []).map((u): OrgNode => ({ code: u.code, parent: u.parent, status: 'retired', successor: u.successor, sector: u.sector ?? null })),
  ];
  return new OrgTree(nodes);
}

function assertSectorOcs(p: OrgPreset): void {
  const ocs = p.units.filter((u) => u.kind === 'sector_oc');
  assert.deepEqual(
    ocs.map((u) => [u.code, u.sector, u.parent]),
    SECTORS.map((s) => [`48-${s}`, s, '48']),
  );
}

test('danang-2023: city 48, 8 districts, 47 wards and communes, 8 sector OCs', () => {
  assert.equal(p2023.units.length, 64);
  assert.equal(p2023.retired, undefined);
  const root = p2023.units.filter((u) => u.parent === null);
  assert.deepEqual(root.map((u) => [u.code, u.kind]), [['48', 'city']]);
  const districts = p2023.units.filter((u) => u.kind === 'district');
  assert.deepEqual(districts.map((u) => u.code), ['490', '491', '492', '493', '494', '495', '497', '498']);
  assert.ok(districts.every((u) => u.parent === '48'));
  assert.equal(count(p2023, 'ward'), 36);
  assert.equal(count(p2023, 'commune'), 11);
  const districtCodes = new Set(districts.map((u) => u.code));
  for (const u of p2023.units.filter((u) => u.kind === 'ward' || u.kind === 'commune')) {
    assert.ok(districtCodes.has(u.parent!), `${u.code} lies in a district`);
    assert.match(u.code, /^20\d{3}$/);
  }
  assert.ok(p2023.units.filter((u) => u.kind === 'commune').every((u) => u.parent === '497'), 'the xã are those of Hòa Vang');
  assertSectorOcs(p2023);
});

test('danang-2023: the 7 mainland districts have their (display-only) geometry, Hoàng Sa and the wards none', () => {
  const withGeometry = p2023.units.filter((u) => u.geometry).map((u) => u.code);
  assert.deepEqual(withGeometry, ['490', '491', '492', '493', '494', '495', '497']);
  assert.equal(p2023.units.find((u) => u.code === '490')!.geometry!.type, 'MultiPolygon');
});

test('danang-2025: 12 wards, 3 communes and the Hoàng Sa special zone under 48, 8 sector OCs', () => {
  assert.equal(p2025.units.length, 25);
  const root = p2025.units.filter((u) => u.parent === null);
  assert.deepEqual(root.map((u) => [u.code, u.kind]), [['48', 'city']]);
  const below = p2025.units.filter((u) => u.parent === '48' && u.kind !== 'sector_oc');
  assert.equal(below.length, 16);
  assert.ok(below.every((u) => AREA_KINDS.has(u.kind)));
  assert.equal(count(p2025, 'ward'), 12);
  assert.equal(count(p2025, 'commune'), 3);
  assert.equal(count(p2025, 'district'), 0);
  const hs = p2025.units.find((u) => u.kind === 'special_zone')!;
  assert.deepEqual([hs.code, hs.name.vi], ['498', 'Đặc khu Hoàng Sa']);
  assert.ok(p2025.units.every((u) => !u.geometry), 'no geometry for the 2025 units');
  assertSectorOcs(p2025);
});

test('every 2023 area unit is a 2025 unit or retired in 2025 with an active 2025 unit as successor', () => {
  const active = new Set(p2025.units.map((u) => u.code));
  const retired = new Map((p2025.retired ?? []).map((u) => [u.code, u]));
  for (const u of p2023.units.filter((u) => AREA_KINDS.has(u.kind))) {
    const r = retired.get(u.code);
    assert.ok(active.has(u.code) !== (r !== undefined), `${u.code} is either active or retired in 2025`);
    if (r) {
      assert.ok(active.has(r.successor), `${u.code} → ${r.successor} is active`);
      assert.deepEqual([r.name, r.kind, r.parent], [u.name, u.kind, u.parent], `${u.code} keeps its 2023 name, kind and parent`);
    }
  }
  // The districts go to the city (except Hoàng Sa, now the special zone); the split commune is noted.
  for (const d of ['490', '491', '492', '493', '494', '495', '497']) assert.equal(retired.get(d)?.successor, '48');
  assert.equal(retired.has('498'), false);
  assert.deepEqual(
    [...retired.values()].filter((r) => r.note).map((r) => [r.code, r.successor, r.note]),
    [['20296', '20194', 'split: part also in Phường Liên Chiểu (20197)']],
  );
  // Nothing retired that 2023 did not have.
  const codes2023 = new Set(p2023.units.map((u) => u.code));
  for (const code of retired.keys()) assert.ok(codes2023.has(code), `${code} was a 2023 unit`);
});

test('the 2025 tree finds the old wards under their new ward, and everything under 48', () => {
  const t = tree(p2025);
  const haiChau = t.subtree('20242');
  for (const code of ['20227', '20230', '20233', '20236', '20242']) assert.ok(haiChau.has(code), `${code} is under Phường Hải Châu`);
  assert.equal(haiChau.has('20245'), false, 'Hòa Thuận Tây went to Hòa Cường');
  const all = t.subtree('48');
  for (const u of [...p2025.units, ...(p2025.retired ?? [])]) assert.ok(all.has(u.code), `${u.code} is under 48`);
  assert.equal(all.size, p2025.units.length + p2025.retired!.length);
  // 2023 codes resolve to the 2025 unit that now stands for them.
  assert.equal(t.current('20236'), '20242');
  assert.equal(t.current('20194'), '20194');
  assert.equal(t.current('492'), '48');
  assert.equal(t.current('498'), '498');
});

test('every demo device lies in a 2023 area unit, and in an active unit under 2025', () => {
  const { devices } = readJson('../demo/devices.json') as { devices: { id: string; unitCode: string }[] };
  assert.ok(devices.length > 0);
  const areas2023 = new Set(p2023.units.filter((u) => AREA_KINDS.has(u.kind)).map((u) => u.code));
  const t = tree(p2025);
  for (const d of devices) {
    assert.ok(areas2023.has(d.unitCode), `${d.id}: ${d.unitCode} is a 2023 area unit`);
    const now = t.current(d.unitCode);
    assert.ok(now !== undefined && t.get(now)?.status === 'active', `${d.id}: ${d.unitCode} resolves to an active unit in 2025`);
    assert.notEqual(now, '48', `${d.id} resolves to a ward or commune, not the whole city`);
  }
});
