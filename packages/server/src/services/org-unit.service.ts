import { type FieldError, IocError, type Sector, unitGrantFor, ORG_UNIT_KINDS, OrgTree, SECTORS, UNIT_CODE_PATTERN, fieldError } from '@haidang/domain';
import { auditBy } from './access-policy.ts';
import type { Auditor, OrgUnit, OrgUnitStore } from './ports.ts';
import type { RequestContext } from './request-context.ts';

/** A preset: the units of a layout, and the units it retires with their successors. */
export interface OrgPresetData {
  preset: string;
  units: OrgUnit[];
  retired?: (OrgUnit & { successor: string })[];
}

export interface UnitInput {
  code: string;
  name: { vi: string; en: string };
  kind: string;
  parent: string;
  sector?: string | null;
  geometry?: { type: string; coordinates: unknown } | null;
}

const PRESET_KEY = 'org.preset';

/**
 * The org tree: read on every scope check and filter, so it is held in memory (as units and as an
 * indexed OrgTree) and rebuilt when this node changes it. Admins edit it; units with data or users
 * are retired, never deleted.
 */
interface Loaded {
  units: OrgUnit[];
  tree: OrgTree;
  codes: string[];
  sectorOcs: ReadonlyMap<Sector, string>;
}

export class OrgUnitService {
  private cache: Loaded | undefined;
  /** Bumped by every change: a load that started before a change must not fill the cache. */
  private version = 0;

  constructor(
    private readonly store: OrgUnitStore,
    private readonly audit: Auditor,
  ) {}

  private async load(): Promise<Loaded> {
    for (;;) {
      if (this.cache) return this.cache;
      const version = this.version;
      const units = await this.store.list();
      if (version !== this.version) continue; // changed meanwhile: read again
      const tree = new OrgTree(units.map((u) => ({ code: u.code, parent: u.parent, status: u.status ?? 'active', successor: u.successor ?? null, sector: u.sector ?? null })));
      const sectorOcs = new Map<Sector, string>();
      for (const u of units) if (u.kind === 'sector_oc' && u.sector && (u.status ?? 'active') === 'active') sectorOcs.set(u.sector, u.code);
      this.cache = { units, tree, codes: units.map((u) => u.code), sectorOcs };
    }
  }

  /** Forgets the cached tree after a change. */
  private changed(): void {
    this.version++;
    this.cache = undefined;
  }

  async list(opts: { status?: 'active' | 'retired' | 'all' } = {}): Promise<OrgUnit[]> {
    const status = opts.status ?? 'all';
    const { units } = await this.load();
    return status === 'all' ? units : units.filter((u) => (u.status ?? 'active') === status);
  }

  /** An installation setting (which presets were applied), from the settings table. */
  getSetting(key: string): Promise<unknown> {
    return this.store.getSetting(key);
  }

  setSetting(key: string, value: unknown): Promise<void> {
    return this.store.setSetting(key, value);
  }

  async tree(): Promise<OrgTree> {
    return (await this.load()).tree;
  }

  /** The active operation center of each sector (alerts routed by sector go there). */
  async sectorOcs(): Promise<ReadonlyMap<Sector, string>> {
    return (await this.load()).sectorOcs;
  }

  /** Every unit code, retired ones included. */
  async codes(): Promise<string[]> {
    return (await this.load()).codes;
  }

  async get(code: string): Promise<OrgUnit | undefined> {
    return (await this.load()).units.find((u) => u.code === code);
  }

  async exists(code: string): Promise<boolean> {
    return (await this.tree()).has(code);
  }

  /** The root of the tree (the city). */
  async root(): Promise<string> {
    const roots = (await this.tree()).roots();
    if (roots.length !== 1) throw new Error(`the org tree has ${roots.length} roots; expected one`);
    return roots[0]!;
  }

  /** The unit, every unit below it and the retired units mapped into them. Throws naming `field` if unknown. */
  async subtree(code: string, field = 'unit'): Promise<string[]> {
    const tree = await this.tree();
    if (!tree.has(code)) throw new IocError('IOC_ERR_VALIDATION', `unknown org unit ${code}`, [fieldError(field, 'unknown_unit', `no org unit has code ${code}`)]);
    return [...tree.subtree(code)];
  }

