import type { Assignment, Role, Sector } from '@haidang/domain';
import { sql } from 'kysely';
import type {
  ApiKeyRecord,
  CredentialStore,
  DelegationRecord,
  DelegationStore,
  SessionRecord,
  UserFilter,
  UserRecord,
  UserStore,
} from '../../services/ports.ts';
import type { Db, Schema } from './db.schema.ts';

const ms = (d: Date | null): number | null => (d ? d.getTime() : null);
const date = (n: number | null | undefined): Date | null => (n === null || n === undefined ? null : new Date(n));

type UserRow = Schema['users'] extends infer T ? { [K in keyof T]: T[K] extends import('kysely').ColumnType<infer S, unknown, unknown> ? S : T[K] } : never;

const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  kind: r.kind,
  unitCode: r.unit_code,
  passwordHash: r.password_hash,
  passwordChangedAt: ms(r.password_changed_at),
  failedLogins: r.failed_logins,
  lockedUntil: ms(r.locked_until),
  disabledAt: ms(r.disabled_at),
  createdAt: r.created_at.getTime(),
  updatedAt: r.updated_at.getTime(),
});

const toAssignment = (r: { role: string; unit_code: string; sector: string | null }): Assignment => ({
  role: r.role as Role,
  unitCode: r.unit_code,
  sector: r.sector as Sector | null,
});

export class UserRepository implements UserStore {
  constructor(private readonly db: Db) {}

