import { randomBytes } from 'node:crypto';
import {
  type FieldError,
  fieldError,
  foldVietnamese,
  IocError,
  placeOf,
  type Rule,
  type RuleDefinition,
  RULE_ID_PATTERN,
  type Sector,
  scopeConditions,
  validateRule,
} from '@haidang/domain';
import { type AccessPolicy, auditBy } from './access-policy.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { Auditor, Clock, RuleStore, StoredRule } from './ports.ts';
import type { RequestContext } from './request-context.ts';

/** A rule as the API shows it: the definition with its id, version and history fields. */
export interface RuleView extends Omit<Rule, 'sector'> {
  sector: Sector | null;
  activeFrom: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RuleVersionView {
  version: number;
  activeFrom: string;
  createdBy: string | null;
}

export interface RuleListQuery {
  unit?: string;
  sector?: string;
  enabled?: boolean;
  q?: string;
  limit?: number;
  offset?: number;
}

const toView = (s: StoredRule): RuleView => ({
  ...s.rule,
  sector: s.rule.sector ?? null,
  activeFrom: new Date(s.activeFrom).toISOString(),
  createdBy: s.createdBy,
  createdAt: new Date(s.createdAt).toISOString(),
  updatedAt: new Date(s.updatedAt).toISOString(),
});

const notFound = (id: string) => new IocError('IOC_ERR_NOT_FOUND', `no rule ${id}`);

const invalid = (errors: FieldError[]) => new IocError('IOC_ERR_VALIDATION', errors.map((e) => `${e.field || 'body'}: ${e.message}`).join('; '), errors);

/** A readable id from the rule's Vietnamese name: `mua-lon-3-gio-k3f9qz`. */
export function ruleSlug(name: { vi: string; en: string }): string {
  const words = foldVietnamese(name.vi || name.en)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const suffix = BigInt(`0x${randomBytes(5).toString('hex')}`).toString(36).padStart(6, '0').slice(-6);
  return `${words || 'rule'}-${suffix}`;
}

/**
 * Warning rules: versioned JSON definitions, each owned by an org unit (and maybe a sector).
 * Reading needs alert.read over the rule's place, writing rule.manage; a rule outside the
 * caller's scope is not found. Every save is a new version (alerts cite the version that raised
 * them); every change is audited and reported to `onChange` (the engine reloads that rule).
 */
export class RuleService {
  constructor(
    private readonly store: RuleStore,
    private readonly units: OrgUnitService,
    private readonly access: AccessPolicy,
    private readonly audit: Auditor,
    private readonly clock: Clock,
    /** Called after every committed change with the rule's id (the rule engine reloads it). */
    private readonly onChange: (ruleId: string) => void | Promise<void> = () => undefined,
  ) {}

  async list(ctx: RequestContext, q: RuleListQuery): Promise<{ items: RuleView[]; total: number; limit: number; offset: number }> {
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const scope = await this.access.filter(ctx, 'alert.read');
    if (scope.kind === 'none') throw new IocError('IOC_ERR_FORBIDDEN', 'listing rules needs the permission alert.read');
    const res = await this.store.list({
      ...(q.unit ? { unitCodes: await this.units.subtree(q.unit) } : {}),
      ...(scope.kind === 'some' ? { scopes: scopeConditions(scope.scopes, await this.units.codes()) } : {}),
      ...(q.sector ? { sector: q.sector } : {}),
      ...(q.enabled !== undefined ? { enabled: q.enabled } : {}),
      ...(q.q?.trim() ? { search: foldVietnamese(q.q.trim()) } : {}),
      limit,
      offset,
    });
    return { items: res.items.map(toView), total: res.total, limit, offset };
  }

  async get(ctx: RequestContext, id: string): Promise<RuleView> {
    return toView(await this.visible(ctx, id));
  }

