/**
 * The authorization matrix, generated from the route table: every endpoint × every role × in scope /
 * out of scope, and once without a session, with the outcome this file expects — on PGlite and on
 * PostgreSQL.
 *
 * MATRIX below is the spec. Each route the app serves (captured with onRoute) must have an entry,
 * keyed "METHOD /url", saying which roles may call it (written out, not derived from the app; a
 * second test checks that it agrees with ROLE_PERMISSIONS), what kind of scope check applies, the
 * statuses, and how to build a valid request. A route without an entry, or an entry without a
 * route, fails the test by name.
 *
 * The callers: one person per role, each assigned over district 492 (Hải Châu, every sector), plus
 * the data provider's service account with an API key. In-scope records live under 492 (ward
 * 20233), out-of-scope ones under 493 (ward 20263). Requests that change something get fresh
 * records, made by the first admin (city-wide) just before.
 *
 * Also here: a revoked token, an expired and a revoked delegation, and an action under a
 * delegation audited "on behalf of" its grantor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Permission, PERMISSIONS, ROLE_PERMISSIONS, ROLES, type Role } from '@haidang/domain';
import type { HTTPMethods, InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import type { Database } from '../src/adapters/db/db.schema.ts';
import type { Access } from '../src/http/auth.ts';
import { backends } from './support/databases.ts';
import { deviceInput } from './support/fixtures.ts';
import { createPerson, createService, freshIp, type Send, tokenFor, USER_PASSWORD } from './support/identity.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

/** The services' "now": 2026-11-25 10:00 in Đà Nẵng. */
const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
/** The FIWARE API-key group of every device made here. */
const KEY = 'k-matrix';
const NEW_PASSWORD = 'Mật-khẩu-mới-Sơn-Trà-2027!';
const SVC = 'data_provider (API key)';

// ── The shape of the matrix ─────────────────────────────────────────────────────────────────

/**
 * The kind of scope check a route makes:
 * - none: public, or not scoped (the org tree is readable by all); one case per caller.
 * - object: a record addressed by id or code; in scope → ok, out of scope → `out` (404 unless
 *   the record's existence is not confidential).
 * - list: 200 either way; out-of-scope records are absent from the items and from the totals.
 * - create: a write to a place; in scope → ok, out of scope → `out`.
 * - self: the caller's own sessions, password, delegations; "out of scope" (when `out` is set) is
 *   someone else's.
 * - citywide: allowed only with the permission over the whole city: every caller here (district
 *   scope) gets 403 even with the permission. One case per caller.
 */
type ScopeKind = 'none' | 'object' | 'list' | 'create' | 'self' | 'citywide';
type Case = 'in' | 'out';

interface Caller {
  /** The role name, or SVC for the service account. */
  label: string;
  role: Role;
  kind: 'person' | 'service';
  id: string;
  username: string;
  password?: string;
  /** Bearer token (people) or API key (the service account). */
  token: string;
}

/** What a request got: streams (SSE) give the text received so far. */
interface Got {
  status: number;
  text(): string;
  json<T = Record<string, unknown>>(): T;
}

interface Req {
  method: HTTPMethods;
  url: string;
  payload?: InjectOptions['payload'];
  headers?: Record<string, string>;
  /** The credential to send instead of the caller's (a fresh session of the same user, a clone of the same role); null: none. */
  token?: string | null;
  remoteAddress?: string;
  /** The answer is a never-ending stream (SSE): read it as it comes, end it after the check. */
  stream?: boolean;
  /** Runs when the expected 2xx came. */
  check?(got: Got): Promise<void> | void;
  /** Runs after every case with the expected status: invariants (a refused write changed nothing). */
  after?(got: Got): Promise<void> | void;
}

interface BuildCtx {
  w: World;
  /** undefined: no credentials. */
  caller: Caller | undefined;
  scope: Case;
}

interface Entry {
  /** What the route declares (config.access); checked against the app. */
  access: Access;
  /** Who may call it: the spec. */
  roles: readonly Role[];
  /** The permission the service checks when the route itself is public or authenticated. */
  via?: Permission;
  scope: ScopeKind;
  /** Status of an allowed, in-scope call. */
  ok: number;
  /** Status of an allowed call out of scope (object, create, self). */
  out?: number;
  /** Status for a role without the permission; default 403. */
  denied?: number;
  /** Status without credentials; default 401, or `ok` on public routes. */
  anonymous?: number;
  /** Caller-specific outcomes, with the reason in a comment; 'skip' when the case cannot exist. */
  overrides?: Record<string, Partial<Record<Case, number | 'skip'>>>;
  build(c: BuildCtx): Promise<Req>;
}

// ── Fixtures ────────────────────────────────────────────────────────────────────────────────

interface Who {
  id: string;
  username: string;
  password?: string;
}

/** Everything the builders need, made once per backend. */
interface World {
  t: TestApp;
  admin: Send;
  callers: Caller[];
  /** The service account caller (data_provider over 492). */
  svc: Caller;
  /** A person whose credentials the public sign-in routes use (analyst over 492). */
  probe: Who;
  /** A person in Sơn Trà (analyst over 493), signed in. */
  outsider: Who & { token: string };
  /** A service account in Sơn Trà. */
  serviceOut: Who;
  /** Receives the delegations the callers give (analyst over 492). */
  grantee: Who;
  /** A city leader over the whole city: gives the callers scheduled delegations. */
  delegator: Who & { token: string };
  /** A delegation between two others (delegator → outsider). */
  otherDelegationId: string;
  /** Per person caller: a scheduled delegation they received. */
  scheduled: Map<string, string>;
  devIn: string;
  devOut: string;
  as(token: string | null, o: InjectOptions): Promise<LightMyRequestResponse>;
  device(unitCode: string, over?: Record<string, unknown>): Promise<string>;
  person(unitCode: string, assignments?: { role: Role; unitCode: string }[]): Promise<Who>;
  service(unitCode: string): Promise<Who & { apiKey: string; apiKeyId: string }>;
  unit(parent: string): Promise<string>;
  session(who: Who): Promise<{ token: string; sessionId: string }>;
  /** A delegation from the delegator to `granteeId`, starting in 30 days (it grants nothing now). */
  scheduledDelegation(granteeId: string, unitCode?: string): Promise<string>;
  /** true when `unitCode` lies in district 492 (the org tree as it is now). */
  inDistrict(unitCode: string | null): Promise<boolean>;
  fresh(prefix: string): string;
  /** A reading's TimeInstant no other reading of this file has. */
  instant(): string;
}

const json = <T>(r: LightMyRequestResponse): T => r.json<T>();
const idsOf = (items: { id?: string; deviceId?: string }[]) => items.map((i) => i.id ?? i.deviceId);

/** Asserts that every item of a listing lies in district 492 (the callers' scope). */
async function assertInDistrict(w: World, items: { unitCode: string | null }[], what: string): Promise<void> {
  for (const i of items) assert.ok(await w.inDistrict(i.unitCode), `${what}: an item of unit ${i.unitCode} is outside the caller's scope: ${JSON.stringify(i).slice(0, 200)}`);
}

/** SSE events of a stream's text. */
const sseEvents = (text: string) =>
  text
    .split('\n\n')
    .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], data: /^data: (.*)$/m.exec(block)?.[1] }))
    .filter((e): e is { event: string; data: string } => !!e.event && e.data !== undefined)
    .map((e) => ({ event: e.event, data: JSON.parse(e.data) as unknown }));

// ── The matrix ──────────────────────────────────────────────────────────────────────────────

