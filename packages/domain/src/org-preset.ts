import type { Sector } from './device-types.ts';
import { SECTORS } from './device-types.ts';
import { checkBilingual, checkKnownKeys, checkText, fieldPath, isFiniteNumber, isObject } from './check.ts';
import type { FieldError } from './errors.ts';
import { ORG_UNIT_KINDS, UNIT_CODE_PATTERN, type OrgUnitKind } from './org.ts';
import { type Checked, fail, fieldError, ok } from './result.ts';

/**
 * An org-tree preset: the units an installation starts with (chosen at set-up), as data. A preset
 * may also carry the units it retires against an earlier layout, each with the unit its records
 * now belong to, so that history stored under old codes is found under the new units.
 */
export interface PresetUnit {
  code: string;
  name: { vi: string; en: string };
  kind: OrgUnitKind;
  parent: string | null;
  /** Required for, and only for, a `sector_oc`. */
  sector?: Sector;
  /** GeoJSON geometry (WGS84 lon/lat), for display only. */
  geometry?: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
}

/** A unit of an earlier layout that no longer exists: its records belong to `successor`. */
export interface RetiredUnit extends PresetUnit {
  /** An active unit of the preset. */
  successor: string;
  /** E.g. `split: part also in Phường Liên Chiểu (20197)`. */
  note?: string;
}

export interface OrgPreset {
  /** Preset id, e.g. `danang-2025`. */
  preset: string;
  name: { vi: string; en: string };
  /** Where the data comes from (and the attribution its licence asks for). */
  source: string;
  /** The active units: exactly one root (parent null), every parent an active unit. */
  units: PresetUnit[];
  retired?: RetiredUnit[];
}

export const PRESET_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const MAX_NAME = 200;
const MAX_TEXT = 2000;
const UNIT_KEYS = new Set(['code', 'name', 'kind', 'parent', 'sector', 'geometry']);
const RETIRED_KEYS = new Set([...UNIT_KEYS, 'successor', 'note']);
const PRESET_KEYS = new Set(['preset', 'name', 'source', 'units', 'retired']);
const GEOMETRY_KEYS = new Set(['type', 'coordinates']);

const isPosition = (v: unknown): boolean =>
  Array.isArray(v) &&
  (v.length === 2 || v.length === 3) &&
  v.every(isFiniteNumber) &&
  Math.abs(v[0] as number) <= 180 &&
  Math.abs(v[1] as number) <= 90;
/** A closed linear ring (RFC 7946 §3.1.6): four positions or more, the last equal to the first. */
const isRing = (v: unknown): boolean =>
  Array.isArray(v) &&
  v.length >= 4 &&
  v.every(isPosition) &&
  (v[0] as number[]).every((c, i) => c === (v[v.length - 1] as number[])[i]);
const isPolygon = (v: unknown): boolean => Array.isArray(v) && v.length >= 1 && v.every(isRing);
const isMultiPolygon = (v: unknown): boolean => Array.isArray(v) && v.length >= 1 && v.every(isPolygon);

function checkGeometry(errors: FieldError[], v: unknown, field: string): PresetUnit['geometry'] {
  if (!isObject(v)) {
    errors.push(fieldError(field, 'wrong_type', `${field} must be a GeoJSON geometry object`));
    return undefined;
  }
  const before = errors.length;
  const type = v.type;
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    errors.push(fieldError(fieldPath(field, 'type'), 'bad_value', `${field}/type must be Polygon or MultiPolygon`));
  } else if (!(type === 'Polygon' ? isPolygon : isMultiPolygon)(v.coordinates)) {
    errors.push(
      fieldError(fieldPath(field, 'coordinates'), 'bad_format', `${field}/coordinates must be the coordinates of a ${type} (closed rings of [lon, lat])`),
    );
  }
  checkKnownKeys(errors, v, field, GEOMETRY_KEYS);
  return errors.length === before ? { type: type as 'Polygon' | 'MultiPolygon', coordinates: v.coordinates } : undefined;
}

/** What the cross-checks need of one entry of `units` or `retired`, as far as it could be read. */
interface Entry {
  at: string;
  retired: boolean;
  code?: string;
  /** undefined: missing or unreadable. */
  parent?: string | null;
  successor?: string;
  /** The entry, when it has no error of its own. */
  unit?: PresetUnit | RetiredUnit;
}

