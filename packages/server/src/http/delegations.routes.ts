import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DelegationService } from '../services/delegation.service.ts';
import { ctxOf } from './auth.ts';
import { errors, instant } from './schemas.ts';

const Delegation = Type.Object({
  id: Type.String(),
  grantorId: Type.String(),
  grantorName: Type.String(),
  granteeId: Type.String(),
  granteeName: Type.String(),
  role: Type.String(),
  unitCode: Type.String(),
  sector: Type.Union([Type.String(), Type.Null()]),
  validFrom: Type.String({ format: 'date-time' }),
  validUntil: Type.String({ format: 'date-time' }),
  reason: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedBy: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('scheduled'), Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
});


/** Ủy quyền: lend part of one's role and scope for a time. */
export const delegationsRoutes =
  (delegations: DelegationService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/api/v1/delegations', {
      config: { access: 'authenticated' },
      schema: { tags: ['delegations'], summary: 'Delegations I gave or received / Ủy quyền của tôi', response: { 200: Type.Object({ items: Type.Array(Delegation) }) } },
    }, async (req) => ({ items: await delegations.mine(ctxOf(req)) }));

    app.post('/api/v1/delegations', {
      config: { access: 'delegation.grant' },
      schema: {
        tags: ['delegations'],
        summary: 'Delegate part of my role and scope / Ủy quyền',
        body: Type.Object(
          {
            granteeId: Type.String({ maxLength: 64 }),
            role: Type.String({ maxLength: 32 }),
            unitCode: Type.String({ maxLength: 32 }),
            sector: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
            validFrom: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 with offset; default now' })),
            validUntil: Type.String({ maxLength: 40, description: 'ISO 8601 with offset; at most 90 days after validFrom' }),
            reason: Type.String({ maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Delegation },
      },
    }, async (req, reply) => {
      const b = req.body;
      const d = await delegations.grant(ctxOf(req), { ...b, validFrom: instant('validFrom', b.validFrom), validUntil: instant('validUntil', b.validUntil)! });
      return reply.status(201).send(d);
    });

    app.post('/api/v1/delegations/:id/revoke', {
      config: { access: 'authenticated' },
      schema: { tags: ['delegations'], summary: 'Revoke a delegation I gave or received / Thu hồi ủy quyền', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: Delegation, ...errors(404, 409) } },
    }, async (req) => delegations.revoke(ctxOf(req), req.params.id));
  };