const MATRIX: Record<string, Entry> = {
  // Operations: public.
  'GET /healthz': {
    access: 'public',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'none',
    ok: 200,
    build: async () => ({ method: 'GET', url: '/healthz' }),
  },
  'GET /readyz': {
    access: 'public',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'none',
    ok: 200,
    build: async () => ({ method: 'GET', url: '/readyz' }),
  },
  'GET /metrics': {
    access: 'public',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'none',
    ok: 200,
    build: async () => ({ method: 'GET', url: '/metrics' }),
  },
  'GET /openapi.json': {
    access: 'public',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'none',
    ok: 200,
    build: async () => ({ method: 'GET', url: '/openapi.json' }),
  },

  // Sign-in: public (with the probe person's credentials, from an address of its own).
  'POST /api/v1/auth/login': {
    access: 'public',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'none',
    ok: 200,
    build: async ({ w }) => ({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: w.probe.username, password: w.probe.password! },
      remoteAddress: freshIp(),
      check: (got) => assert.equal(got.json<{ user: { id: string } }>().user.id, w.probe.id),
    }),
  },
  'POST /api/v1/auth/token': {
    access: 'public',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'none',
    ok: 200,
    build: async ({ w }) => ({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { username: w.probe.username, password: w.probe.password! },
      remoteAddress: freshIp(),
      check: (got) => assert.equal(got.json<{ tokenType: string }>().tokenType, 'Bearer'),
    }),
  },

  // The caller's own session: any signed-in caller.
  'POST /api/v1/auth/logout': {
    access: 'authenticated',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'self',
    ok: 204,
    // An API key is not a session: it is revoked by an admin, not signed out.
    overrides: { [SVC]: { in: 400 } },
    build: async ({ w, caller }) => {
      if (!caller || caller.kind === 'service') return { method: 'POST', url: '/api/v1/auth/logout' };
      const s = await w.session(caller);
      return {
        method: 'POST',
        url: '/api/v1/auth/logout',
        token: s.token,
        check: async () => {
          assert.equal((await w.as(s.token, { method: 'GET', url: '/api/v1/auth/session' })).statusCode, 401, 'the signed-out token is refused');
          assert.equal((await w.as(caller.token, { method: 'GET', url: '/api/v1/auth/session' })).statusCode, 200, 'the other sessions of the user stay');
        },
      };
    },
  },
  'GET /api/v1/auth/session': {
    access: 'authenticated',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'self',
    ok: 200,
    build: async ({ caller }) => ({
      method: 'GET',
      url: '/api/v1/auth/session',
      check: (got) => {
        const b = got.json<{ user: { id: string }; grants: unknown[] }>();
        assert.equal(b.user.id, caller!.id);
        assert.deepEqual(b.grants, [{ role: caller!.role, unitCode: '492', sector: null }]);
      },
    }),
  },
  'GET /api/v1/auth/sessions': {
    access: 'authenticated',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'self',
    ok: 200,
    out: 200, // another user's sessions are never listed
    build: async ({ w, caller, scope }) => ({
      method: 'GET',
      url: '/api/v1/auth/sessions',
      check: async (got) => {
        const items = got.json<{ items: { id: string; current: boolean }[] }>().items;
        if (scope === 'in') {
          if (caller!.kind === 'service') assert.deepEqual(items, [], 'an API key has no sessions');
          else assert.equal(items.filter((s) => s.current).length, 1, 'the current session is listed, once');
        } else {
          const theirs = json<{ items: { id: string }[] }>(await w.as(w.outsider.token, { method: 'GET', url: '/api/v1/auth/sessions' })).items.map((s) => s.id);
          assert.ok(theirs.length > 0);
          assert.deepEqual(items.filter((s) => theirs.includes(s.id)), [], "another user's sessions are not listed");
        }
      },
    }),
  },
  'DELETE /api/v1/auth/sessions/:id': {
    access: 'authenticated',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'self',
    ok: 204,
    out: 404,
    // A service account signs in with API keys only: it has no session of its own to revoke.
    overrides: { [SVC]: { in: 'skip' } },
    build: async ({ w, caller, scope }) => {
      if (!caller) return { method: 'DELETE', url: `/api/v1/auth/sessions/${crypto.randomUUID()}` };
      const s = await w.session(scope === 'in' ? caller : w.outsider);
      return {
        method: 'DELETE',
        url: `/api/v1/auth/sessions/${s.sessionId}`,
        check: async () => assert.equal((await w.as(s.token, { method: 'GET', url: '/api/v1/auth/session' })).statusCode, 401, 'the revoked session is refused'),
        after: async (got) => {
          if (got.status >= 400) assert.equal((await w.as(s.token, { method: 'GET', url: '/api/v1/auth/session' })).statusCode, 200, 'a refused revocation leaves the session working');
        },
      };
    },
  },
  'PUT /api/v1/auth/password': {
    access: 'authenticated',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'self',
    ok: 204,
    // Service accounts have no password.
    overrides: { [SVC]: { in: 400 } },
    build: async ({ w, caller }) => {
      if (!caller || caller.kind === 'service') return { method: 'PUT', url: '/api/v1/auth/password', payload: { currentPassword: USER_PASSWORD, password: NEW_PASSWORD } };
      // Changing the password ends every session of the user: a clone with the same role and scope does it.
      const clone = await w.person('492', [{ role: caller.role, unitCode: '492' }]);
      const s = await w.session(clone);
      return {
        method: 'PUT',
        url: '/api/v1/auth/password',
        token: s.token,
        payload: { currentPassword: clone.password!, password: NEW_PASSWORD },
        check: async () => {
          assert.equal((await w.as(s.token, { method: 'GET', url: '/api/v1/auth/session' })).statusCode, 401, 'the sessions end');
          await w.session({ ...clone, password: NEW_PASSWORD });
        },
      };
    },
  },

  // Users: system admins, over the users whose home unit is in their scope.
  'GET /api/v1/users': {
    access: 'user.manage',
    roles: ['system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, scope }) => ({
      method: 'GET',
      url: scope === 'in' ? '/api/v1/users?limit=500' : '/api/v1/users?unit=493',
      check: async (got) => {
        const b = got.json<{ items: { id: string; unitCode: string }[]; total: number }>();
        if (scope === 'out') return assert.deepEqual([b.items, b.total], [[], 0]);
        await assertInDistrict(w, b.items, 'users');
        assert.ok(b.items.some((u) => u.id === w.probe.id));
        assert.ok(!b.items.some((u) => u.id === w.outsider.id));
        assert.equal(b.total, b.items.length, 'the total counts the users in scope only');
      },
    }),
  },
  'POST /api/v1/users': {
    access: 'user.manage',
    roles: ['system_admin'],
    scope: 'create',
    ok: 201,
    out: 403,
    build: async ({ w, scope }) => {
      const username = w.fresh('mx.new');
      return {
        method: 'POST',
        url: '/api/v1/users',
        payload: scope === 'in'
          ? { username, displayName: 'Người mới', unitCode: '20233', password: USER_PASSWORD, assignments: [{ role: 'analyst', unitCode: '20233' }] }
          : { username, displayName: 'Người mới', unitCode: '20263', password: USER_PASSWORD, assignments: [] },
        after: async (got) => {
          const found = json<{ items: { username: string }[] }>(await w.admin({ method: 'GET', url: `/api/v1/users?q=${username}` })).items.filter((u) => u.username === username);
          assert.equal(found.length, got.status === 201 ? 1 : 0);
        },
      };
    },
  },
  'GET /api/v1/users/:id': {
    access: 'user.manage',
    roles: ['system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => ({ method: 'GET', url: `/api/v1/users/${scope === 'in' ? w.probe.id : w.outsider.id}` }),
  },
  'PATCH /api/v1/users/:id': {
    access: 'user.manage',
    roles: ['system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => {
      const u = await w.person(scope === 'in' ? '20233' : '20263');
      return {
        method: 'PATCH',
        url: `/api/v1/users/${u.id}`,
        payload: { displayName: 'Tên đã đổi' },
        after: async (got) => {
          const name = json<{ displayName: string }>(await w.admin({ method: 'GET', url: `/api/v1/users/${u.id}` })).displayName;
          assert.equal(name === 'Tên đã đổi', got.status === 200);
        },
      };
    },
  },
  'PUT /api/v1/users/:id/assignments': {
    access: 'user.manage',
    roles: ['system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => {
      const unitCode = scope === 'in' ? '20233' : '20263';
      const u = await w.person(unitCode);
      return {
        method: 'PUT',
        url: `/api/v1/users/${u.id}/assignments`,
        payload: [{ role: 'analyst', unitCode, sector: null }],
        after: async (got) => {
          const a = json<{ assignments: unknown[] }>(await w.admin({ method: 'GET', url: `/api/v1/users/${u.id}` })).assignments;
          assert.equal(a.length, got.status === 200 ? 1 : 0);
        },
      };
    },
  },
  'PUT /api/v1/users/:id/password': {
    access: 'user.manage',
    roles: ['system_admin'],
    scope: 'object',
    ok: 204,
    out: 404,
    build: async ({ w, scope }) => {
      const u = await w.person(scope === 'in' ? '20233' : '20263');
      return {
        method: 'PUT',
        url: `/api/v1/users/${u.id}/password`,
        payload: { password: NEW_PASSWORD },
        check: async () => void (await w.session({ ...u, password: NEW_PASSWORD })),
        after: async (got) => {
          if (got.status >= 400) await w.session(u); // the old password still works
        },
      };
    },
  },
  'GET /api/v1/users/:id/api-keys': {
    access: 'user.manage',
    roles: ['system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => ({ method: 'GET', url: `/api/v1/users/${scope === 'in' ? w.svc.id : w.serviceOut.id}/api-keys` }),
  },
  'POST /api/v1/users/:id/api-keys': {
    access: 'user.manage',
    roles: ['system_admin'],
    scope: 'object',
    ok: 201,
    out: 404,
    build: async ({ w, scope }) => {
      const s = await w.service(scope === 'in' ? '20233' : '20263');
      return {
        method: 'POST',
        url: `/api/v1/users/${s.id}/api-keys`,
        payload: { name: 'khóa mới' },
        check: async (got) => assert.equal((await w.as(got.json<{ key: string }>().key, { method: 'GET', url: '/api/v1/auth/session' })).statusCode, 200, 'the new key works'),
        after: async (got) => {
          const keys = json<{ items: unknown[] }>(await w.admin({ method: 'GET', url: `/api/v1/users/${s.id}/api-keys` })).items;
          assert.equal(keys.length, got.status === 201 ? 2 : 1);
        },
      };
    },
  },
  'DELETE /api/v1/users/:id/api-keys/:keyId': {
    access: 'user.manage',
    roles: ['system_admin'],
    scope: 'object',
    ok: 204,
    out: 404,
    build: async ({ w, scope }) => {
      const s = await w.service(scope === 'in' ? '20233' : '20263');
      return {
        method: 'DELETE',
        url: `/api/v1/users/${s.id}/api-keys/${s.apiKeyId}`,
        after: async (got) => {
          const works = (await w.as(s.apiKey, { method: 'GET', url: '/api/v1/auth/session' })).statusCode;
          assert.equal(works, got.status === 204 ? 401 : 200, 'a revoked key is refused; a refused revocation leaves it working');
        },
      };
    },
  },

  // Delegations.
  'GET /api/v1/delegations': {
    access: 'authenticated',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'self',
    ok: 200,
    out: 200, // delegations between others are never listed
    build: async ({ w, caller, scope }) => ({
      method: 'GET',
      url: '/api/v1/delegations',
      check: (got) => {
        const items = got.json<{ items: { id: string; grantorId: string; granteeId: string }[] }>().items;
        if (scope === 'out') return assert.ok(!items.some((d) => d.id === w.otherDelegationId), 'a delegation between two others is listed');
        for (const d of items) assert.ok(d.grantorId === caller!.id || d.granteeId === caller!.id, `delegation ${d.id} does not involve the caller`);
        if (caller!.kind === 'person') assert.ok(items.some((d) => d.id === w.scheduled.get(caller!.id)), 'the delegation the caller received');
      },
    }),
  },
  'POST /api/v1/delegations': {
    access: 'delegation.grant',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'create',
    ok: 201,
    // Delegating beyond one's own scope is a validation error naming the field (unitCode: exceeds_own).
    out: 400,
    build: async ({ w, caller, scope }) => ({
      method: 'POST',
      url: '/api/v1/delegations',
      payload: { granteeId: w.grantee.id, role: caller?.role ?? 'city_leader', unitCode: scope === 'in' ? '20233' : '20263', validUntil: iso(NOW + DAY), reason: 'Đi công tác Hà Nội' },
      check: (got) => {
        const d = got.json<{ grantorId: string; status: string }>();
        assert.deepEqual([d.grantorId, d.status], [caller!.id, 'active']);
      },
      after: (got) => {
        if (got.status === 400) assert.deepEqual(got.json<{ errors: { field: string; reason: string }[] }>().errors.map((e) => `${e.field} ${e.reason}`), ['unitCode exceeds_own']);
      },
    }),
  },
  'POST /api/v1/delegations/:id/revoke': {
    access: 'authenticated',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'self',
    ok: 200,
    out: 404,
    // Service accounts neither give nor receive delegations: none of theirs to revoke.
    overrides: { [SVC]: { in: 'skip' } },
    build: async ({ w, caller, scope }) => {
      const id = caller && scope === 'in' ? await w.scheduledDelegation(caller.id) : w.otherDelegationId;
      return {
        method: 'POST',
        url: `/api/v1/delegations/${id}/revoke`,
        check: (got) => assert.equal(got.json<{ status: string }>().status, 'revoked'),
        after: async (got) => {
          if (got.status >= 400) {
            const d = json<{ items: { id: string; status: string }[] }>(await w.as(w.delegator.token, { method: 'GET', url: '/api/v1/delegations' })).items.find((x) => x.id === id);
            assert.equal(d?.status, 'scheduled', 'a refused revocation changes nothing');
          }
        },
      };
    },
  },

  // The audit log: within one's scope; verifying the whole chain needs the whole city.
  'GET /api/v1/audit': {
    access: 'audit.read',
    roles: ['city_leader', 'system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, caller, scope }) => ({
      method: 'GET',
      url: scope === 'in' ? '/api/v1/audit?limit=1000' : '/api/v1/audit?unit=493',
      check: async (got) => {
        const items = got.json<{ items: { unitCode: string | null; target: string | null }[] }>().items;
        if (scope === 'out') return assert.deepEqual(items, []);
        assert.ok(items.length > 0);
        await assertInDistrict(w, items, 'audit');
        const creates = json<{ items: { target: string }[] }>(await w.as(caller!.token, { method: 'GET', url: '/api/v1/audit?action=device.create&limit=1000' })).items.map((e) => e.target);
        assert.ok(creates.includes(`device:${w.devIn}`) && !creates.includes(`device:${w.devOut}`), 'the in-scope creation only');
      },
    }),
  },
  'GET /api/v1/audit/verify': {
    access: 'audit.read',
    roles: ['city_leader', 'system_admin'],
    scope: 'citywide',
    ok: 200,
    build: async () => ({ method: 'GET', url: '/api/v1/audit/verify' }),
  },

  // The org tree: readable by everyone (not confidential); shaped by system admins within their scope.
  'GET /api/v1/units': {
    access: 'unit.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'none',
    ok: 200,
    build: async () => ({
      method: 'GET',
      url: '/api/v1/units',
      check: (got) => {
        const codes = got.json<{ items: { code: string }[] }>().items.map((u) => u.code);
        for (const c of ['48', '492', '493', '20263', '48-health']) assert.ok(codes.includes(c), c);
      },
    }),
  },
  'GET /api/v1/units/:code': {
    access: 'unit.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'none',
    ok: 200,
    // A unit outside the caller's district: units are not scoped.
    build: async () => ({ method: 'GET', url: '/api/v1/units/20263' }),
  },
  'POST /api/v1/units': {
    access: 'unit.manage',
    roles: ['system_admin'],
    scope: 'create',
    ok: 201,
    out: 403,
    build: async ({ w, scope }) => {
      const code = w.fresh('mx-u');
      return {
        method: 'POST',
        url: '/api/v1/units',
        payload: { code, name: { vi: `Phường ${code}`, en: `Ward ${code}` }, kind: 'ward', parent: scope === 'in' ? '492' : '493' },
        after: async (got) => assert.equal((await w.admin({ method: 'GET', url: `/api/v1/units/${code}` })).statusCode, got.status === 201 ? 200 : 404),
      };
    },
  },
  'PUT /api/v1/units/:code': {
    access: 'unit.manage',
    roles: ['system_admin'],
    scope: 'object',
    ok: 200,
    out: 403, // units are not confidential: refused, not hidden
    build: async ({ w, scope }) => {
      const parent = scope === 'in' ? '492' : '493';
      const code = await w.unit(parent);
      return {
        method: 'PUT',
        url: `/api/v1/units/${code}`,
        payload: { code, name: { vi: 'Phường đổi tên', en: 'Renamed ward' }, kind: 'ward', parent },
        after: async (got) => {
          const name = json<{ unit: { name: { en: string } } }>(await w.admin({ method: 'GET', url: `/api/v1/units/${code}` })).unit.name.en;
          assert.equal(name === 'Renamed ward', got.status === 200);
        },
      };
    },
  },
  'POST /api/v1/units/:code/retire': {
    access: 'unit.manage',
    roles: ['system_admin'],
    scope: 'object',
    ok: 200,
    out: 403,
    build: async ({ w, scope }) => {
      const code = await w.unit(scope === 'in' ? '492' : '493');
      return {
        method: 'POST',
        url: `/api/v1/units/${code}/retire`,
        payload: { successor: scope === 'in' ? '20233' : '20263' },
        after: async (got) => {
          const status = json<{ unit: { status: string } }>(await w.admin({ method: 'GET', url: `/api/v1/units/${code}` })).unit.status;
          assert.equal(status, got.status === 200 ? 'retired' : 'active');
        },
      };
    },
  },
  'DELETE /api/v1/units/:code': {
    access: 'unit.manage',
    roles: ['system_admin'],
    scope: 'object',
    ok: 204,
    out: 403,
    build: async ({ w, scope }) => {
      const code = await w.unit(scope === 'in' ? '492' : '493');
      return {
        method: 'DELETE',
        url: `/api/v1/units/${code}`,
        after: async (got) => assert.equal((await w.admin({ method: 'GET', url: `/api/v1/units/${code}` })).statusCode, got.status === 204 ? 404 : 200),
      };
    },
  },

  // Devices.
  'GET /api/v1/devices': {
    access: 'device.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, scope }) => ({
      method: 'GET',
      url: scope === 'in' ? '/api/v1/devices?limit=1000' : '/api/v1/devices?unit=493',
      check: async (got) => {
        const b = got.json<{ items: { id: string; unitCode: string }[]; total: number }>();
        if (scope === 'out') return assert.deepEqual([b.items, b.total], [[], 0]);
        await assertInDistrict(w, b.items, 'devices');
        assert.ok(idsOf(b.items).includes(w.devIn) && !idsOf(b.items).includes(w.devOut));
        assert.equal(b.total, b.items.length, 'the total counts the devices in scope only');
      },
    }),
  },
  'POST /api/v1/devices': {
    access: 'device.manage',
    roles: ['ioc_operator', 'oc_operator', 'data_provider', 'system_admin'],
    scope: 'create',
    ok: 201,
    out: 403,
    build: async ({ w, scope }) => {
      const id = w.fresh('mx-new');
      return {
        method: 'POST',
        url: '/api/v1/devices',
        payload: deviceInput({ id, unitCode: scope === 'in' ? '20233' : '20263', apikey: KEY }),
        after: async (got) => assert.equal((await w.admin({ method: 'GET', url: `/api/v1/devices/${id}` })).statusCode, got.status === 201 ? 200 : 404),
      };
    },
  },
  'GET /api/v1/devices/:id': {
    access: 'device.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => ({ method: 'GET', url: `/api/v1/devices/${scope === 'in' ? w.devIn : w.devOut}` }),
  },
  'PUT /api/v1/devices/:id': {
    access: 'device.manage',
    roles: ['ioc_operator', 'oc_operator', 'data_provider', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => {
      const unitCode = scope === 'in' ? '20233' : '20263';
      const id = await w.device(unitCode);
      return {
        method: 'PUT',
        url: `/api/v1/devices/${id}`,
        payload: deviceInput({ id, name: 'Trạm đã sửa', unitCode, apikey: KEY }),
        after: async (got) => {
          const name = json<{ name: string }>(await w.admin({ method: 'GET', url: `/api/v1/devices/${id}` })).name;
          assert.equal(name === 'Trạm đã sửa', got.status === 200);
        },
      };
    },
  },
  'DELETE /api/v1/devices/:id': {
    access: 'device.manage',
    roles: ['ioc_operator', 'oc_operator', 'data_provider', 'system_admin'],
    scope: 'object',
    ok: 204,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await w.device(scope === 'in' ? '20233' : '20263');
      return {
        method: 'DELETE',
        url: `/api/v1/devices/${id}`,
        after: async (got) => assert.equal((await w.admin({ method: 'GET', url: `/api/v1/devices/${id}` })).statusCode, got.status === 204 ? 404 : 200),
      };
    },
  },
  'POST /api/v1/devices/import': {
    access: 'device.manage',
    roles: ['ioc_operator', 'oc_operator', 'data_provider', 'system_admin'],
    scope: 'create',
    ok: 200,
    // A file with a row outside one's scope is refused whole, naming the row (unitCode: out_of_scope).
    out: 422,
    build: async ({ w, scope }) => {
      const id = w.fresh('mx-imp');
      return {
        method: 'POST',
        url: '/api/v1/devices/import',
        payload: [deviceInput({ id, unitCode: scope === 'in' ? '20233' : '20263', apikey: KEY })],
        check: (got) => assert.deepEqual(got.json(), { imported: 1, created: 1, updated: 0, dryRun: false }),
        after: async (got) => {
          assert.equal((await w.admin({ method: 'GET', url: `/api/v1/devices/${id}` })).statusCode, got.status === 200 ? 200 : 404);
          if (got.status === 422) assert.deepEqual(got.json<{ errors: { row: number; field: string; reason: string }[] }>().errors.map((e) => `${e.row} ${e.field} ${e.reason}`), ['1 unitCode out_of_scope']);
        },
      };
    },
  },
  'POST /api/v1/devices/:id/token': {
    access: 'device.manage',
    roles: ['ioc_operator', 'oc_operator', 'data_provider', 'system_admin'],
    scope: 'object',
    ok: 201,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await w.device(scope === 'in' ? '20233' : '20263');
      return {
        method: 'POST',
        url: `/api/v1/devices/${id}/token`,
        after: async (got) => assert.equal(json<{ hasAccessToken: boolean }>(await w.admin({ method: 'GET', url: `/api/v1/devices/${id}` })).hasAccessToken, got.status === 201),
      };
    },
  },
  'DELETE /api/v1/devices/:id/token': {
    access: 'device.manage',
    roles: ['ioc_operator', 'oc_operator', 'data_provider', 'system_admin'],
    scope: 'object',
    ok: 204,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await w.device(scope === 'in' ? '20233' : '20263', { accessToken: `tok-${w.fresh('mx')}-secret` });
      return {
        method: 'DELETE',
        url: `/api/v1/devices/${id}/token`,
        after: async (got) => assert.equal(json<{ hasAccessToken: boolean }>(await w.admin({ method: 'GET', url: `/api/v1/devices/${id}` })).hasAccessToken, got.status !== 204),
      };
    },
  },

  // Readings.
  'GET /api/v1/latest': {
    access: 'device.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, scope }) => ({
      method: 'GET',
      url: scope === 'in' ? '/api/v1/latest' : '/api/v1/latest?unit=493',
      check: async (got) => {
        const items = got.json<{ items: { deviceId: string; unitCode: string }[] }>().items;
        if (scope === 'out') return assert.deepEqual(items, []);
        await assertInDistrict(w, items, 'latest');
        assert.ok(idsOf(items).includes(w.devIn) && !idsOf(items).includes(w.devOut));
      },
    }),
  },
  'GET /api/v1/devices/:id/series/:attr': {
    access: 'series.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => ({ method: 'GET', url: `/api/v1/devices/${scope === 'in' ? w.devIn : w.devOut}/series/pm25` }),
  },
  'GET /api/v1/devices/:id/series/:attr/export': {
    access: 'data.export',
    roles: ['city_leader', 'ioc_operator', 'analyst', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => ({ method: 'GET', url: `/api/v1/devices/${scope === 'in' ? w.devIn : w.devOut}/series/pm25/export` }),
  },
  'GET /api/v1/live/readings': {
    access: 'device.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, scope }) => ({
      method: 'GET',
      url: scope === 'in' ? '/api/v1/live/readings' : '/api/v1/live/readings?unit=493',
      stream: true,
      check: async (got) => {
        // A reading of the out-of-scope device, then one of the in-scope device; one flush.
        for (const id of [w.devOut, w.devIn]) {
          const r = await w.as(null, { method: 'POST', url: `/iot/json?k=${KEY}&i=${id}`, payload: { pm25: 7, TimeInstant: w.instant() } });
          assert.equal(r.statusCode, 200, r.body);
        }
        w.t.services.live.flush();
        await new Promise((r) => setTimeout(r, 20));
        const events = sseEvents(got.text());
        assert.equal(events[0]?.event, 'ready');
        const ids = events.filter((e) => e.event === 'readings').flatMap((e) => (e.data as { deviceId: string }[]).map((x) => x.deviceId));
        assert.deepEqual([...new Set(ids)], scope === 'in' ? [w.devIn] : [], 'only readings of devices in scope');
      },
    }),
  },

  // Ingestion: the API key group and device id are the credential; a caller who sends a token or
  // API key must also hold ingest.write over the device, or the device is as unknown as a wrong key.
  'POST /iot/json': {
    access: 'public',
    via: 'ingest.write',
    roles: ['data_provider', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 401,
    denied: 401,
    anonymous: 200,
    build: async ({ w, scope }) => ({
      method: 'POST',
      url: `/iot/json?k=${KEY}&i=${scope === 'in' ? w.devIn : w.devOut}`,
      payload: { pm25: 12.5, TimeInstant: w.instant() },
      check: (got) => assert.deepEqual(got.json(), { accepted: 1 }),
    }),
  },

  // Early warning (issue #4): warning rules and their backtests (read: alert.read; write and
  // backtest: rule.manage over the rule's unit), maintenance windows (alert.handle). A rule or a
  // window outside the caller's scope is not found; writing one there is refused.
  'GET /api/v1/rules': {
    access: 'alert.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, scope }) => {
      const [inside, outside] = [await ewRule(w, '20233'), await ewRule(w, '20263')];
      return {
        method: 'GET',
        url: scope === 'in' ? '/api/v1/rules?limit=1000' : '/api/v1/rules?unit=493',
        check: async (got) => {
          const b = got.json<{ items: { id: string; unitCode: string }[]; total: number }>();
          if (scope === 'out') return assert.deepEqual([b.items, b.total], [[], 0]);
          await assertInDistrict(w, b.items, 'rules');
          assert.ok(idsOf(b.items).includes(inside) && !idsOf(b.items).includes(outside));
          assert.equal(b.total, b.items.length, 'the total counts the rules in scope only');
        },
      };
    },
  },
  'POST /api/v1/rules': {
    access: 'rule.manage',
    roles: ['ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'create',
    ok: 201,
    out: 403,
    build: async ({ w, scope }) => {
      const id = w.fresh('mx-rule');
      return {
        method: 'POST',
        url: '/api/v1/rules',
        payload: { id, ...ewRuleDef(scope === 'in' ? '20233' : '20263') },
        after: async (got) => assert.equal((await w.admin({ method: 'GET', url: `/api/v1/rules/${id}` })).statusCode, got.status === 201 ? 200 : 404),
      };
    },
  },
  'POST /api/v1/rules/backtest': {
    access: 'rule.manage',
    roles: ['ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'create',
    ok: 200,
    out: 403,
    build: async ({ scope }) => ({
      method: 'POST',
      url: '/api/v1/rules/backtest',
      payload: { rule: ewRuleDef(scope === 'in' ? '20233' : '20263'), from: iso(NOW - DAY), to: iso(NOW) },
      check: (got) => assert.equal(got.json<{ total: number }>().total, 0),
    }),
  },
  'GET /api/v1/rules/:id': {
    access: 'alert.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => ({ method: 'GET', url: `/api/v1/rules/${await ewRule(w, scope === 'in' ? '20233' : '20263')}` }),
  },
  'PUT /api/v1/rules/:id': {
    access: 'rule.manage',
    roles: ['ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => {
      const unitCode = scope === 'in' ? '20233' : '20263';
      const id = await ewRule(w, unitCode);
      return {
        method: 'PUT',
        url: `/api/v1/rules/${id}`,
        payload: { ...ewRuleDef(unitCode), severity: 'critical', version: 1 },
        after: async (got) => assert.equal(json<{ version: number }>(await w.admin({ method: 'GET', url: `/api/v1/rules/${id}` })).version, got.status === 200 ? 2 : 1),
      };
    },
  },
  'DELETE /api/v1/rules/:id': {
    access: 'rule.manage',
    roles: ['ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'object',
    ok: 204,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await ewRule(w, scope === 'in' ? '20233' : '20263');
      return {
        method: 'DELETE',
        url: `/api/v1/rules/${id}`,
        after: async (got) => assert.equal((await w.admin({ method: 'GET', url: `/api/v1/rules/${id}` })).statusCode, got.status === 204 ? 404 : 200),
      };
    },
  },
  'POST /api/v1/rules/:id/enable': {
    access: 'rule.manage',
    roles: ['ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await ewRule(w, scope === 'in' ? '20233' : '20263', { enabled: false });
      return {
        method: 'POST',
        url: `/api/v1/rules/${id}/enable`,
        after: async (got) => assert.equal(json<{ enabled: boolean }>(await w.admin({ method: 'GET', url: `/api/v1/rules/${id}` })).enabled, got.status === 200),
      };
    },
  },
  'POST /api/v1/rules/:id/disable': {
    access: 'rule.manage',
    roles: ['ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await ewRule(w, scope === 'in' ? '20233' : '20263');
      return {
        method: 'POST',
        url: `/api/v1/rules/${id}/disable`,
        after: async (got) => assert.equal(json<{ enabled: boolean }>(await w.admin({ method: 'GET', url: `/api/v1/rules/${id}` })).enabled, got.status !== 200),
      };
    },
  },
  'GET /api/v1/rules/:id/versions': {
    access: 'alert.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => ({ method: 'GET', url: `/api/v1/rules/${await ewRule(w, scope === 'in' ? '20233' : '20263')}/versions` }),
  },
  'GET /api/v1/rules/:id/versions/:version': {
    access: 'alert.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => ({ method: 'GET', url: `/api/v1/rules/${await ewRule(w, scope === 'in' ? '20233' : '20263')}/versions/1` }),
  },
  'POST /api/v1/rules/:id/backtest': {
    access: 'rule.manage',
    roles: ['ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => ({
      method: 'POST',
      url: `/api/v1/rules/${await ewRule(w, scope === 'in' ? '20233' : '20263')}/backtest`,
      payload: { from: iso(NOW - DAY), to: iso(NOW) },
    }),
  },
  'GET /api/v1/maintenance-windows': {
    access: 'alert.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, scope }) => {
      const [inside, outside] = [await ewWindow(w, '20233'), await ewWindow(w, '20263')];
      return {
        method: 'GET',
        url: scope === 'in' ? '/api/v1/maintenance-windows' : '/api/v1/maintenance-windows?unit=493',
        check: async (got) => {
          const items = got.json<{ items: { id: string; unitCode: string | null }[] }>().items;
          if (scope === 'out') return assert.deepEqual(items, []);
          await assertInDistrict(w, items, 'maintenance windows');
          assert.ok(idsOf(items).includes(inside) && !idsOf(items).includes(outside));
        },
      };
    },
  },
  'POST /api/v1/maintenance-windows': {
    access: 'alert.handle',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'create',
    ok: 201,
    out: 403,
    build: async ({ w, scope }) => {
      const reason = `Bảo trì ${w.fresh('mx-mw')}`;
      return {
        method: 'POST',
        url: '/api/v1/maintenance-windows',
        payload: { unitCode: scope === 'in' ? '20233' : '20263', endsAt: iso(NOW + DAY), reason },
        after: async (got) => {
          const found = json<{ items: { reason: string }[] }>(await w.admin({ method: 'GET', url: '/api/v1/maintenance-windows' })).items.filter((x) => x.reason === reason);
          assert.equal(found.length, got.status === 201 ? 1 : 0);
        },
      };
    },
  },
  'DELETE /api/v1/maintenance-windows/:id': {
    access: 'alert.handle',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'object',
    ok: 204,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await ewWindow(w, scope === 'in' ? '20233' : '20263');
      return {
        method: 'DELETE',
        url: `/api/v1/maintenance-windows/${id}`,
        after: async (got) => {
          const listed = idsOf(json<{ items: { id: string }[] }>(await w.admin({ method: 'GET', url: '/api/v1/maintenance-windows' })).items).includes(id);
          assert.equal(listed, got.status !== 204, 'a cancelled window is no longer listed; a refused cancellation leaves it');
        },
      };
    },
  },

  // Alerts (issue #4): read with alert.read, handled with alert.handle, over the alert's place. An
  // alert outside the caller's scope is not found, for reads and actions alike; the live stream
  // carries only the events of alerts in scope.
  'GET /api/v1/alerts': {
    access: 'alert.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, scope }) => {
      const [inside, outside] = [await ewAlert(w, '20233'), await ewAlert(w, '20263')];
      return {
        method: 'GET',
        url: scope === 'in' ? '/api/v1/alerts?limit=500' : '/api/v1/alerts?unit=493',
        check: async (got) => {
          const b = got.json<{ items: { id: string; unitCode: string }[]; total: number }>();
          if (scope === 'out') return assert.deepEqual([b.items, b.total], [[], 0]);
          await assertInDistrict(w, b.items, 'alerts');
          assert.ok(idsOf(b.items).includes(inside) && !idsOf(b.items).includes(outside));
          assert.equal(b.total, b.items.length, 'the total counts the alerts in scope only');
        },
      };
    },
  },
  'GET /api/v1/alerts/:id': {
    access: 'alert.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await ewAlert(w, scope === 'in' ? '20233' : '20263');
      return { method: 'GET', url: `/api/v1/alerts/${id}`, check: (got) => assert.equal(got.json<{ alert: { id: string } }>().alert.id, id) };
    },
  },
  'POST /api/v1/alerts/:id/acknowledge': {
    access: 'alert.handle',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await ewAlert(w, scope === 'in' ? '20233' : '20263');
      return {
        method: 'POST',
        url: `/api/v1/alerts/${id}/acknowledge`,
        payload: {},
        after: async (got) => assert.equal((await ewAlertView(w, id)).alert.state, got.status === 200 ? 'acknowledged' : 'open'),
      };
    },
  },
  'POST /api/v1/alerts/:id/assign': {
    access: 'alert.handle',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await ewAlert(w, scope === 'in' ? '20233' : '20263');
      return {
        method: 'POST',
        url: `/api/v1/alerts/${id}/assign`,
        payload: { assignee: 'nguyen.van.a' },
        after: async (got) => assert.equal((await ewAlertView(w, id)).alert.assignee, got.status === 200 ? 'nguyen.van.a' : null),
      };
    },
  },
  'POST /api/v1/alerts/:id/comments': {
    access: 'alert.handle',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await ewAlert(w, scope === 'in' ? '20233' : '20263');
      return {
        method: 'POST',
        url: `/api/v1/alerts/${id}/comments`,
        payload: { note: 'Đã liên hệ đội ứng cứu' },
        after: async (got) => assert.equal((await ewAlertView(w, id)).timeline.some((e) => e.kind === 'commented'), got.status === 200),
      };
    },
  },
  'POST /api/v1/alerts/:id/close': {
    access: 'alert.handle',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'system_admin'],
    scope: 'object',
    ok: 200,
    out: 404,
    build: async ({ w, scope }) => {
      const id = await ewAlert(w, scope === 'in' ? '20233' : '20263');
      return {
        method: 'POST',
        url: `/api/v1/alerts/${id}/close`,
        payload: { note: 'Đã xử lý xong' },
        after: async (got) => assert.equal((await ewAlertView(w, id)).alert.state, got.status === 200 ? 'closed' : 'open'),
      };
    },
  },
  'GET /api/v1/live/alerts': {
    access: 'alert.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, scope }) => ({
      method: 'GET',
      url: '/api/v1/live/alerts',
      stream: true,
      check: async (got) => {
        // In scope: an alert of Sơn Trà, then one of Hải Châu. Out of scope: the Sơn Trà one only.
        const outside = await ewAlert(w, '20263');
        const inside = scope === 'in' ? await ewAlert(w, '20233') : undefined;
        await new Promise((r) => setTimeout(r, 20));
        const events = sseEvents(got.text());
        assert.equal(events[0]?.event, 'ready');
        const ids = events.filter((e) => e.event === 'alert').map((e) => (e.data as { alert: { id: string } }).alert.id);
        assert.ok(!ids.includes(outside), 'never an alert out of scope');
        assert.deepEqual(ids, inside ? [inside] : [], 'the raised event of the alert in scope');
      },
    }),
  },

  // The overview map and tiles: devices under device.read, alerts under alert.read, unit areas
  // under unit.read; whatever lies outside the caller's scope is absent from features and figures.
  'GET /api/v1/map/devices': {
    access: 'device.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, scope }) => {
      const alert = scope === 'in' ? await ewAlert(w, '20233') : undefined;
      return {
        method: 'GET',
        url: scope === 'in' ? '/api/v1/map/devices' : '/api/v1/map/devices?unit=493',
        check: async (got) => {
          const b = got.json<{ type: string; features: { id: string; properties: { unitCode: string; activeAlerts: number; severity: string | null } }[] }>();
          assert.equal(b.type, 'FeatureCollection');
          if (scope === 'out') return assert.deepEqual(b.features, []);
          await assertInDistrict(w, b.features.map((f) => f.properties), 'map devices');
          const ids = b.features.map((f) => f.id);
          assert.ok(ids.includes(w.devIn) && !ids.includes(w.devOut));
          const mine = b.features.find((f) => f.id === w.devIn)!.properties;
          assert.ok(alert && mine.activeAlerts >= 1 && mine.severity !== null, 'the alert in scope shows on its device');
        },
      };
    },
  },
  'GET /api/v1/map/units': {
    access: 'unit.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, scope }) => {
      // A fresh ward with an area: under 492 (in scope) or 493 (out of scope).
      const code = w.fresh('mx-u');
      const geometry = { type: 'Polygon', coordinates: [[[108.2, 16.0], [108.21, 16.0], [108.21, 16.01], [108.2, 16.0]]] };
      const r = await w.admin({ method: 'POST', url: '/api/v1/units', payload: { code, name: { vi: `Phường ${code}`, en: `Ward ${code}` }, kind: 'ward', parent: scope === 'in' ? '492' : '493', geometry } });
      assert.equal(r.statusCode, 201, r.body);
      return {
        method: 'GET',
        url: '/api/v1/map/units',
        check: async (got) => {
          const codes = got.json<{ features: { id: string; properties: { code: string } }[] }>().features.map((f) => f.properties.code);
          for (const c of codes) assert.ok(await w.inDistrict(c), `unit ${c} is outside the caller's scope`);
          assert.equal(codes.includes(code), scope === 'in', `the new ward ${code}`);
        },
      };
    },
  },
  'GET /api/v1/overview': {
    access: 'device.read',
    roles: ['city_leader', 'ioc_operator', 'oc_operator', 'analyst', 'data_provider', 'system_admin'],
    scope: 'list',
    ok: 200,
    build: async ({ w, caller, scope }) => {
      // A fresh alert inside or outside the caller's scope: the figures count only what the caller's
      // own (scoped) listings hold.
      await ewAlert(w, scope === 'in' ? '20233' : '20263');
      return {
        method: 'GET',
        url: '/api/v1/overview',
        check: async (got) => {
          const o = got.json<{ alerts: Record<string, number>; devices: { total: number } }>();
          const total = async (url: string) => {
            const r = await w.as(caller!.token, { method: 'GET', url });
            assert.equal(r.statusCode, 200, r.body);
            return r.json<{ total: number }>().total;
          };
          const { escalated, ...bySeverity } = o.alerts;
          assert.equal(Object.values(bySeverity).reduce((a, b) => a + b, 0), await total('/api/v1/alerts?state=active&limit=1'), 'active alerts: those of the caller\'s alert list');
          assert.equal(escalated, await total('/api/v1/alerts?state=active&escalated=true&limit=1'));
          assert.equal(o.devices.total, await total('/api/v1/devices?limit=1'), 'devices: those of the caller\'s device list');
          const all = (await w.admin({ method: 'GET', url: '/api/v1/devices?limit=1' })).json<{ total: number }>().total;
          assert.ok(o.devices.total < all, 'not the city\'s');
        },
      };
    },
  },
};