function checkUnit(errors: FieldError[], raw: unknown, at: string, retired: boolean): Entry {
  const entry: Entry = { at, retired };
  if (!isObject(raw)) {
    errors.push(fieldError(at, 'wrong_type', `${at} must be an object`));
    return entry;
  }
  const before = errors.length;
  entry.code = checkText(errors, raw, at, 'code', { max: 32, pattern: UNIT_CODE_PATTERN });
  const name = checkBilingual(errors, raw, at, 'name', MAX_NAME);

  let kind: OrgUnitKind | undefined;
  if (raw.kind === undefined || raw.kind === null || raw.kind === '') {
    errors.push(fieldError(fieldPath(at, 'kind'), 'required', `${fieldPath(at, 'kind')} is required`));
  } else if (typeof raw.kind !== 'string' || !(ORG_UNIT_KINDS as readonly string[]).includes(raw.kind)) {
    errors.push(fieldError(fieldPath(at, 'kind'), 'unknown_kind', `kind must be one of ${ORG_UNIT_KINDS.join(', ')}`));
  } else kind = raw.kind as OrgUnitKind;

  if (!('parent' in raw) || raw.parent === undefined) {
    errors.push(fieldError(fieldPath(at, 'parent'), 'required', `${fieldPath(at, 'parent')} is required (null for the root)`));
  } else if (raw.parent === null) entry.parent = null;
  else entry.parent = checkText(errors, raw, at, 'parent', { max: 32, pattern: UNIT_CODE_PATTERN });

  let sector: Sector | undefined;
  const sf = fieldPath(at, 'sector');
  if (raw.sector !== undefined && raw.sector !== null) {
    if (kind !== undefined && kind !== 'sector_oc') {
      errors.push(fieldError(sf, 'not_allowed', 'only a sector_oc has a sector'));
    } else if (typeof raw.sector !== 'string' || !(SECTORS as readonly string[]).includes(raw.sector)) {
      errors.push(fieldError(sf, 'bad_value', `sector must be one of ${SECTORS.join(', ')}`));
    } else sector = raw.sector as Sector;
  } else if (kind === 'sector_oc') {
    errors.push(fieldError(sf, 'required', 'a sector_oc needs its sector'));
  }

  let geometry: PresetUnit['geometry'];
  if (raw.geometry !== undefined && raw.geometry !== null) geometry = checkGeometry(errors, raw.geometry, fieldPath(at, 'geometry'));

  let note: string | undefined;
  if (retired) {
    entry.successor = checkText(errors, raw, at, 'successor', { max: 32, pattern: UNIT_CODE_PATTERN });
    note = checkText(errors, raw, at, 'note', { max: MAX_TEXT, optional: true });
  }

  checkKnownKeys(errors, raw, at, retired ? RETIRED_KEYS : UNIT_KEYS);

  if (errors.length === before) {
    const unit: PresetUnit = { code: entry.code!, name: name!, kind: kind!, parent: entry.parent! };
    if (sector) unit.sector = sector;
    if (geometry) unit.geometry = geometry;
    if (retired) {
      const r: RetiredUnit = { ...unit, successor: entry.successor! };
      if (note !== undefined) r.note = note;
      entry.unit = r;
    } else entry.unit = unit;
  }
  return entry;
}

/** Reads `units` or `retired`: an array of entries. */
function checkList(errors: FieldError[], input: Record<string, unknown>, key: 'units' | 'retired'): Entry[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) {
    if (key === 'units') errors.push(fieldError(key, 'required', 'units is required'));
    return key === 'units' ? undefined : [];
  }
  if (!Array.isArray(v)) {
    errors.push(fieldError(key, 'wrong_type', `${key} must be an array`));
    return undefined;
  }
  if (key === 'units' && v.length === 0) {
    errors.push(fieldError(key, 'empty', 'units must hold at least the root'));
    return undefined;
  }
  return v.map((raw, i) => checkUnit(errors, raw, `${key}/${i}`, key === 'retired'));
}