  async create(ctx: RequestContext, input: unknown): Promise<RuleView> {
    const def = await this.check(input);
    const grant = await this.access.grantOrThrow(ctx, 'rule.manage', placeOf(def), new IocError('IOC_ERR_FORBIDDEN', `creating a rule for unit ${def.unitCode}${def.sector ? ` (${def.sector})` : ' (every sector)'} needs the permission rule.manage there`));
    const now = this.clock();
    let id = def.id;
    if (id !== undefined) {
      const taken = await this.store.get(id);
      if (taken) {
        // An id held outside the caller's scope (or by a deleted rule there): unusable, without saying whose.
        if (taken.deletedAt === null && (await this.access.grant(ctx, 'alert.read', placeOf(taken.rule)))) {
          throw new IocError('IOC_ERR_CONFLICT', `a rule ${id} exists already`, [fieldError('id', 'exists', `a rule ${id} exists already`)]);
        }
        throw invalid([fieldError('id', 'unavailable', `the id ${id} cannot be used; choose another or leave it out`)]);
      }
    }
    const { id: _given, ...definition } = def;
    for (let attempt = 0; ; attempt++) {
      const rule: Rule = { id: id ?? ruleSlug(def.name), version: 1, ...definition };
      try {
        await this.store.save(rule, { activeFrom: now, by: ctx.actor.username });
        id = rule.id;
        break;
      } catch (e) {
        // A generated id that collided (1 in 2^31): draw another.
        if (def.id === undefined && e instanceof IocError && e.code === 'IOC_ERR_CONFLICT' && attempt < 3) continue;
        throw e;
      }
    }
    await this.audit.record({ ...auditBy(ctx, grant), action: 'rule.create', unitCode: def.unitCode, target: `rule:${id}`, details: { name: def.name, version: 1, sector: def.sector ?? null, enabled: def.enabled, severity: def.severity } });
    await this.onChange(id);
    return this.current(id);
  }

  /**
   * Replaces a rule (PUT) as its next version, active from now. `version` in the body is the
   * version the caller read: if the rule changed since, 409 (nothing is overwritten).
   */
  async replace(ctx: RequestContext, id: string, input: unknown): Promise<RuleView> {
    const body = typeof input === 'object' && input !== null && !Array.isArray(input) ? { ...(input as Record<string, unknown>) } : undefined;
    const errors: FieldError[] = [];
    let expected: number | undefined;
    if (body) {
      const v = body.version;
      delete body.version;
      if (v === undefined) errors.push(fieldError('version', 'required', 'give the version you read (optimistic concurrency: a change made meanwhile is not overwritten)'));
      else if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) errors.push(fieldError('version', 'wrong_type', 'version must be a positive integer'));
      else expected = v;
      if (body.id !== undefined && body.id !== id) errors.push(fieldError('id', 'mismatch', 'id must equal the id in the path'));
      delete body.id;
    }
    const stored = await this.visible(ctx, id);
    const grant = await this.access.grantOrThrow(ctx, 'rule.manage', placeOf(stored.rule), notFound(id), 'alert.read');
    const def = await this.check(body ?? input, errors);
    await this.access.grantOrThrow(ctx, 'rule.manage', placeOf(def), new IocError('IOC_ERR_FORBIDDEN', `moving the rule to unit ${def.unitCode}${def.sector ? ` (${def.sector})` : ' (every sector)'} needs the permission rule.manage there`));
    if (expected !== stored.rule.version) throw staleVersion(id, expected!, stored.rule.version);
    const { id: _ignored, ...definition } = def;
    const rule: Rule = { id, version: stored.rule.version + 1, ...definition };
    await this.store.save(rule, { activeFrom: this.clock(), by: ctx.actor.username, expectedVersion: stored.rule.version });
    const changed = (Object.keys({ ...stored.rule, ...rule }) as (keyof Rule)[]).filter((k) => k !== 'version' && canonical(stored.rule[k]) !== canonical(rule[k]));
    await this.audit.record({ ...auditBy(ctx, grant), action: 'rule.update', unitCode: rule.unitCode, target: `rule:${id}`, details: { version: { before: stored.rule.version, after: rule.version }, changed, ...(stored.rule.unitCode !== rule.unitCode ? { unitCode: { before: stored.rule.unitCode, after: rule.unitCode } } : {}) } });
    await this.onChange(id);
    return this.current(id);
  }

  /** Turns a rule on or off, as a new version. With `version`, 409 if the rule changed since. */
  async setEnabled(ctx: RequestContext, id: string, enabled: boolean, version?: number): Promise<RuleView> {
    const stored = await this.visible(ctx, id);
    const grant = await this.access.grantOrThrow(ctx, 'rule.manage', placeOf(stored.rule), notFound(id), 'alert.read');
    if (version !== undefined && version !== stored.rule.version) throw staleVersion(id, version, stored.rule.version);
    if (stored.rule.enabled === enabled) return toView(stored);
    const rule: Rule = { ...stored.rule, enabled, version: stored.rule.version + 1 };
    await this.store.save(rule, { activeFrom: this.clock(), by: ctx.actor.username, expectedVersion: stored.rule.version });
    await this.audit.record({ ...auditBy(ctx, grant), action: enabled ? 'rule.enable' : 'rule.disable', unitCode: rule.unitCode, target: `rule:${id}`, details: { version: { before: stored.rule.version, after: rule.version } } });
    await this.onChange(id);
    return this.current(id);
  }

