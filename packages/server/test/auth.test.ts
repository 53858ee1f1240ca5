/**
 * Authentication over HTTP, on PGlite and on PostgreSQL: sign-in with a session cookie (HttpOnly,
 * SameSite=Strict) and its CSRF token, bearer tokens, no username enumeration (the same answer,
 * lockout and address limit for known and unknown names), malformed input, the password policy,
 * sessions (list, revoke, logout, disabled users), expiry, service-account API keys, device access
 * tokens over HTTP, and the first admin of a fresh database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkPassword } from '@haidang/domain';
import type { LightMyRequestResponse } from 'fastify';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { buildApp } from '../src/app.ts';
import { wireServices } from '../src/compose.ts';
import { systemContext } from '../src/services/request-context.ts';
import { backends } from './support/databases.ts';
import { deviceInput, UNITS } from './support/fixtures.ts';
import { bearer, cookieLogin, createPerson, createService, freshIp, type Send, tokenFor, USER_PASSWORD } from './support/identity.ts';
import { buildTestApp, TEST_ADMIN_PASSWORD, TEST_SCRYPT, type TestApp } from './support/test-app.ts';

/** The services' "now" at the start: 2026-11-25 10:00 in Đà Nẵng. Tests only move it forward. */
const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const SEC = 1000;
const MIN = 60_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** An error body without its correlation id (which differs per request). */
const errorOf = (r: LightMyRequestResponse): Record<string, unknown> => {
  const { correlationId, ...rest } = r.json<Record<string, unknown>>();
  assert.equal(typeof correlationId, 'string');
  return rest;
};
const fieldReasons = (r: LightMyRequestResponse): string[] => (r.json<{ errors?: { field: string; reason: string }[] }>().errors ?? []).map((e) => `${e.field} ${e.reason}`);
const setCookieOf = (r: LightMyRequestResponse): string[] => [r.headers['set-cookie'] ?? []].flat();

const FAILED = { statusCode: 401, code: 'IOC_ERR_AUTH_FAILED', message: 'Wrong username or password', title: { vi: 'Tên đăng nhập hoặc mật khẩu không đúng', en: 'Wrong username or password' } };

interface AuditItem {
  seq: number;
  actorId: string | null;
  actorName: string;
  action: string;
  outcome: string;
  unitCode: string | null;
  target: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  correlationId: string | null;
}