/** Rules the alerts of the matrix cite, one per unit and backend. */
const ewAlertRules = new WeakMap<World, Map<string, string>>();

/**
 * A fresh open alert in `unitCode`, written by the alert store as the engine writes one, and
 * published to the live stream; its id.
 */
async function ewAlert(w: World, unitCode: string): Promise<string> {
  const rules = ewAlertRules.get(w) ?? new Map<string, string>();
  ewAlertRules.set(w, rules);
  let ruleId = rules.get(unitCode);
  if (!ruleId) rules.set(unitCode, (ruleId = await ewRule(w, unitCode)));
  const device = unitCode === '20263' ? w.devOut : w.devIn;
  const ts = NOW - 60_000;
  const change = await w.t.services.alertStore.raise(
    {
      ruleId,
      ruleVersion: 1,
      subject: `device:${device}:${w.fresh('mx-alert')}`,
      deviceId: device,
      unitCode,
      sector: 'environment',
      ownerUnit: unitCode === '20263' ? '493' : '492',
      severity: 'minor',
      title: { vi: 'PM2.5 vượt ngưỡng', en: 'PM2.5 above the limit' },
      ts,
      value: 60,
      upward: true,
      evidence: { ruleId, ruleVersion: 1, condition: ewRuleDef(unitCode).condition as never, ts, leaves: [] },
      reopenMs: 0,
    },
    NOW,
  );
  w.t.services.alertStream.publish(change);
  return change.alert.id;
}

