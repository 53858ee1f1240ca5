import {
  type Assignment,
  checkPassword,
  type FieldError,
  fieldError,
  filterAllows,
  foldVietnamese,
  grantsFor,
  IocError,
  ROLES,
  type Role,
  SECTORS,
  type Sector,
  scopeWithin,
} from '@haidang/domain';
import { randomBytes } from 'node:crypto';
import { type AccessPolicy, auditBy } from './access-policy.ts';
import type { AuthService } from './auth.service.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { ApiKeyRecord, Auditor, Clock, CredentialStore, UserRecord, UserStore } from './ports.ts';
import type { RequestContext } from './request-context.ts';

/** A user as the API shows it: never a password hash. */
export interface UserView {
  id: string;
  username: string;
  displayName: string;
  kind: 'person' | 'service';
  unitCode: string;
  assignments: Assignment[];
  disabled: boolean;
  locked: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface UserInput {
  username: string;
  displayName: string;
  kind?: 'person' | 'service';
  unitCode: string;
  password?: string;
  assignments: { role: string; unitCode: string; sector?: string | null }[];
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/**
 * Users and service accounts, their role assignments and API keys. An admin manages users whose
 * home unit lies in their scope, and gives roles only within it: nobody grants more than they hold.
 */
export class UserService {
  constructor(
    private readonly store: UserStore,
    private readonly credentials: CredentialStore,
    private readonly units: OrgUnitService,
    private readonly access: AccessPolicy,
    private readonly auth: AuthService,
    private readonly hasher: PasswordHasher,
    private readonly audit: Auditor,
    private readonly clock: Clock,
  ) {}

  /**
   * The first admin, on a database without users: "admin", system admin over the whole tree, with
   * the configured password or a generated one (returned so that it can be shown once).
   */
  async ensureFirstAdmin(system: RequestContext, password: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
    if ((await this.store.count()) > 0) return { created: false };
    const generated = password === undefined ? randomBytes(18).toString('base64url') : undefined;
    try {
      await this.create(system, {
        username: 'admin',
        displayName: 'Quản trị hệ thống / System administrator',
        unitCode: system.actor.unitCode,
        password: password ?? generated!,
        assignments: [{ role: 'system_admin', unitCode: system.actor.unitCode, sector: null }],
      });
    } catch (e) {
      // Another node created it first.
      if (e instanceof IocError && e.code === 'IOC_ERR_USER_EXISTS') return { created: false };
      throw e;
    }
    return { created: true, ...(generated ? { generatedPassword: generated } : {}) };
  }

  async list(ctx: RequestContext, q: { unit?: string; kind?: 'person' | 'service'; q?: string; limit?: number; offset?: number }): Promise<{ items: UserView[]; total: number }> {
    const unitCodes = await this.access.unitCodes(ctx, 'user.manage', q.unit);
    const r = await this.store.list({
      ...(unitCodes ? { unitCodes } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.q ? { search: foldVietnamese(q.q).toLowerCase() } : {}),
      limit: q.limit ?? 100,
      offset: q.offset ?? 0,
    });
    const assignments = await this.store.assignments(r.items.map((u) => u.id));
    return { items: r.items.map((u) => this.view(u, assignments.get(u.id) ?? [])), total: r.total };
  }

  async get(ctx: RequestContext, id: string): Promise<UserView> {
    const { user } = await this.managed(ctx, id);
    return this.view(user, (await this.store.assignments([id])).get(id) ?? []);
  }

  /** The actor's own account, with the grants they hold now (delegations included). */
  async me(ctx: RequestContext): Promise<UserView & { grants: RequestContext['actor']['grants'] }> {
    const user = await this.store.get(ctx.actor.userId);
    if (!user) throw new IocError('IOC_ERR_USER_NOT_FOUND');
    return { ...this.view(user, (await this.store.assignments([user.id])).get(user.id) ?? []), grants: ctx.actor.grants };
  }

  async create(ctx: RequestContext, input: UserInput): Promise<UserView> {
    const kind = input.kind ?? 'person';
    const username = String(input.username ?? '').trim().toLowerCase();
    const errs: FieldError[] = [];
    if (!USERNAME.test(username)) errs.push(fieldError('username', 'bad_value', '3–64 characters: lower-case letters, digits, ".", "_" or "-"'));
    errs.push(...this.checkName(input.displayName));
    if (kind !== 'person' && kind !== 'service') errs.push(fieldError('kind', 'bad_value', 'person or service'));
    const assignments = await this.checkAssignments(ctx, input.assignments, errs);
    await this.checkHomeUnit(input.unitCode, errs);
    if (kind === 'person') {
      if (typeof input.password !== 'string') errs.push(fieldError('password', 'required', 'a person needs a password'));
      else errs.push(...checkPassword(input.password, { username }));
    } else {
      if (input.password !== undefined) errs.push(fieldError('password', 'not_allowed', 'service accounts log in with API keys, not passwords'));
      if (assignments.some((a) => a.role !== 'data_provider')) errs.push(fieldError('assignments', 'not_allowed', 'service accounts hold the data_provider role only'));
    }
    if (errs.length) throw new IocError('IOC_ERR_VALIDATION', errs.map((e) => `${e.field}: ${e.message}`).join('; '), errs);
    const grant = await this.access.unitGrant(ctx, 'user.manage', input.unitCode);
    if (await this.store.byUsername(username)) throw new IocError('IOC_ERR_USER_EXISTS', `username ${username} is taken`, [fieldError('username', 'exists', 'this username is taken')]);
    const now = this.clock();
    const id = crypto.randomUUID();
    await this.store.create(
      {
        id,
        username,
        displayName: input.displayName.trim(),
        kind,
        unitCode: input.unitCode,
        passwordHash: kind === 'person' ? await this.hasher.hash(input.password!) : null,
        passwordChangedAt: kind === 'person' ? now : null,
        disabledAt: null,
      },
      assignments,
    );
    await this.audit.record({ ...auditBy(ctx, grant), action: 'user.create', unitCode: input.unitCode, target: `user:${username}`, details: { kind, assignments } });
    return this.get(ctx, id);
  }

  async update(ctx: RequestContext, id: string, patch: { displayName?: string; unitCode?: string; disabled?: boolean }): Promise<UserView> {
    const { user, grant } = await this.managed(ctx, id, 'write');
    const errs: FieldError[] = [];
    if (patch.displayName !== undefined) errs.push(...this.checkName(patch.displayName));
    if (patch.unitCode !== undefined) await this.checkHomeUnit(patch.unitCode, errs);
    if (patch.disabled === true && id === ctx.actor.userId) errs.push(fieldError('disabled', 'not_allowed', 'you cannot disable your own account'));
    if (errs.length) throw new IocError('IOC_ERR_VALIDATION', errs.map((e) => `${e.field}: ${e.message}`).join('; '), errs);
    if (patch.unitCode !== undefined) await this.access.unitGrant(ctx, 'user.manage', patch.unitCode);
    const now = this.clock();
    await this.store.update(id, {
      ...(patch.displayName !== undefined ? { displayName: patch.displayName.trim() } : {}),
      ...(patch.unitCode !== undefined ? { unitCode: patch.unitCode } : {}),
      ...(patch.disabled !== undefined ? { disabledAt: patch.disabled ? (user.disabledAt ?? now) : null } : {}),
    });
    if (patch.disabled) await this.credentials.revokeUserSessions(id, now);
    this.auth.invalidate();
    await this.audit.record({ ...auditBy(ctx, grant), action: patch.disabled ? 'user.disable' : 'user.update', unitCode: user.unitCode, target: `user:${user.username}`, details: patch });
    return this.get(ctx, id);
  }

  async setAssignments(ctx: RequestContext, id: string, input: UserInput['assignments']): Promise<UserView> {
    const { user, grant } = await this.managed(ctx, id, 'write');
    const errs: FieldError[] = [];
    const assignments = await this.checkAssignments(ctx, input, errs);
    if (user.kind === 'service' && assignments.some((a) => a.role !== 'data_provider')) errs.push(fieldError('assignments', 'not_allowed', 'service accounts hold the data_provider role only'));
    if (errs.length) throw new IocError('IOC_ERR_VALIDATION', errs.map((e) => `${e.field}: ${e.message}`).join('; '), errs);
    // An admin cannot take away roles outside their own scope either.
    const before = (await this.store.assignments([id])).get(id) ?? [];
    const tree = await this.units.tree();
    const mine = grantsFor(ctx.actor, 'user.manage');
    for (const a of before) {
      const kept = assignments.some((b) => b.role === a.role && b.unitCode === a.unitCode && b.sector === a.sector);
      if (!kept && !mine.some((g) => scopeWithin(tree, a, g))) throw new IocError('IOC_ERR_FORBIDDEN', `the assignment ${a.role} over ${a.unitCode} is outside your scope`);
    }
    await this.store.setAssignments(id, assignments);
    this.auth.invalidate();
    await this.audit.record({ ...auditBy(ctx, grant), action: 'user.assignments', unitCode: user.unitCode, target: `user:${user.username}`, details: { before, after: assignments } });
    return this.get(ctx, id);
  }

  /** Sets a password: one's own (with the current one), or another user's as their admin. Ends their sessions. */
  async setPassword(ctx: RequestContext, id: string, input: { password: string; currentPassword?: string }): Promise<void> {
    const self = id === ctx.actor.userId;
    const { user, grant } = self ? { user: (await this.store.get(id))!, grant: undefined } : await this.managed(ctx, id, 'write');
    if (user.kind !== 'person') throw new IocError('IOC_ERR_VALIDATION', 'service accounts have no password', [fieldError('password', 'not_allowed', 'service accounts log in with API keys')]);
    if (self && !(typeof input.currentPassword === 'string' && user.passwordHash && (await this.hasher.verify(input.currentPassword, user.passwordHash)))) {
      throw new IocError('IOC_ERR_VALIDATION', 'the current password is wrong', [fieldError('currentPassword', 'wrong', 'the current password is wrong')]);
    }
    const errs = typeof input.password === 'string' ? checkPassword(input.password, { username: user.username }) : [fieldError('password', 'required', 'a new password')];
    if (errs.length) throw new IocError('IOC_ERR_VALIDATION', errs.map((e) => `${e.field}: ${e.message}`).join('; '), errs);
    const now = this.clock();
    await this.store.setPassword(id, await this.hasher.hash(input.password), now);
    await this.credentials.revokeUserSessions(id, now);
    this.auth.invalidate();
    await this.audit.record({ ...auditBy(ctx, grant), action: 'user.password', unitCode: user.unitCode, target: `user:${user.username}`, details: { self } });
  }

  async apiKeys(ctx: RequestContext, userId: string): Promise<ApiKeyRecord[]> {
    await this.managed(ctx, userId);
    return this.credentials.apiKeysOf(userId);
  }

  /** Issues an API key for a service account: the key is in this answer only. */
  async issueApiKey(ctx: RequestContext, userId: string, name: string): Promise<{ id: string; key: string; prefix: string; createdAt: number }> {
    const { user, grant } = await this.managed(ctx, userId, 'write');
    if (user.kind !== 'service') throw new IocError('IOC_ERR_VALIDATION', 'API keys are for service accounts', [fieldError('userId', 'not_allowed', 'API keys are for service accounts; people log in')]);
    const label = String(name ?? '').trim();
    if (!label || label.length > 100) throw new IocError('IOC_ERR_VALIDATION', 'name: 1–100 characters', [fieldError('name', 'bad_value', 'a name of 1–100 characters')]);
    const k = await this.auth.issueApiKey(userId, label);
    await this.audit.record({ ...auditBy(ctx, grant), action: 'apikey.create', unitCode: user.unitCode, target: `apikey:${k.id}`, details: { user: user.username, name: label, prefix: k.prefix } });
    return k;
  }

  async revokeApiKey(ctx: RequestContext, userId: string, keyId: string): Promise<void> {
    const { user, grant } = await this.managed(ctx, userId, 'write');
    const key = (await this.credentials.apiKeysOf(userId)).find((k) => k.id === keyId);
    if (!key) throw new IocError('IOC_ERR_NOT_FOUND', `no API key ${keyId}`);
    if (!(await this.credentials.revokeApiKey(keyId, this.clock()))) throw new IocError('IOC_ERR_CONFLICT', 'the key is revoked already');
    this.auth.invalidate();
    await this.audit.record({ ...auditBy(ctx, grant), action: 'apikey.revoke', unitCode: user.unitCode, target: `apikey:${keyId}`, details: { user: user.username, prefix: key.prefix } });
  }

  /**
   * The user, if the actor manages them (their home unit is in the actor's user.manage scope);
   * 404 otherwise (existence does not leak). To change an account — its password, keys, roles,
   * status — the actor must also cover all the authority it holds now, own and delegated:
   * a district admin cannot take over a city-wide account homed in its district (403).
   */
  private async managed(ctx: RequestContext, id: string, intent: 'read' | 'write' = 'read') {
    const user = /^[0-9a-f-]{36}$/i.test(id) ? await this.store.get(id) : undefined;
    const f = await this.access.filter(ctx, 'user.manage');
    if (f.kind === 'none') throw new IocError('IOC_ERR_FORBIDDEN', 'managing users needs the permission user.manage');
    const grant = user ? await this.access.grant(ctx, 'user.manage', { unitCode: user.unitCode, sector: '' }) : undefined;
    if (!user || !grant || grant.sector !== null || !filterAllows(f, { unitCode: user.unitCode, sector: '' })) throw new IocError('IOC_ERR_USER_NOT_FOUND', `no user ${id}`);
    if (intent === 'write') {
      const tree = await this.units.tree();
      const mine = grantsFor(ctx.actor, 'user.manage').filter((g) => g.sector === null);
      const beyond = (await this.auth.actorOf(user)).grants.find((g) => !mine.some((m) => scopeWithin(tree, g, m)));
      if (beyond) throw new IocError('IOC_ERR_FORBIDDEN', `this account holds ${beyond.role} over ${beyond.unitCode}${beyond.sector ? ` (${beyond.sector})` : ''}, beyond your scope`);
    }
    return { user, grant };
  }

  private checkName(name: unknown): FieldError[] {
    return typeof name === 'string' && name.trim() && name.length <= 200 ? [] : [fieldError('displayName', 'bad_value', 'a name of 1–200 characters')];
  }

  private async checkHomeUnit(code: unknown, errs: FieldError[]): Promise<void> {
    const tree = await this.units.tree();
    if (typeof code !== 'string' || tree.get(code)?.status !== 'active') errs.push(fieldError('unitCode', 'unknown_unit', `no active org unit has code ${String(code)}`));
  }

  /** Valid assignments, each within one of the actor's user.manage grants (no one grants more than they hold). */
  private async checkAssignments(ctx: RequestContext, input: unknown, errs: FieldError[]): Promise<Assignment[]> {
    if (!Array.isArray(input) || input.length > 50) {
      errs.push(fieldError('assignments', 'bad_value', 'an array of up to 50 {role, unitCode, sector?}'));
      return [];
    }
    const tree = await this.units.tree();
    const mine = grantsFor(ctx.actor, 'user.manage');
    const out: Assignment[] = [];
    input.forEach((raw: { role?: unknown; unitCode?: unknown; sector?: unknown }, i) => {
      const at = `assignments/${i}`;
      const role = raw?.role as Role;
      const sector = (raw?.sector ?? null) as Sector | null;
      const unitCode = raw?.unitCode as string;
      if (!(ROLES as readonly string[]).includes(role)) return void errs.push(fieldError(`${at}/role`, 'bad_value', `one of ${ROLES.join(', ')}`));
      if (typeof unitCode !== 'string' || tree.get(unitCode)?.status !== 'active') return void errs.push(fieldError(`${at}/unitCode`, 'unknown_unit', `no active org unit has code ${String(unitCode)}`));
      if (sector !== null && !(SECTORS as readonly string[]).includes(sector)) return void errs.push(fieldError(`${at}/sector`, 'bad_value', `one of ${SECTORS.join(', ')}, or null`));
      const a: Assignment = { role, unitCode, sector };
      if (!mine.some((g) => scopeWithin(tree, a, g))) return void errs.push(fieldError(`${at}/unitCode`, 'exceeds_own', 'you can only give roles within your own scope'));
      if (out.some((b) => b.role === a.role && b.unitCode === a.unitCode && b.sector === a.sector)) return void errs.push(fieldError(at, 'duplicate', 'the same assignment twice'));
      out.push(a);
    });
    return out;
  }

  private view(u: UserRecord, assignments: Assignment[]): UserView {
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      kind: u.kind,
      unitCode: u.unitCode,
      assignments,
      disabled: u.disabledAt !== null,
      locked: u.lockedUntil !== null && u.lockedUntil > this.clock(),
      createdAt: new Date(u.createdAt).toISOString(),
      updatedAt: new Date(u.updatedAt).toISOString(),
    };
  }
}
