import { createHash, randomBytes } from 'node:crypto';
import { type Actor, effectiveGrants, IocError } from '@haidang/domain';
import { auditBy } from './access-policy.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { Auditor, Clock, CredentialStore, DelegationStore, SessionRecord, UserRecord, UserStore } from './ports.ts';
import type { RequestContext } from './request-context.ts';

/** Login and session policy. */
export const AUTH_POLICY = {
  /** Failed logins in a row that lock an account (or an unknown username). */
  maxFailures: 5,
  lockMs: 15 * 60_000,
  /** Login attempts per client address per window, whatever the username. */
  ipAttempts: 30,
  ipWindowMs: 5 * 60_000,
  /** Browser sessions end after this idle time, and at the latest after sessionMaxMs. */
  sessionIdleMs: 8 * 3_600_000,
  sessionMaxMs: 12 * 3_600_000,
  /** Bearer tokens from POST /api/v1/auth/token. */
  bearerMs: 12 * 3_600_000,
  /** last_seen_at is written at most this often per session. */
  touchEveryMs: 60_000,
  /** How long an authenticated token is remembered by a node (other nodes see a revocation within it). */
  cacheMs: 2_000,
} as const;

const SESSION_PREFIX = 'hds_';
const API_KEY_PREFIX = 'hdk_';

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const secret = (): string => randomBytes(32).toString('base64url');

export interface LoginMeta {
  kind: 'cookie' | 'bearer';
  ip?: string;
  userAgent?: string;
  correlationId?: string;
}

export interface LoginResult {
  token: string;
  csrfToken: string | null;
  expiresAt: number;
  session: SessionRecord;
  user: UserRecord;
}

export interface Authenticated {
  actor: Actor;
  user: UserRecord;
  /** The browser or bearer session; undefined when an API key was used. */
  session?: SessionRecord;
  apiKeyId?: string;
}

/** A small in-memory counter per key with expiry, bounded in size (oldest dropped first). */
class Throttle {
  private readonly hits = new Map<string, { n: number; until: number }>();
  constructor(private readonly max = 50_000) {}

  /** Counts a hit; `sliding` restarts the window at each hit (a lock lasts from the last failure). */
  count(key: string, now: number, windowMs: number, sliding = false): number {
    const h = this.hits.get(key);
    if (!h || h.until <= now) {
      this.hits.delete(key);
      if (this.hits.size >= this.max) this.hits.delete(this.hits.keys().next().value!);
      this.hits.set(key, { n: 1, until: now + windowMs });
      return 1;
    }
    h.n++;
    if (sliding) h.until = now + windowMs;
    return h.n;
  }

  peek(key: string, now: number): { n: number; until: number } | undefined {
    const h = this.hits.get(key);
    return h && h.until > now ? h : undefined;
  }

}

/**
 * Authentication: password login (scrypt), lockout and rate limits that behave the same for known
 * and unknown usernames, browser sessions with CSRF tokens, bearer tokens, service-account API
 * keys, and the actor (own grants plus live delegations) behind each request.
 */