/** An alert as the first admin sees it, with its timeline. */
async function ewAlertView(w: World, id: string): Promise<{ alert: { state: string; assignee: string | null }; timeline: { kind: string }[] }> {
  const r = await w.admin({ method: 'GET', url: `/api/v1/alerts/${id}` });
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
}

/** A rule definition for the early-warning entries: every sector, air quality, in `unitCode`. */
function ewRuleDef(unitCode: string): Record<string, unknown> {
  return {
    name: { vi: 'PM2.5 vượt ngưỡng', en: 'PM2.5 above the limit' },
    unitCode,
    deviceType: 'air_quality',
    condition: { kind: 'threshold', attr: 'pm25', op: '>', raise: 55.4, clear: 35.4 },
    severity: 'minor',
  };
}

/** A fresh rule made by the first admin; its id. */
async function ewRule(w: World, unitCode: string, over: Record<string, unknown> = {}): Promise<string> {
  const id = w.fresh('mx-rule');
  const r = await w.admin({ method: 'POST', url: '/api/v1/rules', payload: { id, ...ewRuleDef(unitCode), ...over } });
  assert.equal(r.statusCode, 201, r.body);
  return id;
}

/** A fresh maintenance window over a unit, made by the first admin; its id. */
async function ewWindow(w: World, unitCode: string): Promise<string> {
  const r = await w.admin({ method: 'POST', url: '/api/v1/maintenance-windows', payload: { unitCode, endsAt: iso(NOW + DAY), reason: `Bảo trì ${w.fresh('mx-mw')}` } });
  assert.equal(r.statusCode, 201, r.body);
  return r.json<{ id: string }>().id;
}