  async create(u: Omit<UserRecord, 'failedLogins' | 'lockedUntil' | 'createdAt' | 'updatedAt'>, assignments: Assignment[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('users')
        .values({
          id: u.id,
          username: u.username,
          display_name: u.displayName,
          kind: u.kind,
          unit_code: u.unitCode,
          password_hash: u.passwordHash,
          password_changed_at: date(u.passwordChangedAt),
          locked_until: null,
          disabled_at: date(u.disabledAt),
        })
        .execute();
      if (assignments.length) await tx.insertInto('role_assignments').values(assignments.map((a) => ({ id: crypto.randomUUID(), user_id: u.id, role: a.role, unit_code: a.unitCode, sector: a.sector }))).execute();
    });
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : undefined;
  }

  async byUsername(username: string): Promise<UserRecord | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return r ? toUser(r) : undefined;
  }

  async list(f: UserFilter): Promise<{ items: UserRecord[]; total: number }> {
    let q = this.db.selectFrom('users');
    if (f.unitCodes) q = f.unitCodes.length ? q.where('unit_code', 'in', [...f.unitCodes]) : q.where(sql<boolean>`false`);
    if (f.kind) q = q.where('kind', '=', f.kind);
    if (f.search) {
      const like = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb('username', 'like', like), eb(sql`lower(display_name)`, 'like', like)]));
    }
    const [items, total] = await Promise.all([
      q.selectAll().orderBy('username').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: items.map(toUser), total: Number(total.n) };
  }

  async update(id: string, patch: { displayName?: string; unitCode?: string; disabledAt?: number | null }): Promise<void> {
    await this.db
      .updateTable('users')
      .set({
        ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
        ...(patch.unitCode !== undefined ? { unit_code: patch.unitCode } : {}),
        ...(patch.disabledAt !== undefined ? { disabled_at: date(patch.disabledAt) } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
  }

  async setPassword(id: string, hash: string, at: number): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: hash, password_changed_at: new Date(at), failed_logins: 0, last_failed_at: null, locked_until: null, updated_at: new Date(at) }).where('id', '=', id).execute();
  }

  async loginFailed(id: string, at: number, forgetBefore: number): Promise<number> {
    const r = await this.db
      .updateTable('users')
      .set({
        failed_logins: sql<number>`CASE WHEN last_failed_at IS NULL OR last_failed_at < ${new Date(forgetBefore)} THEN 1 ELSE failed_logins + 1 END`,
        last_failed_at: new Date(at),
      })
      .where('id', '=', id)
      .returning('failed_logins')
      .executeTakeFirst();
    return r?.failed_logins ?? 0;
  }

  async lock(id: string, until: number): Promise<void> {
    await this.db.updateTable('users').set({ locked_until: new Date(until) }).where('id', '=', id).execute();
  }

  async loginSucceeded(id: string): Promise<void> {
    await this.db.updateTable('users').set({ failed_logins: 0, last_failed_at: null, locked_until: null }).where('id', '=', id).execute();
  }

  async assignments(userIds: readonly string[]): Promise<Map<string, Assignment[]>> {
    const out = new Map<string, Assignment[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return out;
    const rows = await this.db.selectFrom('role_assignments').select(['user_id', 'role', 'unit_code', 'sector']).where('user_id', 'in', [...userIds]).orderBy('created_at').orderBy('id').execute();
    for (const r of rows) out.get(r.user_id)!.push(toAssignment(r));
    return out;
  }

  async setAssignments(userId: string, assignments: Assignment[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('role_assignments').where('user_id', '=', userId).execute();
      if (assignments.length) await tx.insertInto('role_assignments').values(assignments.map((a) => ({ id: crypto.randomUUID(), user_id: userId, role: a.role, unit_code: a.unitCode, sector: a.sector }))).execute();
      await tx.updateTable('users').set({ updated_at: new Date() }).where('id', '=', userId).execute();
    });
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

export class DelegationRepository implements DelegationStore {
  constructor(private readonly db: Db) {}

  private base() {
    return this.db
      .selectFrom('delegations as d')
      .innerJoin('users as gr', 'gr.id', 'd.grantor_id')
      .innerJoin('users as ge', 'ge.id', 'd.grantee_id')
      .selectAll('d')
      .select(['gr.username as grantor_name', 'ge.username as grantee_name']);
  }

  private static toRecord(r: Schema['delegations'] & { grantor_name: string; grantee_name: string; created_at: Date }): DelegationRecord {
    return {
      id: r.id,
      grantorId: r.grantor_id,
      grantorName: r.grantor_name,
      granteeId: r.grantee_id,
      granteeName: r.grantee_name,
      ...toAssignment(r),
      validFrom: r.valid_from.getTime(),
      validUntil: r.valid_until.getTime(),
      reason: r.reason,
      createdAt: r.created_at.getTime(),
      revokedAt: ms(r.revoked_at),
      revokedBy: r.revoked_by,
    };
  }

  async insert(d: Omit<DelegationRecord, 'grantorName' | 'granteeName' | 'createdAt' | 'revokedAt' | 'revokedBy'>): Promise<void> {
    await this.db
      .insertInto('delegations')
      .values({ id: d.id, grantor_id: d.grantorId, grantee_id: d.granteeId, role: d.role, unit_code: d.unitCode, sector: d.sector, valid_from: new Date(d.validFrom), valid_until: new Date(d.validUntil), reason: d.reason, revoked_at: null, revoked_by: null })
      .execute();
  }

  async get(id: string): Promise<DelegationRecord | undefined> {
    const r = await this.base().where('d.id', '=', id).executeTakeFirst();
    return r ? DelegationRepository.toRecord(r as never) : undefined;
  }

  async involving(userId: string): Promise<DelegationRecord[]> {
    const rows = await this.base()
      .where((eb) => eb.or([eb('d.grantor_id', '=', userId), eb('d.grantee_id', '=', userId)]))
      .orderBy('d.created_at', 'desc')
      .execute();
    return rows.map((r) => DelegationRepository.toRecord(r as never));
  }

  async receivedLive(userId: string, after: number): Promise<DelegationRecord[]> {
    const rows = await this.base().where('d.grantee_id', '=', userId).where('d.revoked_at', 'is', null).where('d.valid_until', '>', new Date(after)).execute();
    return rows.map((r) => DelegationRepository.toRecord(r as never));
  }

  async revoke(id: string, by: string, at: number): Promise<boolean> {
    const r = await this.db.updateTable('delegations').set({ revoked_at: new Date(at), revoked_by: by }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

const toSession = (r: Schema['sessions'] & { created_at: Date }): SessionRecord => ({
  id: r.id,
  userId: r.user_id,
  kind: r.kind,
  csrfToken: r.csrf_token,
  ip: r.ip,
  userAgent: r.user_agent,
  createdAt: r.created_at.getTime(),
  lastSeenAt: r.last_seen_at.getTime(),
  expiresAt: r.expires_at.getTime(),
  revokedAt: ms(r.revoked_at),
});

const toApiKey = (r: Schema['api_keys'] & { created_at: Date }): ApiKeyRecord => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.created_at.getTime(),
  lastUsedAt: ms(r.last_used_at),
  revokedAt: ms(r.revoked_at),
});

export class CredentialRepository implements CredentialStore {
  constructor(private readonly db: Db) {}

  async createSession(s: Omit<SessionRecord, 'revokedAt' | 'lastSeenAt' | 'createdAt'> & { tokenHash: string; createdAt: number }): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ id: s.id, token_hash: s.tokenHash, user_id: s.userId, kind: s.kind, csrf_token: s.csrfToken, ip: s.ip, user_agent: s.userAgent, created_at: new Date(s.createdAt), last_seen_at: new Date(s.createdAt), expires_at: new Date(s.expiresAt), revoked_at: null })
      .execute();
  }

  async sessionByTokenHash(hash: string): Promise<SessionRecord | undefined> {
    const r = await this.db.selectFrom('sessions').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    return r ? toSession(r as never) : undefined;
  }

  async touchSession(id: string, at: number): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: new Date(at) }).where('id', '=', id).execute();
  }

  async revokeSession(id: string, at: number): Promise<boolean> {
    const r = await this.db.updateTable('sessions').set({ revoked_at: new Date(at) }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async revokeUserSessions(userId: string, at: number): Promise<number> {
    const r = await this.db.updateTable('sessions').set({ revoked_at: new Date(at) }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async sessionsOf(userId: string, now: number): Promise<SessionRecord[]> {
    const rows = await this.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null).where('expires_at', '>', new Date(now)).orderBy('created_at', 'desc').execute();
    return rows.map((r) => toSession(r as never));
  }

  async createApiKey(k: Omit<ApiKeyRecord, 'lastUsedAt' | 'revokedAt'> & { secretHash: string }): Promise<void> {
    await this.db.insertInto('api_keys').values({ id: k.id, user_id: k.userId, name: k.name, prefix: k.prefix, secret_hash: k.secretHash, created_at: new Date(k.createdAt), last_used_at: null, revoked_at: null }).execute();
  }

  async apiKeyBySecretHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('secret_hash', '=', hash).executeTakeFirst();
    return r ? toApiKey(r as never) : undefined;
  }

  async touchApiKey(id: string, at: number): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: new Date(at) }).where('id', '=', id).execute();
  }

  async revokeApiKey(id: string, at: number): Promise<boolean> {
    const r = await this.db.updateTable('api_keys').set({ revoked_at: new Date(at) }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async apiKeysOf(userId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
    return rows.map((r) => toApiKey(r as never));
  }
}