/** Codes on parent cycles, each reported once at the entry that carries it. */
function checkCycles(errors: FieldError[], byCode: Map<string, Entry>): void {
  const done = new Set<string>();
  for (const start of byCode.keys()) {
    const pathCodes: string[] = [];
    const onPath = new Set<string>();
    let c: string | null | undefined = start;
    while (c !== null && c !== undefined && byCode.has(c) && !done.has(c) && !onPath.has(c)) {
      pathCodes.push(c);
      onPath.add(c);
      c = byCode.get(c)!.parent;
    }
    if (c !== null && c !== undefined && onPath.has(c)) {
      const cycle = pathCodes.slice(pathCodes.indexOf(c));
      for (const code of cycle) {
        const e = byCode.get(code)!;
        errors.push(fieldError(fieldPath(e.at, 'parent'), 'cycle', `parent cycle: ${[...cycle, c].join(' → ')}`));
      }
    }
    for (const p of pathCodes) done.add(p);
  }
}

/**
 * Validates an org-tree preset (the JSON of `packages/server/presets/*.json`). Pure. Every problem
 * is reported as a field error, not just the first: the shape of each unit, codes unique across
 * `units` and `retired`, exactly one root, parents known (an active unit's parent active too), no
 * parent cycles, a sector for and only for sector OCs, and each retired unit's successor an active
 * unit.
 */
export function validateOrgPreset(input: unknown): Checked<OrgPreset> {
  if (!isObject(input)) return fail([fieldError('', 'wrong_type', 'preset must be a JSON object')]);
  const errors: FieldError[] = [];
  const preset = checkText(errors, input, '', 'preset', { max: 64, pattern: PRESET_ID_PATTERN });
  const name = checkBilingual(errors, input, '', 'name', MAX_NAME);
  const source = checkText(errors, input, '', 'source', { max: MAX_TEXT });
  const units = checkList(errors, input, 'units');
  const retired = checkList(errors, input, 'retired');
  checkKnownKeys(errors, input, '', PRESET_KEYS);

  // Cross-checks, on whatever could be read (so one bad field does not hide the others).
  const all = [...(units ?? []), ...(retired ?? [])];
  const byCode = new Map<string, Entry>();
  for (const e of all) {
    if (e.code === undefined) continue;
    const first = byCode.get(e.code);
    if (first) errors.push(fieldError(fieldPath(e.at, 'code'), 'duplicate', `code ${e.code} is also ${first.at}`));
    else byCode.set(e.code, e);
  }

  if (units) {
    const roots = units.filter((e) => e.parent === null);
    if (roots.length === 0 && units.every((e) => e.parent !== undefined)) {
      errors.push(fieldError('units', 'no_root', 'exactly one unit must have parent null (the root)'));
    }
    for (const e of roots.slice(1)) {
      errors.push(fieldError(fieldPath(e.at, 'parent'), 'multiple_roots', `only one unit may have parent null; ${roots[0]!.at} is the root`));
    }
  }

  // References are only checked against a readable list of units (else every one would fail).
  for (const e of units ? all : []) {
    if (typeof e.parent === 'string') {
      const p = byCode.get(e.parent);
      if (!p) errors.push(fieldError(fieldPath(e.at, 'parent'), 'unknown_unit', `no unit has code ${e.parent}`));
      else if (!e.retired && p.retired) {
        errors.push(fieldError(fieldPath(e.at, 'parent'), 'retired_parent', `parent ${e.parent} is retired; an active unit needs an active parent`));
      }
    }
    if (e.successor !== undefined) {
      const s = byCode.get(e.successor);
      if (!s) errors.push(fieldError(fieldPath(e.at, 'successor'), 'unknown_unit', `no unit has code ${e.successor}`));
      else if (s.retired) errors.push(fieldError(fieldPath(e.at, 'successor'), 'retired_successor', `successor ${e.successor} is itself retired`));
    }
  }
  if (units) checkCycles(errors, byCode);

  if (errors.length > 0) return fail(errors);
  const out: OrgPreset = { preset: preset!, name: name!, source: source!, units: units!.map((e) => e.unit!) };
  if (input.retired !== undefined && input.retired !== null) out.retired = retired!.map((e) => e.unit as RetiredUnit);
  return ok(out);
}