for (const backend of await backends()) {
  describe(`authentication on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp;
    let now = NOW;
    let adminToken = { token: '', at: 0 };

    /** Requests as the first admin, with a token renewed when the clock has moved far. */
    const admin: Send = async (o) => {
      if (!adminToken.token || now - adminToken.at > 6 * HOUR) {
        adminToken = { token: (await t.services.auth.login('admin', TEST_ADMIN_PASSWORD, { kind: 'bearer', ip: freshIp() })).token, at: now };
      }
      return bearer(t.app, adminToken.token)(o);
    };
    const login = (username: string, password: string, ip: string, path: 'login' | 'token' = 'login') =>
      t.app.inject({ method: 'POST', url: `/api/v1/auth/${path}`, payload: { username, password }, remoteAddress: ip });
    /** GET /api/v1/auth/session with a bearer token. */
    const whoAmI = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { authorization: `Bearer ${token}` } });
    const withCookie = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { hd_session: token } });
    const auditOf = async (action: string): Promise<AuditItem[]> => {
      const r = await admin({ method: 'GET', url: `/api/v1/audit?action=${action}&limit=1000` });
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{ items: AuditItem[] }>().items;
    };

    before(async () => {
      database = await backend.open();
      t = await buildTestApp(database, { clock: () => now });
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    describe('sign-in, cookie and CSRF', () => {
      let csrfUser: { id: string };
      before(async () => {
        csrfUser = await createPerson(admin, 'csrf.user', '492', [{ role: 'oc_operator', unitCode: '492' }]);
      });

      it('sets an HttpOnly, SameSite=Strict, Path=/ session cookie (not Secure by default) and returns the user and a CSRF token', async () => {
        const r = await login('csrf.user', USER_PASSWORD, freshIp());
        assert.equal(r.statusCode, 200, r.body);
        const cookies = setCookieOf(r);
        assert.equal(cookies.length, 1);
        const c = cookies[0]!;
        assert.match(c, /^hd_session=hds_[A-Za-z0-9_-]{40,};/);
        const attrs = c.split(';').slice(1).map((a) => a.trim().toLowerCase());
        assert.ok(attrs.includes('httponly'), c);
        assert.ok(attrs.includes('samesite=strict'), c);
        assert.ok(attrs.includes('path=/'), c);
        assert.ok(!attrs.includes('secure'), c);
        const expires = attrs.find((a) => a.startsWith('expires='));
        assert.ok(expires, c);
        assert.equal(Date.parse(expires.slice('expires='.length)), Math.floor((now + 12 * HOUR) / 1000) * 1000, 'the cookie lasts as long as the session at most');

        const body = r.json();
        assert.deepEqual(Object.keys(body).sort(), ['csrfToken', 'expiresAt', 'user']);
        assert.equal(body.user.username, 'csrf.user');
        assert.equal(body.user.id, csrfUser.id);
        assert.deepEqual(body.user.assignments, [{ role: 'oc_operator', unitCode: '492', sector: null }]);
        assert.match(body.csrfToken, /^[A-Za-z0-9_-]{32,}$/);
        assert.equal(body.expiresAt, iso(now + 12 * HOUR));
        assert.ok(!/scrypt|passwordHash|password_hash/i.test(r.body), 'no password hash in the answer');

        const token = decodeURIComponent(c.slice('hd_session='.length).split(';')[0]!);
        assert.ok(!r.body.includes(token), 'the session token is in the cookie only');
        const s = await withCookie(token);
        assert.equal(s.statusCode, 200, s.body);
        assert.equal(s.json().user.username, 'csrf.user');
        assert.equal(s.json().csrfToken, body.csrfToken);
        assert.deepEqual(s.json().grants, [{ role: 'oc_operator', unitCode: '492', sector: null }]);
        assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/session' })).statusCode, 401, 'no cookie, no session');
        assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { hd_session: `${token}x` } })).statusCode, 401);
      });

      it('refuses cookie-authenticated POST, PUT, PATCH and DELETE without the session’s CSRF token (403), and lets them through with it', async () => {
        const s = await cookieLogin(t.app, 'csrf.user');
        const other = await cookieLogin(t.app, 'csrf.user');
        const adminCookie = await cookieLogin(t.app, 'admin', TEST_ADMIN_PASSWORD);
        assert.notEqual(s.csrfToken, other.csrfToken, 'one CSRF token per session');
        const cases: { session: typeof s; method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: object; passes: number }[] = [
          { session: s, method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: 'csrf-dev', unitCode: '20233' }), passes: 201 },
          { session: s, method: 'PUT', url: '/api/v1/auth/password', payload: { currentPassword: 'not-my-password-1A!', password: 'Một-mật-khẩu-mới-2026' }, passes: 400 },
          { session: adminCookie, method: 'PATCH', url: `/api/v1/users/${csrfUser.id}`, payload: { displayName: 'Người dùng CSRF' }, passes: 200 },
          { session: s, method: 'DELETE', url: `/api/v1/auth/sessions/${crypto.randomUUID()}`, passes: 404 },
        ];
        for (const c of cases) {
          const label = `${c.method} ${c.url}`;
          const send = (headers: Record<string, string>) => t.app.inject({ method: c.method, url: c.url, ...(c.payload ? { payload: c.payload } : {}), cookies: { hd_session: c.session.token }, headers });
          for (const [why, headers] of [
            ['no token', {}],
            ['empty token', { 'x-csrf-token': '' }],
            ['wrong token', { 'x-csrf-token': 'A'.repeat(c.session.csrfToken.length) }],
            ['another session’s token', { 'x-csrf-token': (c.session === s ? other : s).csrfToken }],
            ['the token with a suffix', { 'x-csrf-token': `${c.session.csrfToken}x` }],
          ] as const) {
            const r = await send(headers);
            assert.equal(r.statusCode, 403, `${label}: ${why}: ${r.body}`);
            assert.equal(r.json().code, 'IOC_ERR_CSRF', `${label}: ${why}`);
          }
          const r = await send({ 'x-csrf-token': c.session.csrfToken });
          assert.equal(r.statusCode, c.passes, `${label} with the token: ${r.body}`);
          if (c.passes === 400) assert.deepEqual(fieldReasons(r), ['currentPassword wrong']);
        }
        assert.equal((await admin({ method: 'GET', url: '/api/v1/devices/csrf-dev' })).json().unitCode, '20233', 'created once, by the request with the token');
        // Safe methods need no token.
        assert.equal((await withCookie(s.token)).statusCode, 200);
        assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/devices/csrf-dev', cookies: { hd_session: s.token } })).statusCode, 200);
      });

      it('gives bearer tokens (hds_…, 12 h) that need no CSRF token', async () => {
        const r = await login('csrf.user', USER_PASSWORD, freshIp(), 'token');
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(setCookieOf(r), [], 'no cookie for an API client');
        const body = r.json();
        assert.deepEqual(Object.keys(body).sort(), ['accessToken', 'expiresAt', 'expiresIn', 'tokenType']);
        assert.match(body.accessToken, /^hds_[A-Za-z0-9_-]{40,}$/);
        assert.equal(body.tokenType, 'Bearer');
        assert.equal(body.expiresIn, 12 * 3600);
        assert.equal(body.expiresAt, iso(now + 12 * HOUR));
        const me = await whoAmI(body.accessToken);
        assert.equal(me.statusCode, 200);
        assert.equal(me.json().user.username, 'csrf.user');
        assert.equal(me.json().csrfToken, null);
        const c = await bearer(t.app, body.accessToken)({ method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: 'bearer-dev', unitCode: '20236' }) });
        assert.equal(c.statusCode, 201, c.body);
        // A cookie alongside a bearer token: the bearer token is the credential, so no CSRF check.
        const s = await cookieLogin(t.app, 'csrf.user');
        const d = await t.app.inject({ method: 'DELETE', url: '/api/v1/devices/bearer-dev', cookies: { hd_session: s.token }, headers: { authorization: `Bearer ${body.accessToken}` } });
        assert.equal(d.statusCode, 204, d.body);
        for (const h of ['Bearer', 'Bearer ', `Basic ${Buffer.from('csrf.user:x').toString('base64')}`, `Bearer ${body.accessToken} extra`, `Bearer hds_${'x'.repeat(43)}`]) {
          const u = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { authorization: h } });
          assert.equal(u.statusCode, 401, h);
          assert.equal(u.json().code, 'IOC_ERR_UNAUTHENTICATED', h);
        }
      });
    });

    describe('no username enumeration, lockout and address limit', () => {
      let lockUser: { id: string };
      before(async () => {
        await createPerson(admin, 'enum.user', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        lockUser = await createPerson(admin, 'lock.user', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        await createPerson(admin, 'slow.user', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        const dis = await createPerson(admin, 'disabled.user', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        assert.equal((await admin({ method: 'PATCH', url: `/api/v1/users/${dis.id}`, payload: { disabled: true } })).statusCode, 200);
        await createService(admin, 'svc.nologin', '20233', [{ role: 'data_provider', unitCode: '20233' }]);
      });

      it('answers a wrong password, an unknown user, a disabled user and a service account alike (401)', async () => {
        const ip = freshIp();
        for (const path of ['login', 'token'] as const) {
          const answers = [
            await login('enum.user', 'Wrong-password-2026!', ip, path),
            await login('no.such.user', 'Wrong-password-2026!', ip, path),
            await login('no.such.user', USER_PASSWORD, ip, path),
            await login('disabled.user', USER_PASSWORD, ip, path),
            await login('svc.nologin', USER_PASSWORD, ip, path),
            await login('svc.nologin', 'x', ip, path),
            await login('ENUM.USER', 'wrong', ip, path),
          ];
          for (const [i, r] of answers.entries()) {
            assert.equal(r.statusCode, 401, `${path} #${i}: ${r.body}`);
            assert.deepEqual(errorOf(r), FAILED, `${path} #${i}`);
            assert.deepEqual(setCookieOf(r), [], `${path} #${i}: no cookie`);
            assert.equal(r.headers['content-type'], answers[0]!.headers['content-type']);
          }
        }
        // The username is case-insensitive and trimmed: the right password works however it is typed.
        assert.equal((await login(' Enum.User ', USER_PASSWORD, ip)).statusCode, 200);
      });

      it('locks a known and an unknown username alike after 5 failures (429); the right password waits for the lock to end', async () => {
        const ip = freshIp();
        const failures: Record<string, string[]> = { 'lock.user': [], 'lock.ghost': [] };
        for (const name of ['lock.user', 'lock.ghost']) {
          for (let i = 0; i < 5; i++) {
            const r = await login(name, `Wrong-${i}-password!`, ip);
            assert.equal(r.statusCode, 401, `${name} failure ${i + 1}: ${r.body}`);
            failures[name]!.push(r.json().correlationId);
          }
        }
        const lockedKnown = await login('lock.user', 'Wrong-6-password!', ip);
        const lockedGhost = await login('lock.ghost', 'Wrong-6-password!', ip);
        assert.equal(lockedKnown.statusCode, 429, lockedKnown.body);
        assert.equal(lockedKnown.json().code, 'IOC_ERR_AUTH_LOCKED');
        assert.deepEqual(errorOf(lockedGhost), errorOf(lockedKnown), 'the same answer for an unknown username');
        const viaToken = await login('lock.user', USER_PASSWORD, freshIp(), 'token');
        assert.deepEqual(errorOf(viaToken), errorOf(lockedKnown), 'the right password is refused during the lock, on either route, from any address');
        assert.equal((await admin({ method: 'GET', url: `/api/v1/users/${lockUser.id}` })).json().locked, true);

        now += 15 * MIN - SEC;
        assert.equal((await login('lock.user', USER_PASSWORD, freshIp())).statusCode, 429, 'still locked a second before the end');
        assert.equal((await login('lock.ghost', 'Wrong-7-password!', freshIp())).statusCode, 429);
        now += 2 * SEC;
        const ok = await login('lock.user', USER_PASSWORD, freshIp());
        assert.equal(ok.statusCode, 200, ok.body);
        assert.equal((await admin({ method: 'GET', url: `/api/v1/users/${lockUser.id}` })).json().locked, false);
        assert.deepEqual(errorOf(await login('lock.ghost', 'Wrong-8-password!', freshIp())), FAILED, 'counting starts again');

        // Every attempt is in the audit log, with its outcome and reason.
        const entries = (await auditOf('auth.login')).filter((e) => e.actorName === 'lock.user' || e.actorName === 'lock.ghost').reverse();
        const known = entries.filter((e) => e.actorName === 'lock.user');
        assert.deepEqual(known.map((e) => `${e.outcome} ${String(e.details.reason ?? e.details.kind)}`), [
          ...Array(5).fill('failure wrong_password'),
          'denied locked',
          'denied locked',
          'denied locked',
          'success cookie',
        ]);
        assert.ok(known.every((e) => e.actorId === lockUser.id));
        assert.deepEqual(known.slice(0, 5).map((e) => e.correlationId), failures['lock.user'], 'each failure is recorded with the correlation id of its answer');
        assert.deepEqual(known.slice(0, 5).map((e) => e.ip), Array(5).fill(ip));
        assert.equal(known.at(-1)!.unitCode, '20233');
        assert.match(known.at(-1)!.target!, /^session:[0-9a-f-]{36}$/);
        const ghost = entries.filter((e) => e.actorName === 'lock.ghost');
        assert.deepEqual(ghost.map((e) => `${e.outcome} ${String(e.details.reason)}`), [...Array(5).fill('failure unknown_user'), 'denied locked', 'denied locked', 'failure unknown_user']);
        assert.ok(ghost.every((e) => e.actorId === null));
      });

      // Failures are forgotten 15 min after the last one, for real and unknown usernames alike.
      it('locks known and unknown usernames alike when the failures are spread over time', async () => {
        const ip = freshIp();
        for (const name of ['slow.user', 'slow.ghost']) for (let i = 0; i < 4; i++) assert.equal((await login(name, `Wrong-${i}-password!`, ip)).statusCode, 401);
        now += 16 * MIN;
        for (const name of ['slow.user', 'slow.ghost']) assert.equal((await login(name, 'Wrong-5-password!', ip)).statusCode, 401);
        // 4 failures, a 16-minute pause, then more: the count started again at the pause, for both.
        for (let n = 2; n <= 6; n++) {
          const known = await login('slow.user', `Wrong-${n + 4}-password!`, ip);
          const ghost = await login('slow.ghost', `Wrong-${n + 4}-password!`, ip);
          assert.equal(known.statusCode, n <= 5 ? 401 : 429, `attempt ${n} after the pause: ${known.body}`);
          assert.deepEqual([known.statusCode, errorOf(known)], [ghost.statusCode, errorOf(ghost)], `attempt ${n} after the pause: the answer must not tell whether the username exists`);
        }
      });

      it('limits login attempts per client address (30 per 5 min), whatever the username, then lets the address in again', async () => {
        const ip = freshIp();
        for (let i = 0; i < 30; i++) {
          const r = await login(`ip.ghost.${i}`, 'Wrong-password-2026!', ip);
          assert.equal(r.statusCode, 401, `attempt ${i + 1}`);
        }
        const limited = await login('enum.user', USER_PASSWORD, ip);
        assert.equal(limited.statusCode, 429, limited.body);
        assert.equal(limited.json().code, 'IOC_ERR_AUTH_LOCKED');
        assert.equal((await login('never.seen', 'x', ip, 'token')).statusCode, 429, 'the token route shares the limit');
        assert.equal((await login('enum.user', USER_PASSWORD, freshIp())).statusCode, 200, 'another address is not limited');
        const denied = (await auditOf('auth.login')).find((e) => e.actorName === 'enum.user' && e.ip === ip);
        assert.deepEqual([denied?.outcome, denied?.details.reason], ['denied', 'rate_limited']);
        now += 5 * MIN;
        assert.equal((await login('enum.user', USER_PASSWORD, ip)).statusCode, 200, 'the window has passed');
      });
    });

    describe('malformed login input', () => {
      it('answers 400 or 401, never 500, and echoes nothing unescaped', async () => {
        const weird = [
          'nguyễn.văn.an',
          '管理员',
          '🦀🦀🦀',
          'ad\u200bmin',
          'a\u202eb',
          "admin' --",
          "' OR '1'='1",
          "admin'; DROP TABLE users; --",
          '<script>alert(1)</script>',
          '"><img src=x onerror=alert(1)>',
          '${7*7}{{7*7}}',
          '..\\..\\etc\\passwd',
          '%00admin',
          '\ud800',
        ];
        const bodies: [string, unknown][] = [
          ['empty object', {}],
          ['no password', { username: 'admin' }],
          ['no username', { password: 'x' }],
          ['empty strings', { username: '', password: '' }],
          ['null username', { username: null, password: 'x' }],
          ['number username', { username: 12345, password: 'x' }],
          ['boolean password', { username: 'admin', password: true }],
          ['object username', { username: { $ne: null }, password: 'x' }],
          ['array username', { username: ['admin', 'x'], password: 'x' }],
          ['extra field', { username: 'admin', password: TEST_ADMIN_PASSWORD, role: 'system_admin' }],
          ['1 MB username', { username: 'a'.repeat(1_000_000), password: 'x' }],
          ['101-character username', { username: 'a'.repeat(101), password: 'x' }],
          ['long password', { username: 'admin', password: 'x'.repeat(5000) }],
          ['array body', [{ username: 'admin', password: 'x' }]],
          ['string body', 'admin'],
          ['__proto__', JSON.parse('{"username":"admin","password":"x","__proto__":{"admin":true}}')],
          ...weird.map((u): [string, unknown] => [`username ${JSON.stringify(u)}`, { username: u, password: `${u}-Password-1!` }]),
        ];
        for (const [label, payload] of bodies) {
          for (const path of ['login', 'token']) {
            const r = await t.app.inject({ method: 'POST', url: `/api/v1/auth/${path}`, body: JSON.stringify(payload), headers: { 'content-type': 'application/json' }, remoteAddress: freshIp() });
            assert.ok(r.statusCode === 400 || r.statusCode === 401, `${path}: ${label}: ${r.statusCode} ${r.body.slice(0, 300)}`);
            const body = r.json();
            assert.equal(body.code, r.statusCode === 400 ? 'IOC_ERR_VALIDATION' : 'IOC_ERR_AUTH_FAILED', `${path}: ${label}`);
            assert.ok(!/<script|<img|onerror/i.test(r.body), `${path}: ${label}: nothing echoed`);
            assert.ok(r.body.length < 2000, `${path}: ${label}: the input is not echoed (${r.body.length} bytes)`);
            assert.deepEqual(setCookieOf(r), []);
          }
        }
        for (const [label, body, type, status] of [
          ['form body', 'username=admin&password=x', 'application/x-www-form-urlencoded', 415],
          ['text body (Fastify parses text/plain, the schema refuses it)', 'admin:x', 'text/plain', 400],
          ['broken JSON', '{"username": "admin", "password": ', 'application/json', 400],
          ['empty JSON', '', 'application/json', 400],
        ] as const) {
          const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', body, headers: { 'content-type': type }, remoteAddress: freshIp() });
          assert.equal(r.statusCode, status, `${label}: ${r.body}`);
        }
        // Nothing above did any harm: the admin still signs in, the users table is intact.
        assert.equal((await login('admin', TEST_ADMIN_PASSWORD, freshIp())).statusCode, 200);
        assert.equal((await admin({ method: 'GET', url: '/api/v1/users?q=admin' })).json().items[0].username, 'admin');
      });

      it('answers a username with a NUL character like any unknown name (401), not 500', async () => {
        for (const username of ['admin\u0000', 'ad\u0000min', '\u0000']) {
          const r = await login(username, 'Wrong-password-2026!', freshIp());
          assert.deepEqual([r.statusCode, errorOf(r)], [401, FAILED], JSON.stringify(username));
        }
      });
    });

    describe('password policy', () => {
      const weak: [string, string, string][] = [
        ['short', 'Ab1!xyz', 'too_short'],
        ['eleven characters', 'Ab1!Ab1!Ab1', 'too_short'],
        ['too simple', 'abcdefghxk12', 'too_simple'],
        ['too simple, lower case only', 'mothaibabon', 'too_short'],
        ['common', 'Password1234!', 'too_common'],
        ['common Vietnamese', 'Matkhau@2026', 'too_common'],
        ['common with diacritics', '!!MậtKhẩu!!1', 'too_common'],
        ['one character repeated', 'a'.repeat(24), 'too_common'],
        ['a digit run', '123456789012Ab!', 'too_common'],
        ['too long', `Aa1!${'x'.repeat(253)}`, 'too_long'],
      ];

      it('refuses weak passwords at POST /api/v1/users, naming the field and the reason (400), and creates nothing', async () => {
        for (const [label, password, reason] of [...weak, ['contains the username', 'Xin-chao-phan.thanh.tam-2026', 'contains_username'] as [string, string, string]]) {
          const r = await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'phan.thanh.tam', displayName: 'Phan Thanh Tâm', unitCode: '20233', password, assignments: [] } });
          assert.equal(r.statusCode, 400, `${label}: ${r.body}`);
          assert.equal(r.json().code, 'IOC_ERR_VALIDATION');
          assert.ok(fieldReasons(r).includes(`password ${reason}`), `${label}: ${fieldReasons(r).join(', ')}`);
          assert.match(r.json().message, /^password: /, label);
          assert.ok(!r.body.includes(password), `${label}: the password is not echoed`);
        }
        // The username inside the password, written with diacritics and in capitals.
        const r = await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'hoang.yen', displayName: 'Hoàng Yến', unitCode: '20233', password: 'Chào-HOÀNG.YẾN-2026', assignments: [] } });
        assert.deepEqual(fieldReasons(r), ['password contains_username']);
        const missing = await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'hoang.yen', displayName: 'Hoàng Yến', unitCode: '20233', assignments: [] } });
        assert.deepEqual(fieldReasons(missing), ['password required']);
        assert.equal((await admin({ method: 'GET', url: '/api/v1/users?q=phan.thanh' })).json().total, 0);
        assert.equal((await admin({ method: 'GET', url: '/api/v1/users?q=hoang.yen' })).json().total, 0);
        // A long passphrase needs no mix of characters.
        const ok = await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'hoang.yen', displayName: 'Hoàng Yến', unitCode: '20233', password: 'mưa rơi trên sông hàn', assignments: [] } });
        assert.equal(ok.statusCode, 201, ok.body);
        assert.equal((await login('hoang.yen', 'mưa rơi trên sông hàn', freshIp())).statusCode, 200);
      });

      it('PUT /api/v1/auth/password needs the current password and the policy, then ends every session of the user', async () => {
        await createPerson(admin, 'pw.user', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        const tok = await tokenFor(t.app, 'pw.user');
        const other = await tokenFor(t.app, 'pw.user');
        const c = await cookieLogin(t.app, 'pw.user');
        const put = (payload: object) => bearer(t.app, tok)({ method: 'PUT', url: '/api/v1/auth/password', payload });
        const NEW = 'Cầu-Rồng-phun-lửa-2026';

        let r = await put({ currentPassword: 'Wrong-current-2026!', password: NEW });
        assert.equal(r.statusCode, 400, r.body);
        assert.deepEqual(fieldReasons(r), ['currentPassword wrong']);
        r = await put({ password: NEW });
        assert.deepEqual(fieldReasons(r), ['currentPassword required'], 'the current password is required');
        for (const [label, password, reason] of [...weak, ['contains the username', 'Mat-khau-cua-PW.USER-2026', 'contains_username'] as [string, string, string]]) {
          r = await put({ currentPassword: USER_PASSWORD, password });
          assert.equal(r.statusCode, 400, `${label}: ${r.body}`);
          assert.ok(fieldReasons(r).includes(`password ${reason}`), `${label}: ${fieldReasons(r).join(', ')}`);
        }
        r = await put({ currentPassword: USER_PASSWORD, password: 'x'.repeat(1025) });
        assert.equal(r.statusCode, 400, 'over the schema limit');
        assert.equal((await whoAmI(tok)).statusCode, 200, 'refused changes end nothing');
        assert.equal((await login('pw.user', USER_PASSWORD, freshIp())).statusCode, 200, 'and keep the old password');

        r = await put({ currentPassword: USER_PASSWORD, password: NEW });
        assert.equal(r.statusCode, 204, r.body);
        assert.equal((await whoAmI(tok)).statusCode, 401, 'the token that changed it');
        assert.equal((await whoAmI(other)).statusCode, 401, 'another token');
        assert.equal((await withCookie(c.token)).statusCode, 401, 'the browser session');
        assert.deepEqual(errorOf(await login('pw.user', USER_PASSWORD, freshIp())), FAILED, 'the old password');
        assert.equal((await login('pw.user', NEW, freshIp())).statusCode, 200, 'the new one');
        const audit = (await auditOf('user.password')).find((e) => e.target === 'user:pw.user');
        assert.deepEqual(audit?.details, { self: true });
        assert.ok(!JSON.stringify(audit).includes(NEW));
      });
    });

    describe('sessions', () => {
      it('lists my sessions with the current one marked, and revokes one (its token → 401); another user’s session is 404', async () => {
        await createPerson(admin, 'sess.user', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        await createPerson(admin, 'sess.other', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        const ip = freshIp();
        const c = await cookieLogin(t.app, 'sess.user', USER_PASSWORD, ip);
        const b1 = await tokenFor(t.app, 'sess.user');
        const b2 = await tokenFor(t.app, 'sess.user');
        const list = async (send: Send) => {
          const r = await send({ method: 'GET', url: '/api/v1/auth/sessions' });
          assert.equal(r.statusCode, 200, r.body);
          return r.json<{ items: { id: string; kind: string; current: boolean; ip: string | null; createdAt: string; expiresAt: string }[] }>().items;
        };
        const mine = await list(bearer(t.app, b1));
        assert.equal(mine.length, 3);
        assert.deepEqual(mine.map((s) => s.kind).sort(), ['bearer', 'bearer', 'cookie']);
        assert.equal(mine.filter((s) => s.current).length, 1);
        assert.equal(mine.find((s) => s.current)!.kind, 'bearer');
        assert.ok(!JSON.stringify(mine).includes(b1) && !JSON.stringify(mine).includes(c.token), 'no tokens in the list');
        const cookieSession = mine.find((s) => s.kind === 'cookie')!;
        assert.equal(cookieSession.ip, ip);
        assert.equal(cookieSession.expiresAt, iso(Date.parse(cookieSession.createdAt) + 12 * HOUR));
        const viaCookie = await list(c.send);
        assert.equal(viaCookie.find((s) => s.current)!.id, cookieSession.id);
        const b2Id = viaCookie.find((s) => !s.current && s.id !== (mine.find((x) => x.current)!.id))!.id;

        let r = await bearer(t.app, b1)({ method: 'DELETE', url: `/api/v1/auth/sessions/${b2Id}` });
        assert.equal(r.statusCode, 204, r.body);
        assert.equal((await whoAmI(b2)).statusCode, 401, 'the revoked token');
        assert.equal((await whoAmI(b1)).statusCode, 200, 'the others go on');
        assert.equal((await list(bearer(t.app, b1))).length, 2);
        r = await bearer(t.app, b1)({ method: 'DELETE', url: `/api/v1/auth/sessions/${b2Id}` });
        assert.equal(r.statusCode, 404, 'revoked already');

        const otherTok = await tokenFor(t.app, 'sess.other');
        const [otherSession] = await list(bearer(t.app, otherTok));
        r = await bearer(t.app, b1)({ method: 'DELETE', url: `/api/v1/auth/sessions/${otherSession!.id}` });
        const unknown = await bearer(t.app, b1)({ method: 'DELETE', url: `/api/v1/auth/sessions/${crypto.randomUUID()}` });
        assert.equal(r.statusCode, 404, r.body);
        assert.equal(r.json().code, 'IOC_ERR_NOT_FOUND');
        assert.deepEqual({ ...errorOf(r), message: '' }, { ...errorOf(unknown), message: '' }, 'as for an unknown id');
        assert.equal((await whoAmI(otherTok)).statusCode, 200, 'the other user’s session is untouched');
        const revokes = (await auditOf('auth.session_revoke')).filter((e) => e.actorName === 'sess.user');
        assert.deepEqual(revokes.map((e) => e.target), [`session:${b2Id}`]);
      });

      it('POST /api/v1/auth/logout revokes the current session (bearer, or cookie with its CSRF token, clearing the cookie)', async () => {
        await createPerson(admin, 'out.user', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        const b = await tokenFor(t.app, 'out.user');
        const keep = await tokenFor(t.app, 'out.user');
        let r = await bearer(t.app, b)({ method: 'POST', url: '/api/v1/auth/logout' });
        assert.equal(r.statusCode, 204, r.body);
        assert.equal((await whoAmI(b)).statusCode, 401);
        assert.equal((await whoAmI(keep)).statusCode, 200, 'only the current session ends');
        assert.equal((await bearer(t.app, b)({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode, 401, 'twice');

        const c = await cookieLogin(t.app, 'out.user');
        r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { hd_session: c.token } });
        assert.equal(r.statusCode, 403, 'a cookie logout needs the CSRF token too');
        r = await c.send({ method: 'POST', url: '/api/v1/auth/logout' });
        assert.equal(r.statusCode, 204, r.body);
        const cleared = setCookieOf(r).find((x) => x.startsWith('hd_session='));
        assert.ok(cleared && /hd_session=;/.test(cleared) && /expires=Thu, 01 Jan 1970/i.test(cleared), `cleared: ${cleared}`);
        assert.equal((await withCookie(c.token)).statusCode, 401);
        assert.ok((await auditOf('auth.logout')).some((e) => e.actorName === 'out.user'));
      });

      it('disabling a user (PATCH {disabled: true}) ends every session at once and refuses sign-in alike; enabling does not revive them', async () => {
        const u = await createPerson(admin, 'dis.user', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        const b = await tokenFor(t.app, 'dis.user');
        const c = await cookieLogin(t.app, 'dis.user');
        let r = await admin({ method: 'PATCH', url: `/api/v1/users/${u.id}`, payload: { disabled: true } });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.json().disabled, true);
        assert.equal((await whoAmI(b)).statusCode, 401);
        assert.equal((await withCookie(c.token)).statusCode, 401);
        assert.deepEqual(errorOf(await login('dis.user', USER_PASSWORD, freshIp())), FAILED);
        r = await admin({ method: 'PATCH', url: `/api/v1/users/${u.id}`, payload: { disabled: false } });
        assert.equal(r.json().disabled, false);
        assert.equal((await whoAmI(b)).statusCode, 401, 'old sessions stay revoked');
        assert.equal((await login('dis.user', USER_PASSWORD, freshIp())).statusCode, 200);
        const me = (await admin({ method: 'GET', url: '/api/v1/auth/session' })).json().user.id;
        r = await admin({ method: 'PATCH', url: `/api/v1/users/${me}`, payload: { disabled: true } });
        assert.deepEqual(fieldReasons(r), ['disabled not_allowed'], 'an admin cannot disable themselves');
      });
    });

    describe('expiry', () => {
      it('ends a bearer token after 12 h, a cookie session after 8 h idle or 12 h in all', async () => {
        await createPerson(admin, 'exp.user', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        const t0 = now;
        const b = await tokenFor(t.app, 'exp.user');
        const c = await cookieLogin(t.app, 'exp.user');
        now = t0 + 7 * HOUR;
        assert.equal((await whoAmI(b)).statusCode, 200);
        assert.equal((await withCookie(c.token)).statusCode, 200, 'used after 7 h');
        now = t0 + 12 * HOUR - MIN;
        assert.equal((await whoAmI(b)).statusCode, 200, 'a minute before the end');
        assert.equal((await withCookie(c.token)).statusCode, 200, 'idle for 5 h only');
        now = t0 + 12 * HOUR;
        const expired = await whoAmI(b);
        assert.equal(expired.statusCode, 401);
        assert.equal(expired.json().code, 'IOC_ERR_UNAUTHENTICATED');
        assert.equal((await withCookie(c.token)).statusCode, 401, 'a cookie session lasts 12 h at most, however busy');

        const t1 = now;
        const idle = await cookieLogin(t.app, 'exp.user');
        const busy = await cookieLogin(t.app, 'exp.user');
        const b2 = await tokenFor(t.app, 'exp.user');
        now = t1 + 8 * HOUR - MIN;
        assert.equal((await withCookie(busy.token)).statusCode, 200);
        now = t1 + 8 * HOUR + SEC;
        assert.equal((await withCookie(idle.token)).statusCode, 401, 'idle for more than 8 h');
        assert.equal((await withCookie(busy.token)).statusCode, 200, 'used a minute ago');
        assert.equal((await whoAmI(b2)).statusCode, 200, 'bearer tokens have no idle limit');
        const list = await bearer(t.app, b2)({ method: 'GET', url: '/api/v1/auth/sessions' });
        assert.ok(!list.json().items.some((s: { expiresAt: string }) => Date.parse(s.expiresAt) <= now), 'expired sessions are not listed');
      });
    });

    describe('API keys', () => {
      it('issues a key to a service account once, lists only its prefix, authenticates with it, notes its use, and revokes it', async () => {
        let r = await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'svc.gateway', displayName: 'Cổng dữ liệu', kind: 'service', unitCode: '20233', assignments: [{ role: 'data_provider', unitCode: '20233' }] } });
        assert.equal(r.statusCode, 201, r.body);
        const svc = r.json();
        assert.equal(svc.kind, 'service');
        r = await admin({ method: 'POST', url: `/api/v1/users/${svc.id}/api-keys`, payload: { name: 'gateway 1' } });
        assert.equal(r.statusCode, 201, r.body);
        const key = r.json();
        assert.deepEqual(Object.keys(key).sort(), ['createdAt', 'id', 'key', 'prefix']);
        assert.match(key.key, /^hdk_[A-Za-z0-9_-]{40,}$/);
        assert.equal(key.prefix, key.key.slice(0, key.prefix.length));
        assert.ok(key.prefix.length < 16, 'the prefix does not give the key away');
        assert.equal(key.createdAt, iso(now));

        const keys = async () => {
          const l = await admin({ method: 'GET', url: `/api/v1/users/${svc.id}/api-keys` });
          assert.equal(l.statusCode, 200, l.body);
          assert.ok(!l.body.includes(key.key) && !l.body.includes(key.key.slice(16)), 'the key itself is never listed');
          return l.json().items;
        };
        assert.deepEqual(await keys(), [{ id: key.id, name: 'gateway 1', prefix: key.prefix, createdAt: iso(now), lastUsedAt: null, revokedAt: null }]);

        const usedAt = now + MIN;
        now = usedAt;
        const asKey = bearer(t.app, key.key);
        r = await asKey({ method: 'GET', url: '/api/v1/devices' });
        assert.equal(r.statusCode, 200, r.body);
        r = await asKey({ method: 'GET', url: '/api/v1/auth/session' });
        assert.deepEqual([r.json().user.username, r.json().csrfToken, r.json().expiresAt], ['svc.gateway', null, null]);
        assert.deepEqual(r.json().grants, [{ role: 'data_provider', unitCode: '20233', sector: null }]);
        assert.equal((await keys())[0].lastUsedAt, iso(usedAt));
        assert.deepEqual((await asKey({ method: 'GET', url: '/api/v1/auth/sessions' })).json().items, [], 'an API key is not a session');
        r = await asKey({ method: 'POST', url: '/api/v1/auth/logout' });
        assert.equal(r.statusCode, 400, 'API keys are revoked, not signed out');
        assert.equal((await asKey({ method: 'GET', url: '/api/v1/auth/session' })).statusCode, 200);
        r = await asKey({ method: 'GET', url: '/api/v1/users' });
        assert.equal(r.statusCode, 403, 'a key holds its account’s permissions only');

        assert.equal((await bearer(t.app, `${key.key.slice(0, -2)}xx`)({ method: 'GET', url: '/api/v1/devices' })).statusCode, 401, 'a wrong key');
        assert.equal((await bearer(t.app, key.prefix)({ method: 'GET', url: '/api/v1/devices' })).statusCode, 401, 'the prefix alone');

        r = await admin({ method: 'DELETE', url: `/api/v1/users/${svc.id}/api-keys/${key.id}` });
        assert.equal(r.statusCode, 204, r.body);
        r = await asKey({ method: 'GET', url: '/api/v1/devices' });
        assert.equal(r.statusCode, 401);
        assert.equal(r.json().code, 'IOC_ERR_UNAUTHENTICATED');
        assert.equal((await admin({ method: 'DELETE', url: `/api/v1/users/${svc.id}/api-keys/${key.id}` })).statusCode, 409, 'revoked already');
        assert.equal((await admin({ method: 'DELETE', url: `/api/v1/users/${svc.id}/api-keys/${crypto.randomUUID()}` })).statusCode, 404);
        assert.equal((await keys())[0].revokedAt, iso(now));
        const audit = await auditOf('apikey.*');
        assert.deepEqual(audit.filter((e) => e.target === `apikey:${key.id}`).map((e) => e.action), ['apikey.revoke', 'apikey.create']);
        assert.ok(!JSON.stringify(audit).includes(key.key), 'the key is not in the audit log');
      });

      it('gives API keys to service accounts only, and passwords to people only', async () => {
        const person = await createPerson(admin, 'key.person', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        let r = await admin({ method: 'POST', url: `/api/v1/users/${person.id}/api-keys`, payload: { name: 'my key' } });
        assert.equal(r.statusCode, 400, r.body);
        assert.deepEqual(fieldReasons(r), ['userId not_allowed']);
        assert.deepEqual((await admin({ method: 'GET', url: `/api/v1/users/${person.id}/api-keys` })).json().items, []);

        r = await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'svc.withpw', displayName: 'Có mật khẩu', kind: 'service', unitCode: '20233', password: USER_PASSWORD, assignments: [{ role: 'data_provider', unitCode: '20233' }] } });
        assert.equal(r.statusCode, 400);
        assert.deepEqual(fieldReasons(r), ['password not_allowed']);
        r = await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'svc.analyst', displayName: 'Phân tích', kind: 'service', unitCode: '20233', assignments: [{ role: 'analyst', unitCode: '20233' }] } });
        assert.deepEqual(fieldReasons(r), ['assignments not_allowed'], 'service accounts are data providers only');

        const svc = await createService(admin, 'svc.login', '20233', [{ role: 'data_provider', unitCode: '20233' }]);
        r = await admin({ method: 'PUT', url: `/api/v1/users/${svc.id}/password`, payload: { password: USER_PASSWORD } });
        assert.equal(r.statusCode, 400);
        assert.deepEqual(fieldReasons(r), ['password not_allowed']);
        for (const password of [USER_PASSWORD, svc.apiKey, '']) {
          const l = await login('svc.login', password || 'x', freshIp());
          assert.deepEqual(errorOf(l), FAILED, 'a service account cannot sign in');
        }
      });
    });

    describe('device access tokens', () => {
      it('issues a token once (the device shows only hasAccessToken and tokenCreatedAt), replaces it, and revokes it', async () => {
        assert.equal((await admin({ method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: 'tok-dev', unitCode: '20233' }) })).statusCode, 201);
        const device = async () => {
          const r = await admin({ method: 'GET', url: '/api/v1/devices/tok-dev' });
          assert.equal(r.statusCode, 200);
          return r.json();
        };
        assert.deepEqual([(await device()).hasAccessToken, (await device()).tokenCreatedAt], [false, null]);

        let r = await admin({ method: 'POST', url: '/api/v1/devices/tok-dev/token' });
        assert.equal(r.statusCode, 201, r.body);
        const first = r.json();
        assert.deepEqual(Object.keys(first).sort(), ['accessToken', 'createdAt', 'deviceId']);
        assert.equal(first.deviceId, 'tok-dev');
        assert.match(first.accessToken, /^[A-Za-z0-9_-]{32}$/);
        assert.equal(first.createdAt, iso(now));
        const d = await device();
        assert.deepEqual([d.hasAccessToken, d.tokenCreatedAt, d.tokenLastUsedAt], [true, iso(now), null]);
        const listed = await admin({ method: 'GET', url: '/api/v1/devices?q=tok-dev' });
        assert.ok(!JSON.stringify(d).includes(first.accessToken) && !listed.body.includes(first.accessToken), 'never shown again');

        now += MIN;
        r = await admin({ method: 'POST', url: '/api/v1/devices/tok-dev/token' });
        assert.equal(r.statusCode, 201);
        assert.notEqual(r.json().accessToken, first.accessToken, 'a new token');
        assert.equal((await device()).tokenCreatedAt, iso(now));

        r = await admin({ method: 'DELETE', url: '/api/v1/devices/tok-dev/token' });
        assert.equal(r.statusCode, 204, r.body);
        assert.deepEqual([(await device()).hasAccessToken], [false]);
        r = await admin({ method: 'DELETE', url: '/api/v1/devices/tok-dev/token' });
        assert.equal(r.statusCode, 409);
        assert.equal(r.json().code, 'IOC_ERR_CONFLICT');
        for (const method of ['POST', 'DELETE'] as const) {
          r = await admin({ method, url: '/api/v1/devices/no-such-dev/token' });
          assert.equal(r.statusCode, 404, method);
          assert.equal(r.json().code, 'IOC_ERR_DEVICE_NOT_FOUND');
        }
        const audit = await auditOf('device.*');
        assert.deepEqual(audit.filter((e) => e.target === 'device:tok-dev').map((e) => e.action), ['device.token_revoke', 'device.token_rotate', 'device.token_rotate', 'device.create']);
        assert.ok(!JSON.stringify(audit).includes(first.accessToken));
      });

      it('lets only device managers rotate tokens', async () => {
        const analyst = await createPerson(admin, 'tok.analyst', '20233', [{ role: 'analyst', unitCode: '20233' }]);
        const tok = await tokenFor(t.app, analyst.username);
        const r = await bearer(t.app, tok)({ method: 'POST', url: '/api/v1/devices/tok-dev/token' });
        assert.equal(r.statusCode, 403);
        assert.equal(r.json().code, 'IOC_ERR_FORBIDDEN');
        assert.equal((await admin({ method: 'GET', url: '/api/v1/devices/tok-dev' })).json().hasAccessToken, false);
        assert.ok((await auditOf('access.denied')).some((e) => e.actorName === 'tok.analyst' && e.outcome === 'denied'));
      });
    });
  });

  describe(`first admin on a fresh ${backend.name} database`, { skip: backend.skip }, () => {
    let database: Database | undefined;
    let services: ReturnType<typeof wireServices> | undefined;
    let app: Awaited<ReturnType<typeof buildApp>> | undefined;
    after(async () => {
      await app?.close();
      await services?.writer.drain();
      await database?.close();
    });

    it('creates "admin" with a generated password that passes the policy and signs in; a second call does nothing', async () => {
      database = await backend.open();
      services = wireServices(database, { clock: () => NOW, maxPayloadBytes: 1_048_576, scrypt: TEST_SCRYPT });
      await services.units.applyPreset({ preset: 'test', units: UNITS });
      const first = await services.users.ensureFirstAdmin(systemContext('48'), undefined);
      assert.equal(first.created, true);
      assert.equal(typeof first.generatedPassword, 'string');
      const pw = first.generatedPassword!;
      assert.ok(pw.length >= 20, `long enough: ${pw.length}`);
      assert.deepEqual(checkPassword(pw, { username: 'admin' }), [], 'passes the policy');
      assert.deepEqual(await services.users.ensureFirstAdmin(systemContext('48'), undefined), { created: false });
      assert.deepEqual(await services.users.ensureFirstAdmin(systemContext('48'), 'Another-Password-2026!'), { created: false });
      await services.loadState();
      const m = services.metrics;
      app = await buildApp({ services, secureCookie: false, checks: [], metricsText: () => m.text(), bodyLimit: 1_048_576, logger: false, version: '0.0.0-test' });

      const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: pw }, remoteAddress: freshIp() });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json().user.assignments, [{ role: 'system_admin', unitCode: '48', sector: null }]);
      const tok = await tokenFor(app, 'admin', pw);
      const users = await bearer(app, tok)({ method: 'GET', url: '/api/v1/users' });
      assert.deepEqual(users.json().items.map((u: { username: string }) => u.username), ['admin'], 'one admin, created once');
      const again = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'Another-Password-2026!' }, remoteAddress: freshIp() });
      assert.equal(again.statusCode, 401, 'the second call set no password');
      const created = await bearer(app, tok)({ method: 'GET', url: '/api/v1/audit?action=user.create' });
      assert.deepEqual(created.json().items.map((e: AuditItem) => [e.actorId, e.actorName, e.target]), [[null, 'system', 'user:admin']]);
    });
  });
}
