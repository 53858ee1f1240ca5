import { IocError } from '@haidang/domain';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AuthService } from '../services/auth.service.ts';
import type { UserService } from '../services/user.service.ts';
import { ctxOf, SESSION_COOKIE } from './auth.ts';
import { errors, Grant } from './schemas.ts';

const Credentials = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

const Session = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('cookie'), Type.Literal('bearer')]),
  current: Type.Boolean(),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

/** Sign-in, sessions and bearer tokens. */
export const authRoutes =
  (auth: AuthService, users: UserService, opts: { secureCookie: boolean }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const meta = (req: { ip: string; headers: Record<string, unknown>; id: unknown }, kind: 'cookie' | 'bearer') => ({
      kind,
      ip: req.ip,
      ...(typeof req.headers['user-agent'] === 'string' ? { userAgent: req.headers['user-agent'] } : {}),
      correlationId: String(req.id),
    });

    app.post('/api/v1/auth/login', {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in (browser session) / Đăng nhập',
        description: 'Sets an HttpOnly, SameSite=Strict session cookie. Send the returned csrfToken in the X-CSRF-Token header with every POST, PUT, PATCH and DELETE.',
        body: Credentials,
        response: { 200: Type.Object({ user: Type.Ref('UserView'), csrfToken: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }), ...errors(401, 429) },
      },
    }, async (req, reply) => {
      const r = await auth.login(req.body.username, req.body.password, meta(req, 'cookie'));
      void reply.setCookie(SESSION_COOKIE, r.token, { httpOnly: true, sameSite: 'strict', secure: opts.secureCookie, path: '/', expires: new Date(r.expiresAt) });
      const ctx = { actor: await auth.actorOf(r.user) };
      return { user: await users.me(ctx), csrfToken: r.csrfToken!, expiresAt: new Date(r.expiresAt).toISOString() };
    });

    app.post('/api/v1/auth/token', {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'A bearer token for API clients / Mã truy cập cho ứng dụng',
        body: Credentials,
        response: {
          200: Type.Object({ accessToken: Type.String(), tokenType: Type.Literal('Bearer'), expiresIn: Type.Integer({ description: 'seconds' }), expiresAt: Type.String({ format: 'date-time' }) }),
          ...errors(401, 429),
        },
      },
    }, async (req) => {
      const r = await auth.login(req.body.username, req.body.password, meta(req, 'bearer'));
      return { accessToken: r.token, tokenType: 'Bearer' as const, expiresIn: Math.round((r.expiresAt - r.session.createdAt) / 1000), expiresAt: new Date(r.expiresAt).toISOString() };
    });

    app.post('/api/v1/auth/logout', {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'Sign out: revokes this session or token / Đăng xuất', response: { 204: Type.Null() } },
    }, async (req, reply) => {
      const s = req.auth?.session;
      if (!s) throw new IocError('IOC_ERR_VALIDATION', 'API keys are revoked by an admin, not signed out');
      await auth.logout(ctxOf(req), s.id);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    });

    app.get('/api/v1/auth/session', {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Who am I: user, grants now in force, CSRF token / Phiên hiện tại',
        response: { 200: Type.Object({ user: Type.Ref('UserView'), grants: Type.Array(Grant), csrfToken: Type.Union([Type.String(), Type.Null()]), expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) }) },
      },
    }, async (req) => {
      const ctx = ctxOf(req);
      const me = await users.me(ctx);
      const s = req.auth!.session;
      return { user: me, grants: ctx.actor.grants, csrfToken: s?.csrfToken ?? null, expiresAt: s ? new Date(s.expiresAt).toISOString() : null };
    });

    app.get('/api/v1/auth/sessions', {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'My open sessions and tokens / Các phiên đăng nhập', response: { 200: Type.Object({ items: Type.Array(Session) }) } },
    }, async (req) => {
      const current = req.auth!.session?.id;
      const list = await auth.sessions(ctxOf(req));
      return {
        items: list.map((s) => ({
          id: s.id,
          kind: s.kind,
          current: s.id === current,
          ip: s.ip,
          userAgent: s.userAgent,
          createdAt: new Date(s.createdAt).toISOString(),
          lastSeenAt: new Date(s.lastSeenAt).toISOString(),
          expiresAt: new Date(s.expiresAt).toISOString(),
        })),
      };
    });

    app.delete('/api/v1/auth/sessions/:id', {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'Revoke one of my sessions / Thu hồi phiên', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), ...errors(404) } },
    }, async (req, reply) => {
      await auth.revokeSession(ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    });

    app.put('/api/v1/auth/password', {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Change my password; ends my sessions / Đổi mật khẩu',
        body: Type.Object({ currentPassword: Type.String({ maxLength: 1024 }), password: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
        response: { 204: Type.Null() },
      },
    }, async (req, reply) => {
      const ctx = ctxOf(req);
      await users.setPassword(ctx, ctx.actor.userId, req.body);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    });
  };