  /**
   * Applies a preset. The first time (or when the configured preset changes, e.g. 2023 → 2025)
   * its units are written as the preset says and its retired units are retired with their
   * successors; later starts with the same preset only add units that are missing, so that
   * admins' edits stay.
   */
  async applyPreset(p: OrgPresetData): Promise<{ preset: string; changed: boolean; added: number }> {
    const all = [...p.units.map((u) => ({ ...u, status: 'active' as const, successor: null })), ...(p.retired ?? []).map((u) => ({ ...u, status: 'retired' as const }))];
    const current = await this.store.getSetting(PRESET_KEY);
    let added: number;
    let changed = false;
    if (current === p.preset) added = await this.store.insertMissing(all);
    else {
      const before = (await this.store.list()).length;
      await this.store.upsert(all);
      await this.store.setSetting(PRESET_KEY, p.preset);
      added = (await this.store.list()).length - before;
      changed = true;
      await this.audit.record({ actor: { id: null, name: 'system' }, action: 'unit.preset_apply', target: `preset:${p.preset}`, details: { from: current ?? null, to: p.preset, units: p.units.length, retired: p.retired?.length ?? 0 } });
    }
    this.changed();
    return { preset: p.preset, changed, added };
  }

  async create(ctx: RequestContext, input: UnitInput): Promise<OrgUnit> {
    const tree = await this.tree();
    const errs = checkUnit(input);
    if (tree.has(input.code)) throw new IocError('IOC_ERR_CONFLICT', `unit ${input.code} exists already`, [fieldError('code', 'exists', `unit ${input.code} exists already`)]);
    if (!errs.length && tree.get(input.parent)?.status !== 'active') errs.push(fieldError('parent', 'unknown_unit', `no active org unit has code ${input.parent}`));
    if (errs.length) throw new IocError('IOC_ERR_VALIDATION', errs.map((e) => `${e.field}: ${e.message}`).join('; '), errs);
    const grant = await this.manageGrant(ctx, input.parent);
    const unit = toUnit(input);
    await this.store.upsert([unit]);
    this.changed();
    await this.audit.record({ ...auditBy(ctx, grant), action: 'unit.create', unitCode: unit.code, target: `unit:${unit.code}`, details: { name: unit.name, kind: unit.kind, parent: unit.parent } });
    return (await this.get(unit.code))!;
  }

  async update(ctx: RequestContext, code: string, input: UnitInput): Promise<OrgUnit> {
    const tree = await this.tree();
    const existing = await this.get(code);
    if (!existing) throw new IocError('IOC_ERR_NOT_FOUND', `no org unit ${code}`);
    if (input.code !== code) throw new IocError('IOC_ERR_VALIDATION', 'the code in the body differs from the path', [fieldError('code', 'mismatch', `must be ${code}`)]);
    const errs = checkUnit(input);
    if (existing.parent === null) {
      if (input.parent) errs.push(fieldError('parent', 'bad_value', 'the root stays the root'));
    } else if (!errs.length) {
      if (tree.get(input.parent)?.status !== 'active') errs.push(fieldError('parent', 'unknown_unit', `no active org unit has code ${input.parent}`));
      else if (tree.covers(code, input.parent)) errs.push(fieldError('parent', 'cycle', 'a unit cannot move below itself'));
    }
    if (errs.length) throw new IocError('IOC_ERR_VALIDATION', errs.map((e) => `${e.field}: ${e.message}`).join('; '), errs);
    const grant = await this.manageGrant(ctx, code);
    if (existing.parent !== null && input.parent !== existing.parent) await this.manageGrant(ctx, input.parent);
    const unit = { ...toUnit({ ...input, parent: existing.parent === null ? '' : input.parent }), parent: existing.parent === null ? null : input.parent, status: existing.status ?? 'active', successor: existing.successor ?? null };
    await this.store.upsert([unit]);
    this.changed();
    await this.audit.record({ ...auditBy(ctx, grant), action: 'unit.update', unitCode: code, target: `unit:${code}`, details: { before: { name: existing.name, kind: existing.kind, parent: existing.parent }, after: { name: unit.name, kind: unit.kind, parent: unit.parent } } });
    return (await this.get(code))!;
  }