// ── Running a case ──────────────────────────────────────────────────────────────────────────

const casesOf = (e: Entry): Case[] =>
  e.scope === 'none' || e.scope === 'citywide' ? ['in'] : e.scope === 'self' && e.out === undefined ? ['in'] : ['in', 'out'];

function expectedStatus(e: Entry, caller: Caller | undefined, scope: Case): number | 'skip' {
  if (!caller) return e.anonymous ?? (e.access === 'public' ? e.ok : 401);
  const o = e.overrides?.[caller.label]?.[scope];
  if (o !== undefined) return o;
  if (!e.roles.includes(caller.role)) return e.denied ?? 403;
  if (e.scope === 'citywide') return 403;
  return scope === 'in' ? e.ok : (e.out ?? e.ok);
}

/** The error codes a refusal may carry. */
const REFUSAL_CODES: Record<number, RegExp> = {
  401: /^IOC_ERR_(UNAUTHENTICATED|INGEST_AUTH)$/,
  403: /^IOC_ERR_FORBIDDEN$/,
  404: /^IOC_ERR_([A-Z]+_)?NOT_FOUND$/,
};

/** Runs one case; returns a problem, or undefined when it went as the matrix says. */
async function runCase(w: World, key: string, e: Entry, caller: Caller | undefined, scope: Case, expected: number): Promise<string | undefined> {
  const req = await e.build({ w, caller, scope });
  const token = req.token !== undefined ? req.token : caller?.token;
  const res = await w.t.app.inject({
    method: req.method,
    url: req.url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...req.headers },
    ...(req.payload !== undefined ? { payload: req.payload } : {}),
    ...(req.remoteAddress ? { remoteAddress: req.remoteAddress } : {}),
    ...(req.stream ? { payloadAsStream: true } : {}),
  });
  let text = req.stream ? '' : res.body;
  if (req.stream) {
    const s = res.stream();
    if (res.statusCode < 300) s.on('data', (c: Buffer) => (text += c.toString()));
    else for await (const c of s) text += (c as Buffer).toString();
  }
  const got: Got = { status: res.statusCode, text: () => text, json: <T>() => JSON.parse(text) as T };
  const where = `${key} as ${caller?.label ?? 'no session'} (${scope} scope): ${req.method} ${req.url}`;
  try {
    if (res.statusCode !== expected) return `${where}: expected ${expected}, got ${res.statusCode} ${text.slice(0, 300)}`;
    if (expected >= 400) {
      const code = got.json<{ code: string; message: string }>();
      const want = REFUSAL_CODES[expected];
      if (want && !want.test(code.code)) return `${where}: ${expected} with code ${code.code}`;
      if (expected === 404 && code.message.startsWith('no route')) return `${where}: the request matched no route (a bad builder)`;
    } else await req.check?.(got);
    await req.after?.(got);
    return undefined;
  } catch (err) {
    return `${where}: ${expected} as expected, but ${(err as Error).message.split('\n')[0]}`;
  } finally {
    if (req.stream && res.statusCode < 300) res.raw.res.end();
  }
}

