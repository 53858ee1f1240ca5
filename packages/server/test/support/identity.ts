/**
 * Identity helpers for `inject()` tests: create people and service accounts through the API as an
 * admin, sign them in, and send requests as them (bearer token, API key or cookie session).
 */
import assert from 'node:assert/strict';
import type { Role, Sector } from '@haidang/domain';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

/** A password that passes the policy for every username these tests use. */
export const USER_PASSWORD = 'Sóng-biển-Mỹ-Khê-2026!';

/** Sends a request as someone. */
export type Send = (o: InjectOptions) => Promise<LightMyRequestResponse>;

/** Requests with `Authorization: Bearer <token>` (a session token or an API key), unless the request sets its own. */
export const bearer = (app: FastifyInstance, token: string): Send => (o) => app.inject({ ...o, headers: { authorization: `Bearer ${token}`, ...o.headers } });

export interface AssignmentInput {
  role: Role;
  unitCode: string;
  sector?: Sector | null;
}

export interface CreatedUser {
  id: string;
  username: string;
  unitCode: string;
}

let ipSeq = 0;
/** A client address of its own (documentation range 198.18.0.0/15), so that per-address login limits never meet. */
export const freshIp = (): string => {
  ipSeq++;
  return `198.18.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
};

/** Creates a person as `admin` (POST /api/v1/users); asserts 201. */
export async function createPerson(admin: Send, username: string, unitCode: string, assignments: AssignmentInput[], password = USER_PASSWORD): Promise<CreatedUser> {
  const r = await admin({ method: 'POST', url: '/api/v1/users', payload: { username, displayName: `Người dùng ${username}`, unitCode, password, assignments } });
  assert.equal(r.statusCode, 201, `create ${username}: ${r.body}`);
  const u = r.json<CreatedUser>();
  return { id: u.id, username: u.username, unitCode: u.unitCode };
}

/** Creates a service account as `admin` and issues it an API key; asserts both succeed. */
export async function createService(admin: Send, username: string, unitCode: string, assignments: AssignmentInput[]): Promise<CreatedUser & { apiKey: string; apiKeyId: string }> {
  const r = await admin({ method: 'POST', url: '/api/v1/users', payload: { username, displayName: `Tài khoản dịch vụ ${username}`, kind: 'service', unitCode, assignments } });
  assert.equal(r.statusCode, 201, `create ${username}: ${r.body}`);
  const u = r.json<CreatedUser>();
  const k = await admin({ method: 'POST', url: `/api/v1/users/${u.id}/api-keys`, payload: { name: `khóa ${username}` } });
  assert.equal(k.statusCode, 201, `API key for ${username}: ${k.body}`);
  const key = k.json<{ id: string; key: string }>();
  return { id: u.id, username: u.username, unitCode: u.unitCode, apiKey: key.key, apiKeyId: key.id };
}

/** A bearer token from POST /api/v1/auth/token; asserts 200. */
export async function tokenFor(app: FastifyInstance, username: string, password = USER_PASSWORD, ip = freshIp()): Promise<string> {
  const r = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { username, password }, remoteAddress: ip });
  assert.equal(r.statusCode, 200, `token for ${username}: ${r.body}`);
  return r.json<{ accessToken: string }>().accessToken;
}

export interface CookieSession {
  /** The hd_session cookie's value. */
  token: string;
  csrfToken: string;
  /** The Set-Cookie header as sent. */
  setCookie: string;
  /** Requests with the session cookie, and with the CSRF token on unsafe methods unless the request sets its own headers. */
  send: Send;
}

/** A browser session from POST /api/v1/auth/login; asserts 200. */
export async function cookieLogin(app: FastifyInstance, username: string, password = USER_PASSWORD, ip = freshIp()): Promise<CookieSession> {
  const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress: ip });
  assert.equal(r.statusCode, 200, `login ${username}: ${r.body}`);
  const setCookie = [r.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('hd_session='));
  assert.ok(setCookie, 'a hd_session cookie is set');
  const token = decodeURIComponent(setCookie.slice('hd_session='.length).split(';')[0]!);
  const csrfToken = r.json<{ csrfToken: string }>().csrfToken;
  const send: Send = (o) => app.inject({ ...o, cookies: { hd_session: token }, headers: { 'x-csrf-token': csrfToken, ...o.headers } });
  return { token, csrfToken, setCookie, send };
}