  /** Deletes a rule softly: it stops at once; its versions and alerts stay. */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    const stored = await this.visible(ctx, id);
    const grant = await this.access.grantOrThrow(ctx, 'rule.manage', placeOf(stored.rule), notFound(id), 'alert.read');
    if (!(await this.store.delete(id, this.clock()))) throw notFound(id);
    await this.audit.record({ ...auditBy(ctx, grant), action: 'rule.delete', unitCode: stored.rule.unitCode, target: `rule:${id}`, details: { name: stored.rule.name, version: stored.rule.version } });
    await this.onChange(id);
  }

  /** Every saved version, newest first. Deleted rules keep theirs (their alerts cite them). */
  async versions(ctx: RequestContext, id: string): Promise<{ id: string; items: RuleVersionView[] }> {
    await this.visible(ctx, id, true);
    const items = (await this.store.versions(id)).map((v) => ({ version: v.version, activeFrom: new Date(v.activeFrom).toISOString(), createdBy: v.createdBy }));
    return { id, items };
  }

  /** One saved version, as it was. */
  async version(ctx: RequestContext, id: string, version: number): Promise<Omit<RuleView, 'createdAt' | 'updatedAt'>> {
    await this.visible(ctx, id, true);
    const v = await this.store.version(id, version);
    if (!v) throw new IocError('IOC_ERR_NOT_FOUND', `rule ${id} has no version ${version}`);
    return { ...v.rule, sector: v.rule.sector ?? null, activeFrom: new Date(v.activeFrom).toISOString(), createdBy: v.createdBy };
  }

  /** A saved rule the caller may manage (backtests); not found when out of scope, 403 when only readable. */
  async manageable(ctx: RequestContext, id: string): Promise<Rule> {
    const stored = await this.visible(ctx, id);
    await this.access.grantOrThrow(ctx, 'rule.manage', placeOf(stored.rule), notFound(id), 'alert.read');
    return stored.rule;
  }

  /** A definition checked (domain rules, org tree) that the caller may manage (backtests of an unsaved rule). */
  async checkManageable(ctx: RequestContext, input: unknown): Promise<RuleDefinition & { id?: string }> {
    this.access.require(ctx, 'rule.manage');
    const def = await this.check(input);
    await this.access.grantOrThrow(ctx, 'rule.manage', placeOf(def), new IocError('IOC_ERR_FORBIDDEN', `a rule for unit ${def.unitCode}${def.sector ? ` (${def.sector})` : ' (every sector)'} needs the permission rule.manage there`));
    return def;
  }

  /** The stored rule if the caller may see it; not found otherwise (deleted rules too, unless asked for). */
  private async visible(ctx: RequestContext, id: string, deletedToo = false): Promise<StoredRule> {
    const s = RULE_ID_PATTERN.test(id) ? await this.store.get(id) : undefined;
    if (!s || (s.deletedAt !== null && !deletedToo) || !(await this.access.grant(ctx, 'alert.read', placeOf(s.rule)))) throw notFound(id);
    return s;
  }

  private async current(id: string): Promise<RuleView> {
    const s = await this.store.get(id);
    if (!s) throw notFound(id);
    return toView(s);
  }

  /** Domain validation, then the org tree: the unit must exist and be active. */
  private async check(input: unknown, errors: FieldError[] = []): Promise<RuleDefinition & { id?: string }> {
    const v = validateRule(input);
    const all = [...errors, ...(v.ok ? [] : v.errors)];
    if (v.ok) {
      const unit = (await this.units.tree()).get(v.value.unitCode);
      if (!unit) all.push(fieldError('unitCode', 'unknown_unit', `no org unit has code ${v.value.unitCode}`));
      else if (unit.status === 'retired') all.push(fieldError('unitCode', 'retired_unit', `unit ${v.value.unitCode} is retired; use ${(await this.units.tree()).current(v.value.unitCode) ?? 'an active unit'}`));
    }
    if (all.length || !v.ok) throw invalid(all);
    return v.value;
  }
}

/** JSON with sorted keys: jsonb does not keep the order keys were written in. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

const staleVersion = (id: string, sent: number, current: number) =>
  new IocError('IOC_ERR_CONFLICT', `rule ${id} is at version ${current}, not ${sent}: it changed since you read it; read it again`, [fieldError('version', 'stale', `the rule is at version ${current}`)]);