const routeKeys = (r: RouteOptions): string[] => [r.method].flat().filter((m) => m !== 'HEAD').map((m) => `${m} ${r.url}`);
const isPermission = (a: Access): a is Permission => (PERMISSIONS as readonly string[]).includes(a);

// ── The tests ───────────────────────────────────────────────────────────────────────────────

for (const backend of await backends()) {
  describe(`authorization matrix on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp;
    let w: World;
    let clock = NOW;
    const routes: RouteOptions[] = [];
    const tally = new Map<string, number>();
    const count = (k: string) => tally.set(k, (tally.get(k) ?? 0) + 1);
    let started = 0;

    before(async () => {
      started = performance.now();
      database = await backend.open();
      t = await buildTestApp(database, { clock: () => clock, onRoute: (r) => void routes.push(r) });
      const admin: Send = (o) => t.inject(o);
      let n = 0;
      const fresh = (prefix: string) => `${prefix}${prefix.includes('.') ? '' : '-'}${++n}`;
      const as = (token: string | null, o: InjectOptions) => t.app.inject({ ...o, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...o.headers } });
      const person = async (unitCode: string, assignments: { role: Role; unitCode: string }[] = []): Promise<Who> => ({
        ...(await createPerson(admin, fresh('mx.p'), unitCode, assignments)),
        password: USER_PASSWORD,
      });
      const session = async (who: Who) => {
        const r = await t.services.auth.login(who.username, who.password ?? USER_PASSWORD, { kind: 'bearer', ip: freshIp() });
        return { token: r.token, sessionId: r.session.id };
      };
      const device = async (unitCode: string, over: Record<string, unknown> = {}) => {
        const id = fresh('mx-d');
        const r = await admin({ method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id, unitCode, apikey: KEY, ...over }) });
        assert.equal(r.statusCode, 201, r.body);
        return id;
      };
      const unit = async (parent: string) => {
        const code = fresh('mx-u');
        const r = await admin({ method: 'POST', url: '/api/v1/units', payload: { code, name: { vi: `Phường ${code}`, en: `Ward ${code}` }, kind: 'ward', parent } });
        assert.equal(r.statusCode, 201, r.body);
        return code;
      };

      // The callers: one person per role over district 492, and the data provider's service account.
      const callers: Caller[] = [];
      for (const role of ROLES) {
        const u = await createPerson(admin, `mx.${role}`, '492', [{ role, unitCode: '492' }]);
        callers.push({ label: role, role, kind: 'person', id: u.id, username: u.username, password: USER_PASSWORD, token: await tokenFor(t.app, u.username) });
      }
      const s = await createService(admin, 'mx.provider-svc', '492', [{ role: 'data_provider', unitCode: '492' }]);
      const svc: Caller = { label: SVC, role: 'data_provider', kind: 'service', id: s.id, username: s.username, token: s.apiKey };
      callers.push(svc);

      const probe = await person('492', [{ role: 'analyst', unitCode: '492' }]);
      const outsiderUser = await person('20263', [{ role: 'analyst', unitCode: '493' }]);
      const outsider = { ...outsiderUser, token: await tokenFor(t.app, outsiderUser.username) };
      const serviceOut = await createService(admin, fresh('mx.s'), '20263', [{ role: 'data_provider', unitCode: '493' }]);
      const grantee = await person('492', [{ role: 'analyst', unitCode: '492' }]);
      const delegatorUser = await person('48', [{ role: 'city_leader', unitCode: '48' }]);
      const delegator = { ...delegatorUser, token: await tokenFor(t.app, delegatorUser.username) };
      const scheduledDelegation = async (granteeId: string, unitCode = '20233') => {
        const r = await as(delegator.token, {
          method: 'POST',
          url: '/api/v1/delegations',
          payload: { granteeId, role: 'city_leader', unitCode, validFrom: iso(clock + 30 * DAY), validUntil: iso(clock + 31 * DAY), reason: 'Nghỉ phép năm' },
        });
        assert.equal(r.statusCode, 201, r.body);
        return r.json<{ id: string }>().id;
      };
      const scheduled = new Map<string, string>();
      for (const c of callers) if (c.kind === 'person') scheduled.set(c.id, await scheduledDelegation(c.id));
      let instants = 0;

      w = {
        t,
        admin,
        callers,
        svc,
        probe,
        outsider,
        serviceOut,
        grantee,
        delegator,
        otherDelegationId: await scheduledDelegation(outsider.id, '20263'),
        scheduled,
        devIn: await device('20233'),
        devOut: await device('20263'),
        as,
        device,
        person,
        service: (unitCode) => createService(admin, fresh('mx.s'), unitCode, [{ role: 'data_provider', unitCode }]),
        unit,
        session,
        scheduledDelegation,
        inDistrict: async (code) => code !== null && (await t.units.tree()).covers('492', code),
        fresh,
        instant: () => iso(clock - ++instants * 1000),
      };
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    it('has an entry for every route the app serves, and a route for every entry', () => {
      const served = new Map(routes.flatMap((r) => routeKeys(r).map((k) => [k, (r.config as { access?: Access } | undefined)?.access] as const)));
      const missing = [...served.keys()].filter((k) => !(k in MATRIX));
      const stale = Object.keys(MATRIX).filter((k) => !served.has(k));
      const access = Object.entries(MATRIX).filter(([k, e]) => served.has(k) && served.get(k) !== e.access).map(([k, e]) => `${k}: the matrix says ${e.access}, the route declares ${served.get(k)}`);
      assert.deepEqual(
        { missing, stale, access },
        { missing: [], stale: [], access: [] },
        `routes without an entry in MATRIX: ${missing.join(', ') || 'none'}; entries without a route: ${stale.join(', ') || 'none'}; access: ${access.join('; ') || 'agrees'}`,
      );
    });

    it('agrees with ROLE_PERMISSIONS: the roles of each entry are the holders of its permission', () => {
      const problems: string[] = [];
      for (const [key, e] of Object.entries(MATRIX)) {
        const p = e.via ?? (isPermission(e.access) ? e.access : undefined);
        const holders = ROLES.filter((r) => !p || ROLE_PERMISSIONS[r].includes(p));
        if ([...e.roles].sort().join() !== [...holders].sort().join()) problems.push(`${key}: the matrix says [${e.roles.join(', ')}], ${p ?? e.access} means [${holders.join(', ')}]`);
        if ((e.scope === 'object' || e.scope === 'create') && e.out === undefined) problems.push(`${key}: an ${e.scope} entry needs its out-of-scope status`);
      }
      assert.deepEqual(problems, []);
    });

    for (const [key, e] of Object.entries(MATRIX)) {
      it(key, async () => {
        const problems: string[] = [];
        const anon = expectedStatus(e, undefined, 'in') as number;
        const p = await runCase(w, key, e, undefined, 'in', anon);
        count(`${anon < 300 ? '2xx' : anon}`);
        if (p) problems.push(p);
        for (const caller of w.callers) {
          for (const scope of casesOf(e)) {
            const expected = expectedStatus(e, caller, scope);
            if (expected === 'skip') {
              count('n/a');
              continue;
            }
            count(`${expected < 300 ? '2xx' : expected}`);
            const problem = await runCase(w, key, e, caller, scope, expected);
            if (problem) problems.push(problem);
          }
        }
        if (problems.length) tally.set('mismatch', (tally.get('mismatch') ?? 0) + problems.length);
        assert.deepEqual(problems, [], `${problems.length} case(s) of ${key} differ from the matrix:\n${problems.join('\n')}`);
      });
    }

    it('lets a city-wide admin verify the audit chain (the district holders of audit.read may not)', async () => {
      const r = await t.inject({ method: 'GET', url: '/api/v1/audit/verify' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json<{ ok: boolean }>().ok, true);
    });

    it('refuses a token once it is signed out (401), on reads and writes alike', async () => {
      const u = await w.person('492', [{ role: 'oc_operator', unitCode: '492' }]);
      const token = await tokenFor(t.app, u.username);
      assert.equal((await w.as(token, { method: 'GET', url: `/api/v1/devices/${w.devIn}` })).statusCode, 200);
      assert.equal((await w.as(token, { method: 'POST', url: '/api/v1/auth/logout' })).statusCode, 204);
      for (const o of [
        { method: 'GET', url: `/api/v1/devices/${w.devIn}` },
        { method: 'GET', url: '/api/v1/auth/session' },
        { method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: w.fresh('mx-late'), unitCode: '20233', apikey: KEY }) },
        { method: 'POST', url: '/api/v1/auth/logout' },
      ] as InjectOptions[]) {
        const r = await w.as(token, o);
        assert.equal(r.statusCode, 401, `${o.method} ${o.url}: ${r.body}`);
        assert.equal(r.json<{ code: string }>().code, 'IOC_ERR_UNAUTHENTICATED');
      }
    });

    it(
      'does not let a district admin take over an account that holds more than they do',
      async () => {
        const districtAdmin = w.callers.find((c) => c.label === 'system_admin')!;
        const cityAdmin = await w.person('492', [{ role: 'system_admin', unitCode: '48' }]);
        const cityFeed = await createService(w.admin, w.fresh('mx.s'), '492', [{ role: 'data_provider', unitCode: '48' }]);
        const got = {
          password: (await w.as(districtAdmin.token, { method: 'PUT', url: `/api/v1/users/${cityAdmin.id}/password`, payload: { password: NEW_PASSWORD } })).statusCode,
          apiKey: (await w.as(districtAdmin.token, { method: 'POST', url: `/api/v1/users/${cityFeed.id}/api-keys`, payload: { name: 'của tôi' } })).statusCode,
          disable: (await w.as(districtAdmin.token, { method: 'PATCH', url: `/api/v1/users/${cityAdmin.id}`, payload: { disabled: true } })).statusCode,
        };
        assert.deepEqual(
          Object.fromEntries(Object.entries(got).map(([k, s]) => [k, s >= 400 ? 'refused' : s])),
          { password: 'refused', apiKey: 'refused', disable: 'refused' },
        );
      },
    );

    describe('delegation', () => {
      const leader = () => w.callers.find((c) => c.label === 'city_leader')!;
      const operator = () => w.callers.find((c) => c.label === 'ioc_operator')!;
      /** An analyst over 492, signed in: holds neither audit.read nor device.manage of their own. */
      const analyst = async () => {
        const u = await w.person('492', [{ role: 'analyst', unitCode: '492' }]);
        return { ...u, token: await tokenFor(t.app, u.username) };
      };
      const delegate = async (grantor: Caller, granteeId: string, role: Role, validUntil: number) => {
        const r = await w.as(grantor.token, { method: 'POST', url: '/api/v1/delegations', payload: { granteeId, role, unitCode: '20233', validUntil: iso(validUntil), reason: 'Trực thay trong kỳ nghỉ' } });
        assert.equal(r.statusCode, 201, r.body);
        return r.json<{ id: string }>().id;
      };

      it('grants while in force, and no longer once it has expired', async () => {
        const g = await analyst();
        assert.equal((await w.as(g.token, { method: 'GET', url: '/api/v1/audit' })).statusCode, 403, 'an analyst has no audit.read');
        const id = await delegate(leader(), g.id, 'city_leader', clock + HOUR);
        const during = await w.as(g.token, { method: 'GET', url: '/api/v1/audit?limit=1000' });
        assert.equal(during.statusCode, 200, during.body);
        for (const i of during.json<{ items: { unitCode: string | null }[] }>().items) assert.ok(i.unitCode !== null && (await t.units.tree()).covers('20233', i.unitCode), `only the delegated ward: ${i.unitCode}`);
        const saved = clock;
        try {
          clock = saved + HOUR; // validUntil is exclusive
          const r = await w.as(g.token, { method: 'GET', url: '/api/v1/audit' });
          assert.equal(r.statusCode, 403, r.body);
          const grants = (await w.as(g.token, { method: 'GET', url: '/api/v1/auth/session' })).json<{ grants: unknown[] }>().grants;
          assert.deepEqual(grants, [{ role: 'analyst', unitCode: '492', sector: null }], 'the session shows the own grant only');
          const d = (await w.as(g.token, { method: 'GET', url: '/api/v1/delegations' })).json<{ items: { id: string; status: string }[] }>().items.find((x) => x.id === id);
          assert.equal(d?.status, 'expired');
        } finally {
          clock = saved;
        }
      });

      it('no longer grants once its grantor revokes it', async () => {
        const g = await analyst();
        const id = await delegate(leader(), g.id, 'city_leader', clock + DAY);
        assert.equal((await w.as(g.token, { method: 'GET', url: '/api/v1/audit' })).statusCode, 200);
        const r = await w.as(leader().token, { method: 'POST', url: `/api/v1/delegations/${id}/revoke` });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.json<{ status: string }>().status, 'revoked');
        assert.equal((await w.as(g.token, { method: 'GET', url: '/api/v1/audit' })).statusCode, 403);
        assert.equal((await w.as(leader().token, { method: 'POST', url: `/api/v1/delegations/${id}/revoke` })).statusCode, 409, 'revoked already');
      });

      it('records an action it allowed "on behalf of" the grantor, and only such an action', async () => {
        const g = await analyst();
        await delegate(operator(), g.id, 'ioc_operator', clock + DAY);
        const id = w.fresh('mx-deleg');
        const r = await w.as(g.token, { method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id, unitCode: '20233', apikey: KEY }) });
        assert.equal(r.statusCode, 201, r.body);
        const beyond = await w.as(g.token, { method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: w.fresh('mx-deleg'), unitCode: '20236', apikey: KEY }) });
        assert.equal(beyond.statusCode, 403, `outside the delegated ward: ${beyond.body}`);
        const own = await w.device('20233'); // the first admin, on their own authority

        const log = (await t.inject({ method: 'GET', url: '/api/v1/audit?action=device.create&limit=1000' })).json<{ items: { target: string; actorId: string; actorName: string; onBehalfOfId: string | null; onBehalfOfName: string | null }[] }>().items;
        const entry = log.find((e) => e.target === `device:${id}`);
        assert.ok(entry, 'the creation is audited');
        assert.deepEqual(
          { actorId: entry.actorId, actorName: entry.actorName, onBehalfOfId: entry.onBehalfOfId, onBehalfOfName: entry.onBehalfOfName },
          { actorId: g.id, actorName: g.username, onBehalfOfId: operator().id, onBehalfOfName: operator().username },
        );
        assert.equal(log.find((e) => e.target === `device:${own}`)?.onBehalfOfName, null, 'an action on one’s own authority names no one');
      });
    });

    it('summary', (tc) => {
      const order = ['2xx', '400', '401', '403', '404', '422', 'n/a', 'mismatch'];
      const parts = [...tally.entries()].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([k, v]) => `${k} ${v}`);
      const cases = [...tally.entries()].filter(([k]) => k !== 'n/a' && k !== 'mismatch').reduce((s, [, v]) => s + v, 0);
      tc.diagnostic(
        `${backend.name}: ${Object.keys(MATRIX).length} routes × (${w.callers.length} callers × in/out scope + no session) = ${cases} cases — ${parts.join(', ')}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    });
  });
}
