import { IocError } from '@haidang/domain';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccessPolicy } from '../services/access-policy.ts';
import type { AuditService } from '../services/audit.service.ts';
import { ctxOf } from './auth.ts';
import { errors, instant } from './schemas.ts';

const nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
const Entry = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actorId: nullable(Type.String()),
  actorName: Type.String(),
  onBehalfOfId: nullable(Type.String()),
  onBehalfOfName: nullable(Type.String({ description: 'set when the action was allowed by a delegation from this user ("A on behalf of B")' })),
  action: Type.String(),
  outcome: Type.String(),
  unitCode: nullable(Type.String()),
  target: nullable(Type.String()),
  details: Type.Object({}, { additionalProperties: true }),
  ip: nullable(Type.String()),
  userAgent: nullable(Type.String()),
  correlationId: nullable(Type.String()),
  prevHash: Type.String(),
  hash: Type.String(),
});


/** The audit log: query within one's scope; verify the hash chain. */
export const auditRoutes =
  (audit: AuditService, access: AccessPolicy): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/api/v1/audit', {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit log, newest first / Nhật ký kiểm toán',
        querystring: Type.Object({
          actor: Type.Optional(Type.String({ maxLength: 64, description: 'user id' })),
          unit: Type.Optional(Type.String({ maxLength: 32, description: 'org unit; includes the units below it' })),
          action: Type.Optional(Type.String({ maxLength: 64, description: 'an action (device.create) or a prefix (auth.*)' })),
          from: Type.Optional(Type.String({ maxLength: 40 })),
          to: Type.Optional(Type.String({ maxLength: 40 })),
          before: Type.Optional(Type.Integer({ minimum: 1, description: 'entries before this seq (paging)' })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(Entry) }) },
      },
    }, async (req) => {
      const q = req.query;
      return audit.queryFor(ctxOf(req), access, {
        ...(q.actor ? { actorId: q.actor } : {}),
        ...(q.unit ? { unit: q.unit } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.from ? { from: instant('from', q.from)! } : {}),
        ...(q.to ? { to: instant('to', q.to)! } : {}),
        ...(q.before ? { beforeSeq: q.before } : {}),
        limit: q.limit,
      });
    });

    app.get('/api/v1/audit/verify', {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'Check the hash chain of the whole log; reports the first broken link / Kiểm tra tính toàn vẹn',
        response: {
          200: Type.Object({ ok: Type.Boolean(), checked: Type.Integer(), firstBroken: Type.Optional(Type.Object({ seq: Type.Integer(), reason: Type.String() })) }),
          ...errors(403),
        },
      },
    }, async (req) => {
      // The whole log: a city-wide audit.read scope only.
      const scope = await access.filter(ctxOf(req), 'audit.read');
      if (scope.kind !== 'all') throw new IocError('IOC_ERR_FORBIDDEN', 'verifying the whole log needs audit.read over the whole city');
      return audit.verify();
    });
  };