export class AuthService {
  private readonly ipThrottle = new Throttle();
  /** Failed logins of usernames that do not exist: they lock like real accounts. */
  private readonly ghostFailures = new Throttle();
  private readonly cache = new Map<string, { found: Authenticated; until: number }>();
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UserStore,
    private readonly delegations: DelegationStore,
    private readonly credentials: CredentialStore,
    private readonly units: OrgUnitService,
    private readonly hasher: PasswordHasher,
    private readonly audit: Auditor,
    private readonly clock: Clock,
  ) {}

  async login(usernameIn: string, password: string, meta: LoginMeta): Promise<LoginResult> {
    const now = this.clock();
    const username = String(usernameIn).trim().toLowerCase().slice(0, 100);
    const who = { actor: { id: null, name: username || '(empty)' }, ...pickMeta(meta) };
    if (this.ipThrottle.count(`ip:${meta.ip ?? '?'}`, now, AUTH_POLICY.ipWindowMs) > AUTH_POLICY.ipAttempts) {
      await this.audit.record({ ...who, action: 'auth.login', outcome: 'denied', details: { reason: 'rate_limited' } });
      throw new IocError('IOC_ERR_AUTH_LOCKED', 'too many login attempts from this address; try again in a few minutes');
    }
    // A name no account can have (NUL cannot even be stored) is simply unknown.
    const user = username.includes('\u0000') ? undefined : await this.users.byUsername(username);
    const lockedUntil = user ? user.lockedUntil : (this.ghostFailures.peek(username, now)?.n ?? 0) >= AUTH_POLICY.maxFailures ? this.ghostFailures.peek(username, now)!.until : null;
    if (lockedUntil !== null && lockedUntil > now) {
      await this.audit.record({ ...who, actor: { id: user?.id ?? null, name: username }, action: 'auth.login', outcome: 'denied', details: { reason: 'locked' } });
      throw new IocError('IOC_ERR_AUTH_LOCKED', 'too many failed logins for this username; try again later');
    }
    // Unknown users cost the same hash as known ones: timing does not tell them apart.
    const ok = await this.hasher.verify(String(password).slice(0, 1024), user?.passwordHash ?? (await this.dummy()));
    if (!user || !ok || user.disabledAt !== null || user.kind !== 'person') {
      // Known and unknown usernames count alike: failures in a row, forgotten lockMs after the last one.
      if (user) {
        if ((await this.users.loginFailed(user.id, now, now - AUTH_POLICY.lockMs)) >= AUTH_POLICY.maxFailures) await this.users.lock(user.id, now + AUTH_POLICY.lockMs);
      } else this.ghostFailures.count(username, now, AUTH_POLICY.lockMs, true);
      await this.audit.record({ ...who, actor: { id: user?.id ?? null, name: username }, action: 'auth.login', outcome: 'failure', details: { reason: !user ? 'unknown_user' : !ok ? 'wrong_password' : 'disabled' } });
      throw new IocError('IOC_ERR_AUTH_FAILED');
    }
    await this.users.loginSucceeded(user.id);
    if (this.hasher.outdated(user.passwordHash!)) await this.users.setPassword(user.id, await this.hasher.hash(password), user.passwordChangedAt ?? now);
    const { token, session } = await this.newSession(user, meta, now);
    await this.audit.record({ ...who, actor: { id: user.id, name: user.username }, action: 'auth.login', unitCode: user.unitCode, target: `session:${session.id}`, details: { kind: meta.kind } });
    return { token, csrfToken: session.csrfToken, expiresAt: session.expiresAt, session, user };
  }

  /**
   * The actor behind a session token or API key; undefined when it is unknown, expired or revoked.
   * A result is kept for at most AUTH_POLICY.cacheMs (and never past the session's end or the next
   * start or end of a delegation), saving four reads per request; sign-outs, revocations and
   * changes of users, roles or delegations made on this node drop it at once.
   */
  async authenticate(token: string): Promise<Authenticated | undefined> {
    const now = this.clock();
    const hash = sha256Hex(token);
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.found;
    this.cache.delete(hash);
    const r = await this.lookUp(token, hash, now);
    if (r) {
      if (this.cache.size >= 10_000) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(hash, r);
    }
    return r?.found;
  }

  /** Drops every cached authentication (after a change to users, roles, keys or delegations). */
  invalidate(): void {
    this.cache.clear();
  }

  private async lookUp(token: string, hash: string, now: number): Promise<{ found: Authenticated; until: number } | undefined> {
    let until = now + AUTH_POLICY.cacheMs;
    if (token.startsWith(SESSION_PREFIX)) {
      const s = await this.credentials.sessionByTokenHash(hash);
      if (!s || s.revokedAt !== null || s.expiresAt <= now) return undefined;
      if (s.kind === 'cookie' && now - s.lastSeenAt > AUTH_POLICY.sessionIdleMs) return undefined;
      const user = await this.users.get(s.userId);
      if (!user || user.disabledAt !== null) return undefined;
      if (now - s.lastSeenAt > AUTH_POLICY.touchEveryMs) await this.credentials.touchSession(s.id, now);
      const { actor, changesAt } = await this.resolve(user, now);
      until = Math.min(until, s.expiresAt, changesAt);
      return { found: { actor, user, session: { ...s, lastSeenAt: Math.max(s.lastSeenAt, now) } }, until };
    }
    if (token.startsWith(API_KEY_PREFIX)) {
      const k = await this.credentials.apiKeyBySecretHash(hash);
      if (!k || k.revokedAt !== null) return undefined;
      const user = await this.users.get(k.userId);
      if (!user || user.disabledAt !== null) return undefined;
      if (k.lastUsedAt === null || now - k.lastUsedAt > AUTH_POLICY.touchEveryMs) await this.credentials.touchApiKey(k.id, now);
      const { actor, changesAt } = await this.resolve(user, now);
      return { found: { actor, user, apiKeyId: k.id }, until: Math.min(until, changesAt) };
    }
    return undefined;
  }

  /** The user's grants at `now`: own assignments and the delegations in force. */
  async actorOf(user: UserRecord, now = this.clock()): Promise<Actor> {
    return (await this.resolve(user, now)).actor;
  }

  /** The actor, and the next instant at which a delegation starts or ends (the grants change). */
  private async resolve(user: UserRecord, now: number): Promise<{ actor: Actor; changesAt: number }> {
    const received = await this.delegations.receivedLive(user.id, now);
    const assignments = await this.users.assignments([user.id, ...new Set(received.map((d) => d.grantorId))]);
    const tree = await this.units.tree();
    const changesAt = Math.min(Infinity, ...received.flatMap((d) => [d.validFrom, d.validUntil]).filter((t) => t > now));
    return {
      actor: { userId: user.id, username: user.username, kind: user.kind, unitCode: user.unitCode, grants: effectiveGrants(tree, assignments.get(user.id) ?? [], received, assignments, now) },
      changesAt,
    };
  }

  async logout(ctx: RequestContext, sessionId: string): Promise<void> {
    await this.credentials.revokeSession(sessionId, this.clock());
    this.invalidate();
    await this.audit.record({ ...auditBy(ctx), action: 'auth.logout', unitCode: ctx.actor.unitCode, target: `session:${sessionId}` });
  }

  async sessions(ctx: RequestContext): Promise<SessionRecord[]> {
    return this.credentials.sessionsOf(ctx.actor.userId, this.clock());
  }

  /** Revokes one of the actor's own sessions (404 for anyone else's). */
  async revokeSession(ctx: RequestContext, sessionId: string): Promise<void> {
    const mine = (await this.credentials.sessionsOf(ctx.actor.userId, this.clock())).some((s) => s.id === sessionId);
    if (!mine || !(await this.credentials.revokeSession(sessionId, this.clock()))) throw new IocError('IOC_ERR_NOT_FOUND', `no session ${sessionId}`);
    this.invalidate();
    await this.audit.record({ ...auditBy(ctx), action: 'auth.session_revoke', unitCode: ctx.actor.unitCode, target: `session:${sessionId}` });
  }

  /** A new API key for a service account: the secret is returned once and stored hashed. */
  async issueApiKey(userId: string, name: string): Promise<{ id: string; key: string; prefix: string; createdAt: number }> {
    const id = crypto.randomUUID();
    const key = `${API_KEY_PREFIX}${secret()}`;
    const prefix = key.slice(0, 12);
    const createdAt = this.clock();
    await this.credentials.createApiKey({ id, userId, name, prefix, secretHash: sha256Hex(key), createdAt });
    return { id, key, prefix, createdAt };
  }

  private async newSession(user: UserRecord, meta: LoginMeta, now: number): Promise<{ token: string; session: SessionRecord }> {
    const token = `${SESSION_PREFIX}${secret()}`;
    const session: SessionRecord = {
      id: crypto.randomUUID(),
      userId: user.id,
      kind: meta.kind,
      csrfToken: meta.kind === 'cookie' ? secret() : null,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + (meta.kind === 'cookie' ? AUTH_POLICY.sessionMaxMs : AUTH_POLICY.bearerMs),
      revokedAt: null,
    };
    await this.credentials.createSession({ ...session, tokenHash: sha256Hex(token) });
    return { token, session };
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(secret());
    return this.dummyHash;
  }
}

const pickMeta = (m: LoginMeta) => ({
  ...(m.ip ? { ip: m.ip } : {}),
  ...(m.userAgent ? { userAgent: m.userAgent } : {}),
  ...(m.correlationId ? { correlationId: m.correlationId } : {}),
});
