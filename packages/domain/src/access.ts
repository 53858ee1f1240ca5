import type { Sector } from './device-types.ts';
import type { FieldError } from './errors.ts';
import { fieldError } from './result.ts';
import type { OrgTree } from './org.ts';

/**
 * Who may do what, where. A permission is a role over a scope: an org subtree and, optionally, one
 * sector. Users hold role assignments; delegations lend part of one's own for a time. Pure: the
 * services resolve the actor and the org tree, then ask these functions.
 */

export const ROLES = ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, { vi: string; en: string }> = {
  city_leader: { vi: 'Lãnh đạo', en: 'City leader' },
  ioc_operator: { vi: 'Điều hành viên IOC', en: 'IOC operator' },
  oc_operator: { vi: 'Điều hành viên trung tâm điều hành', en: 'OC operator' },
  analyst: { vi: 'Chuyên viên phân tích', en: 'Analyst' },
  data_provider: { vi: 'Đơn vị cung cấp dữ liệu', en: 'Data provider' },
  system_admin: { vi: 'Quản trị hệ thống', en: 'System admin' },
};

export const PERMISSIONS = [
  'unit.read', // the org tree (names and codes are not confidential inside the platform)
  'unit.manage', // edit the tree, retire units
  'device.read', // registry, latest values
  'device.manage', // create, replace, delete, import devices; rotate their access tokens
  'series.read', // time series
  'data.export', // CSV exports
  'ingest.write', // push readings over HTTP with one's own credentials
  'user.manage', // users, their roles and API keys, inside one's scope
  'audit.read', // the audit log, inside one's scope
  'delegation.grant', // lend part of one's own role and scope
  'alert.read', // alerts, their timelines and the alert stream, inside one's scope
  'alert.handle', // acknowledge, assign, comment, close alerts; maintenance windows
  'rule.manage', // create, change, delete and backtest warning rules over one's scope
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ: Permission[] = ['unit.read', 'device.read', 'series.read', 'alert.read'];

/** The one table of what each role may do. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  city_leader: [...READ, 'data.export', 'audit.read', 'delegation.grant', 'alert.handle'],
  ioc_operator: [...READ, 'device.manage', 'data.export', 'delegation.grant', 'alert.handle', 'rule.manage'],
  oc_operator: [...READ, 'device.manage', 'delegation.grant', 'alert.handle', 'rule.manage'],
  analyst: [...READ, 'data.export'],
  // A data provider reads and writes only inside its scope: the devices it brings.
  data_provider: [...READ, 'device.manage', 'ingest.write'],
  system_admin: [...READ, 'unit.manage', 'device.manage', 'data.export', 'ingest.write', 'user.manage', 'audit.read', 'delegation.grant', 'alert.handle', 'rule.manage'],
};

export const roleAllows = (role: Role, p: Permission): boolean => ROLE_PERMISSIONS[role].includes(p);

/** A role over a scope. */
export interface Scope {
  unitCode: string;
  /** null: every sector. */
  sector: Sector | null;
}

export interface Assignment extends Scope {
  role: Role;
}

/** Where a grant comes from: the user's own assignment, or a delegation from someone. */
export interface Grant extends Assignment {
  delegation?: { id: string; grantorId: string; grantorName: string };
}

export interface Actor {
  userId: string;
  username: string;
  kind: 'person' | 'service';
  unitCode: string;
  grants: Grant[];
}

/** What a record needs to be placed: where it is and what sector it belongs to. */
export interface Placed {
  unitCode: string;
  sector: string;
}

/**
 * The place of a record whose sector may be unset (a rule or an alert of every sector): without a
 * sector it is held only by grants without a sector limit.
 */
export const placeOf = (r: { unitCode: string; sector?: Sector | null }): Placed => ({ unitCode: r.unitCode, sector: r.sector ?? '' });

export const scopeCovers = (tree: OrgTree, scope: Scope, rec: Placed): boolean =>
  tree.covers(scope.unitCode, rec.unitCode) && (scope.sector === null || scope.sector === rec.sector);

/** scope `inner` lies within `outer`: the same subtree or below it, and no wider in sector. */
export const scopeWithin = (tree: OrgTree, inner: Scope, outer: Scope): boolean =>
  tree.covers(outer.unitCode, inner.unitCode) && (outer.sector === null || outer.sector === inner.sector);

/** The actor's grants that carry a permission. Own grants come first. */
export const grantsFor = (actor: Actor, p: Permission): Grant[] =>
  actor.grants.filter((g) => roleAllows(g.role, p)).sort((a, b) => Number(!!a.delegation) - Number(!!b.delegation));

/**
 * The grant under which the actor may act on a record, preferring their own over a delegated one
 * (an action is recorded "on behalf of" only when it needed the delegation). undefined: not allowed.
 */
export const grantFor = (tree: OrgTree, actor: Actor, p: Permission, rec: Placed): Grant | undefined =>
  grantsFor(actor, p).find((g) => scopeCovers(tree, g, rec));

/**
 * The grant to act on a unit itself (its users, its place in the tree): the permission over the
 * unit's subtree with no sector limit — a sector-limited grant covers records, not the unit.
 */
export const unitGrantFor = (tree: OrgTree, actor: Actor, p: Permission, unitCode: string): Grant | undefined =>
  grantsFor(actor, p).find((g) => g.sector === null && tree.covers(g.unitCode, unitCode));

/**
 * The units whose own records (users, audit entries) a filter covers — those of its scopes without
 * a sector limit — narrowed to `within` when given; undefined: every unit.
 */
export function unitCodesOf(f: ScopeFilter, within?: ReadonlySet<string>): string[] | undefined {
  if (f.kind === 'none') return [];
  const all = f.kind === 'all' ? undefined : new Set(f.scopes.filter((s) => s.sector === null).flatMap((s) => [...s.unitCodes]));
  if (!within) return all && [...all];
  return all ? [...all].filter((c) => within.has(c)) : [...within];
}

/**
 * The record filter of a permission, for queries: records in any of these scopes. `all` when one
 * scope covers every unit and sector (no filter needed); `none` when the actor has no such grant.
 */
export type ScopeFilter = { kind: 'all' } | { kind: 'none' } | { kind: 'some'; scopes: { unitCodes: ReadonlySet<string>; sector: Sector | null }[] };

export function scopeFilter(tree: OrgTree, actor: Actor, p: Permission): ScopeFilter {
  const grants = grantsFor(actor, p);
  if (grants.length === 0) return { kind: 'none' };
  const roots = new Set(tree.roots());
  if (grants.some((g) => g.sector === null && roots.has(g.unitCode))) return { kind: 'all' };
  return { kind: 'some', scopes: grants.map((g) => ({ unitCodes: tree.subtree(g.unitCode), sector: g.sector })) };
}

export const filterAllows = (f: ScopeFilter, rec: Placed): boolean =>
  f.kind === 'all' || (f.kind === 'some' && f.scopes.some((s) => s.unitCodes.has(rec.unitCode) && (s.sector === null || s.sector === rec.sector)));

/** A scope as a query condition: unit codes in a list, out of a list, or any; and maybe one sector. */
export interface UnitCondition {
  units: { in: string[] } | { notIn: string[] } | 'any';
  sector: Sector | null;
}

/**
 * The smallest query conditions for a `some` scope filter over a tree of `allCodes`: scopes of the
 * same sector merged, sector scopes already covered by an all-sector scope dropped, and a unit set
 * larger than half the tree written as the (short) list of units outside it — a database then
 * checks a few codes per row instead of thousands (see docs/benchmarks.md, "Scope filtering").
 */
export function scopeConditions(scopes: { unitCodes: ReadonlySet<string>; sector: Sector | null }[], allCodes: readonly string[]): UnitCondition[] {
  const bySector = new Map<Sector | null, Set<string>>();
  for (const s of scopes) {
    const set = bySector.get(s.sector) ?? new Set<string>();
    for (const c of s.unitCodes) set.add(c);
    bySector.set(s.sector, set);
  }
  const everySector = bySector.get(null);
  const out: UnitCondition[] = [];
  for (const [sector, set] of bySector) {
    const units = sector !== null && everySector ? [...set].filter((c) => !everySector.has(c)) : [...set];
    if (units.length === 0) continue;
    const outside = allCodes.filter((c) => !set.has(c));
    out.push({ units: outside.length === 0 ? 'any' : units.length > allCodes.length / 2 ? { notIn: outside } : { in: units }, sector });
  }
  return out;
}

// ── Delegation (ủy quyền) ───────────────────────────────────────────────────────────────────

export const MAX_DELEGATION_DAYS = 90;
const DAY = 86_400_000;

export interface DelegationRequest extends Assignment {
  granteeId: string;
  validFrom: number;
  validUntil: number;
  reason: string;
}

/**
 * Checks a delegation against the grantor's own assignments (never delegated ones: authority is
 * lent once, not passed on) at `now`. Returns every problem, each naming its field.
 */
export function checkDelegation(tree: OrgTree, grantor: { userId: string; kind: 'person' | 'service'; assignments: Assignment[] }, grantee: { userId: string; kind: 'person' | 'service' } | undefined, d: DelegationRequest, now: number): FieldError[] {
  const errs: FieldError[] = [];
  if (grantor.kind !== 'person') errs.push(fieldError('granteeId', 'not_allowed', 'service accounts cannot delegate'));
  if (!grantee) errs.push(fieldError('granteeId', 'unknown_user', 'no such user'));
  else if (grantee.userId === grantor.userId) errs.push(fieldError('granteeId', 'self', 'a user cannot delegate to themselves'));
  else if (grantee.kind !== 'person') errs.push(fieldError('granteeId', 'not_allowed', 'authority can be delegated to people only, not to service accounts'));
  if (!(ROLES as readonly string[]).includes(d.role)) errs.push(fieldError('role', 'unknown_role', `role must be one of ${ROLES.join(', ')}`));
  else if (!roleAllows(d.role, 'delegation.grant')) errs.push(fieldError('role', 'not_delegable', `the role ${d.role} cannot be delegated`));
  if (!tree.has(d.unitCode)) errs.push(fieldError('unitCode', 'unknown_unit', `no org unit has code ${d.unitCode}`));
  const own = grantor.assignments.filter((a) => a.role === d.role);
  if (tree.has(d.unitCode) && !own.some((a) => scopeWithin(tree, d, a))) {
    errs.push(fieldError(own.length ? 'unitCode' : 'role', 'exceeds_own', 'a delegation cannot give more than the grantor holds: the same role, over the grantor’s scope or part of it'));
  }
  if (!Number.isFinite(d.validFrom) || !Number.isFinite(d.validUntil)) errs.push(fieldError('validUntil', 'bad_timestamp', 'validFrom and validUntil must be instants'));
  else {
    if (d.validUntil <= d.validFrom) errs.push(fieldError('validUntil', 'out_of_range', 'validUntil must be after validFrom'));
    if (d.validUntil <= now) errs.push(fieldError('validUntil', 'out_of_range', 'validUntil must be in the future'));
    if (d.validUntil - d.validFrom > MAX_DELEGATION_DAYS * DAY) errs.push(fieldError('validUntil', 'out_of_range', `a delegation lasts at most ${MAX_DELEGATION_DAYS} days`));
  }
  const reason = d.reason.trim();
  if (reason.length < 3 || reason.length > 500) errs.push(fieldError('reason', 'invalid', 'give a reason of 3–500 characters'));
  return errs;
}

export interface StoredDelegation extends Assignment {
  id: string;
  grantorId: string;
  grantorName: string;
  validFrom: number;
  validUntil: number;
  revokedAt: number | null;
}

/**
 * The grants a user holds at `now`: their own assignments, and each delegation received that is in
 * its window, not revoked, and still backed by an assignment its grantor holds now.
 */
export function effectiveGrants(tree: OrgTree, own: Assignment[], received: StoredDelegation[], grantorAssignments: Map<string, Assignment[]>, now: number): Grant[] {
  const grants: Grant[] = own.map((a) => ({ role: a.role, unitCode: a.unitCode, sector: a.sector }));
  for (const d of received) {
    if (d.revokedAt !== null || now < d.validFrom || now >= d.validUntil) continue;
    const backing = grantorAssignments.get(d.grantorId) ?? [];
    if (!backing.some((a) => a.role === d.role && scopeWithin(tree, d, a))) continue;
    grants.push({ role: d.role, unitCode: d.unitCode, sector: d.sector, delegation: { id: d.id, grantorId: d.grantorId, grantorName: d.grantorName } });
  }
  return grants;
}

export type DelegationStatus = 'scheduled' | 'active' | 'expired' | 'revoked';

export const delegationStatus = (d: { validFrom: number; validUntil: number; revokedAt: number | null }, now: number): DelegationStatus =>
  d.revokedAt !== null ? 'revoked' : now < d.validFrom ? 'scheduled' : now >= d.validUntil ? 'expired' : 'active';
