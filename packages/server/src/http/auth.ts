import { timingSafeEqual } from 'node:crypto';
import { grantsFor, IocError, type Permission, PERMISSIONS } from '@haidang/domain';
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Authenticated, AuthService } from '../services/auth.service.ts';
import type { Auditor } from '../services/ports.ts';
import type { RequestContext } from '../services/request-context.ts';

/**
 * Who may call a route: anyone (`public`), any signed-in user or API key (`authenticated`), or
 * holders of a permission somewhere. Every route declares it (`config.access`); a route without
 * one fails at start. Whether the record in question is within the caller's scope is the
 * services' decision: routes only keep out those who hold the permission nowhere.
 */
export type Access = 'public' | 'authenticated' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    auth?: Authenticated;
    /** The session token or API key the caller sent (never logged; long-lived streams re-check it). */
    credential?: string;
    /** The request context of a signed-in caller (set for every non-public route). */
    ctx?: RequestContext;
  }
}

export const SESSION_COOKIE = 'hd_session';
export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every route must say who may call it. */
export function requireAccessDeclaration(route: RouteOptions): void {
  const access = (route.config as { access?: unknown } | undefined)?.access;
  if (access === 'public' || access === 'authenticated' || (PERMISSIONS as readonly unknown[]).includes(access)) return;
  throw new Error(`route ${String(route.method)} ${route.url} declares no access (config.access: 'public' | 'authenticated' | a permission)`);
}

/** The signed-in caller's context; routes that are not public always have one. */
export function ctxOf(req: FastifyRequest): RequestContext {
  if (!req.ctx) throw new IocError('IOC_ERR_UNAUTHENTICATED', 'sign in first');
  return req.ctx;
}

function credentials(req: FastifyRequest): { token: string; via: 'bearer' | 'cookie' } | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(\S{1,512})$/i.exec(h.trim());
    return m ? { token: m[1]!, via: 'bearer' } : { token: '', via: 'bearer' };
  }
  const c = req.cookies?.[SESSION_COOKIE];
  return c ? { token: c.slice(0, 512), via: 'cookie' } : undefined;
}

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Authentication and the route-level access check, as one onRequest hook. Cookie sessions must
 * send their CSRF token in `X-CSRF-Token` on every unsafe method (bearer tokens need none: a
 * browser never adds them by itself).
 */
export function registerAuth(app: FastifyInstance, auth: AuthService, audit: Auditor): void {
  app.decorateRequest('auth', undefined);
  app.decorateRequest('ctx', undefined);
  app.decorateRequest('credential', undefined);
  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    const access = req.routeOptions.config?.access;
    if (access === undefined) return; // no route matched: the not-found handler answers
    const cred = credentials(req);
    const found = cred?.token ? await auth.authenticate(cred.token) : undefined;
    if (access === 'public') {
      // Public routes serve anyone; a valid credential still identifies the caller.
      if (found) setContext(req, found);
      return;
    }
    if (!found) {
      throw new IocError('IOC_ERR_UNAUTHENTICATED', cred ? 'the session or token is unknown, expired or revoked; sign in again' : 'sign in first: a session cookie or an Authorization: Bearer token');
    }
    setContext(req, found);
    req.credential = cred!.token;
    if (cred!.via === 'cookie' && UNSAFE.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !found.session?.csrfToken || !sameSecret(sent, found.session.csrfToken)) {
        throw new IocError('IOC_ERR_CSRF', `send the session's CSRF token in the ${CSRF_HEADER} header`);
      }
    }
    if (access !== 'authenticated' && grantsFor(found.actor, access).length === 0) throw new IocError('IOC_ERR_FORBIDDEN', `this needs the permission ${access}`);
  });
  // A write refused for lack of permission — here or by a service's scope check — is audited.
  app.addHook('onError', async (req, _reply, err) => {
    if (!(err instanceof IocError) || err.code !== 'IOC_ERR_FORBIDDEN' || !req.auth || !UNSAFE.has(req.method)) return;
    const u = req.auth.user;
    await audit.record({
      actor: { id: u.id, name: u.username },
      action: 'access.denied',
      outcome: 'denied',
      unitCode: u.unitCode,
      target: `${req.method} ${req.routeOptions.url ?? req.url}`,
      details: { reason: err.message },
      ...(req.ip ? { ip: req.ip } : {}),
      correlationId: String(req.id),
    });
  });
}

function setContext(req: FastifyRequest, found: Authenticated): void {
  req.auth = found;
  req.ctx = {
    actor: found.actor,
    ...(req.ip ? { ip: req.ip } : {}),
    ...(typeof req.headers['user-agent'] === 'string' ? { userAgent: req.headers['user-agent'].slice(0, 300) } : {}),
    correlationId: String(req.id),
  };
}
