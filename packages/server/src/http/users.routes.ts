import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { UserService } from '../services/user.service.ts';
import { ctxOf } from './auth.ts';
import { domainValidatedBody, errors } from './schemas.ts';

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const Assignments = Type.Array(Type.Ref('Assignment'), { maxItems: 50 });
const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the key, to recognise it' }),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const iso = (n: number | null) => (n === null ? null : new Date(n).toISOString());

/** Users, their roles and API keys (admins, within their scope). */
export const usersRoutes =
  (users: UserService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/api/v1/users', {
      config: { access: 'user.manage' },
      schema: {
        tags: ['users'],
        summary: 'Users in my scope / Người dùng',
        querystring: Type.Object({
          unit: Type.Optional(Type.String({ maxLength: 32 })),
          kind: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('service')])),
          q: Type.Optional(Type.String({ maxLength: 100, description: 'username or name, with or without diacritics' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('UserView')), total: Type.Integer() }) },
      },
    }, async (req) => users.list(ctxOf(req), req.query));

    app.post('/api/v1/users', {
      schema: { tags: ['users'], summary: 'Create a user or service account / Tạo người dùng', response: { 201: Type.Ref('UserView'), ...errors(409) } },
      config: {
        access: 'user.manage',
        ...domainValidatedBody(
        Type.Object({
          username: Type.String(),
          displayName: Type.String(),
          kind: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('service')])),
          unitCode: Type.String({ description: 'home unit' }),
          password: Type.Optional(Type.String({ description: 'people only; at least 12 characters' })),
          assignments: Assignments,
        }),
        ),
      },
    }, async (req, reply) => reply.status(201).send(await users.create(ctxOf(req), req.body as never)));

    app.get('/api/v1/users/:id', {
      config: { access: 'user.manage' },
      schema: { tags: ['users'], summary: 'One user / Một người dùng', params: IdParams, response: { 200: Type.Ref('UserView'), ...errors(404) } },
    }, async (req) => users.get(ctxOf(req), req.params.id));

    app.patch('/api/v1/users/:id', {
      config: { access: 'user.manage' },
      schema: {
        tags: ['users'],
        summary: 'Rename, move or disable a user (disabling ends their sessions) / Sửa, khóa người dùng',
        params: IdParams,
        body: Type.Object({ displayName: Type.Optional(Type.String({ maxLength: 200 })), unitCode: Type.Optional(Type.String({ maxLength: 32 })), disabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Ref('UserView'), ...errors(404) },
      },
    }, async (req) => users.update(ctxOf(req), req.params.id, req.body));

    app.put('/api/v1/users/:id/assignments', {
      config: { access: 'user.manage' },
      schema: { tags: ['users'], summary: "Replace a user's roles / Phân quyền", params: IdParams, body: Assignments, response: { 200: Type.Ref('UserView'), ...errors(404) } },
    }, async (req) => users.setAssignments(ctxOf(req), req.params.id, req.body));

    app.put('/api/v1/users/:id/password', {
      config: { access: 'user.manage' },
      schema: {
        tags: ['users'],
        summary: "Set a user's password (ends their sessions) / Đặt lại mật khẩu",
        params: IdParams,
        body: Type.Object({ password: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors(404) },
      },
    }, async (req, reply) => {
      await users.setPassword(ctxOf(req), req.params.id, req.body);
      return reply.status(204).send(null);
    });

    app.get('/api/v1/users/:id/api-keys', {
      config: { access: 'user.manage' },
      schema: { tags: ['users'], summary: "A service account's API keys / Khóa API", params: IdParams, response: { 200: Type.Object({ items: Type.Array(ApiKey) }), ...errors(404) } },
    }, async (req) => ({
      items: (await users.apiKeys(ctxOf(req), req.params.id)).map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, createdAt: iso(k.createdAt)!, lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt) })),
    }));

    app.post('/api/v1/users/:id/api-keys', {
      config: { access: 'user.manage' },
      schema: {
        tags: ['users'],
        summary: 'Issue an API key; the key is shown in this answer only / Cấp khóa API',
        params: IdParams,
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String(), key: Type.String({ description: 'send as Authorization: Bearer <key>; stored only as a hash' }), prefix: Type.String(), createdAt: Type.String({ format: 'date-time' }) }), ...errors(404) },
      },
    }, async (req, reply) => {
      const k = await users.issueApiKey(ctxOf(req), req.params.id, req.body.name);
      return reply.status(201).send({ ...k, createdAt: iso(k.createdAt)! });
    });

    app.delete('/api/v1/users/:id/api-keys/:keyId', {
      config: { access: 'user.manage' },
      schema: { tags: ['users'], summary: 'Revoke an API key / Thu hồi khóa API', params: Type.Object({ id: Type.String({ maxLength: 64 }), keyId: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), ...errors(404, 409) } },
    }, async (req, reply) => {
      await users.revokeApiKey(ctxOf(req), req.params.id, req.params.keyId);
      return reply.status(204).send(null);
    });
  };