  /** Retires a unit: it stays (with its history) but takes no new devices or users; its records belong to the successor. */
  async retire(ctx: RequestContext, code: string, successor: string): Promise<OrgUnit> {
    const tree = await this.tree();
    const existing = await this.get(code);
    if (!existing) throw new IocError('IOC_ERR_NOT_FOUND', `no org unit ${code}`);
    if (existing.parent === null) throw new IocError('IOC_ERR_VALIDATION', 'the root cannot be retired', [fieldError('code', 'bad_value', 'the root cannot be retired')]);
    if ((existing.status ?? 'active') === 'retired') throw new IocError('IOC_ERR_CONFLICT', `unit ${code} is retired already`);
    if (tree.get(successor)?.status !== 'active') throw new IocError('IOC_ERR_VALIDATION', `no active org unit ${successor}`, [fieldError('successor', 'unknown_unit', `no active org unit has code ${successor}`)]);
    if (tree.covers(code, successor)) throw new IocError('IOC_ERR_VALIDATION', 'the successor cannot lie below the retired unit', [fieldError('successor', 'cycle', 'choose a unit outside the retired one')]);
    const activeChildren = (await this.list({ status: 'active' })).filter((u) => u.parent === code).map((u) => u.code);
    if (activeChildren.length) throw new IocError('IOC_ERR_UNIT_IN_USE', `retire or move its units first: ${activeChildren.join(', ')}`);
    const grant = await this.manageGrant(ctx, code);
    await this.manageGrant(ctx, successor);
    await this.store.upsert([{ ...existing, status: 'retired', successor }]);
    this.changed();
    await this.audit.record({ ...auditBy(ctx, grant), action: 'unit.retire', unitCode: code, target: `unit:${code}`, details: { successor } });
    return (await this.get(code))!;
  }

  /** Deletes a unit that nothing refers to; otherwise 409: retire it. */
  async remove(ctx: RequestContext, code: string): Promise<void> {
    const existing = await this.get(code);
    if (!existing) throw new IocError('IOC_ERR_NOT_FOUND', `no org unit ${code}`);
    const grant = await this.manageGrant(ctx, code);
    const use = await this.store.usage(code);
    const inUse = Object.entries(use).filter(([, n]) => n > 0);
    if (inUse.length || existing.parent === null) {
      throw new IocError('IOC_ERR_UNIT_IN_USE', `unit ${code} has ${inUse.map(([k, n]) => `${n} ${k}`).join(', ') || 'the whole tree below it'}; retire it instead`);
    }
    await this.store.delete(code);
    this.changed();
    await this.audit.record({ ...auditBy(ctx, grant), action: 'unit.delete', unitCode: code, target: `unit:${code}`, details: { name: existing.name } });
  }

  /** unit.manage over `code`, with no sector limit (a sector-limited admin does not shape the tree). */
  private async manageGrant(ctx: RequestContext, code: string) {
    const g = unitGrantFor(await this.tree(), ctx.actor, 'unit.manage', code);
    if (!g) throw new IocError('IOC_ERR_FORBIDDEN', `managing unit ${code} needs the permission unit.manage over it`);
    return g;
  }
}

function checkUnit(u: UnitInput): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof u.code !== 'string' || !UNIT_CODE_PATTERN.test(u.code)) errs.push(fieldError('code', 'bad_value', 'letters, digits, "_", "." or "-", up to 32, starting with a letter or digit'));
  for (const lang of ['vi', 'en'] as const) {
    const n = u.name?.[lang];
    if (typeof n !== 'string' || !n.trim() || n.length > 200) errs.push(fieldError(`name/${lang}`, 'bad_value', 'a name of 1–200 characters'));
  }
  if (!(ORG_UNIT_KINDS as readonly string[]).includes(u.kind)) errs.push(fieldError('kind', 'bad_value', `one of ${ORG_UNIT_KINDS.join(', ')}`));
  if (u.kind === 'sector_oc') {
    if (!u.sector || !(SECTORS as readonly string[]).includes(u.sector)) errs.push(fieldError('sector', 'required', `a sector OC needs a sector: ${SECTORS.join(', ')}`));
  } else if (u.sector) errs.push(fieldError('sector', 'bad_value', 'only sector OCs have a sector'));
  if (u.geometry != null && (!['Polygon', 'MultiPolygon'].includes(u.geometry.type) || !Array.isArray(u.geometry.coordinates))) {
    errs.push(fieldError('geometry', 'bad_value', 'a GeoJSON Polygon or MultiPolygon (RFC 7946)'));
  }
  return errs;
}

const toUnit = (u: UnitInput): OrgUnit => ({
  code: u.code,
  name: { vi: u.name.vi.trim(), en: u.name.en.trim() },
  kind: u.kind as OrgUnit['kind'],
  parent: u.parent,
  sector: (u.sector ?? null) as OrgUnit['sector'],
  geometry: (u.geometry ?? null) as OrgUnit['geometry'],
  status: 'active',
  successor: null,
});
