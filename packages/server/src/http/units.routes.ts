import { IocError } from '@haidang/domain';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { OrgUnitService } from '../services/org-unit.service.ts';
import type { OrgUnit } from '../services/ports.ts';
import { ctxOf } from './auth.ts';
import { domainValidatedBody, errors } from './schemas.ts';

const CodeParams = Type.Object({ code: Type.String({ maxLength: 32 }) });
const UnitInput = Type.Object({
  code: Type.String(),
  name: Type.Object({ vi: Type.String(), en: Type.String() }),
  kind: Type.String(),
  parent: Type.String(),
  sector: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  geometry: Type.Optional(Type.Union([Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) }), Type.Null()])),
});

const view = (u: OrgUnit) => ({
  code: u.code,
  name: u.name,
  kind: u.kind,
  parent: u.parent,
  sector: u.sector ?? null,
  status: u.status ?? 'active',
  successor: u.successor ?? null,
  retiredAt: u.retiredAt ?? null,
  hasGeometry: !!u.geometry,
});

/** The org tree: read by every user, edited by admins within their scope. */
export const unitsRoutes =
  (units: OrgUnitService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/api/v1/units', {
      config: { access: 'unit.read' },
      schema: {
        tags: ['org'],
        summary: 'Org units: areas, operation centers, agencies / Đơn vị',
        querystring: Type.Object({ status: Type.Union([Type.Literal('active'), Type.Literal('retired'), Type.Literal('all')], { default: 'active' }) }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('OrgUnit')) }) },
      },
    }, async (req) => ({ items: (await units.list({ status: req.query.status })).map(view) }));

    app.get('/api/v1/units/:code', {
      config: { access: 'unit.read' },
      schema: {
        tags: ['org'],
        summary: 'One unit, with its area geometry (GeoJSON) when known / Một đơn vị',
        params: CodeParams,
        response: { 200: Type.Object({ unit: Type.Ref('OrgUnit'), geometry: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]) }), ...errors(404) },
      },
    }, async (req) => {
      const u = await units.get(req.params.code);
      if (!u) throw notFound(req.params.code);
      return { unit: view(u), geometry: (u.geometry as Record<string, unknown> | null | undefined) ?? null };
    });

    app.post('/api/v1/units', {
      config: { access: 'unit.manage', ...domainValidatedBody(UnitInput) },
      schema: { tags: ['org'], summary: 'Add a unit / Thêm đơn vị', response: { 201: Type.Ref('OrgUnit'), ...errors(409) } },
    }, async (req, reply) => reply.status(201).send(view(await units.create(ctxOf(req), req.body as never))));

    app.put('/api/v1/units/:code', {
      config: { access: 'unit.manage', ...domainValidatedBody(UnitInput) },
      schema: { tags: ['org'], summary: 'Rename or move a unit / Sửa đơn vị', params: CodeParams, response: { 200: Type.Ref('OrgUnit'), ...errors(404) } },
    }, async (req) => view(await units.update(ctxOf(req), req.params.code, req.body as never)));

    app.post('/api/v1/units/:code/retire', {
      config: { access: 'unit.manage' },
      schema: {
        tags: ['org'],
        summary: 'Retire a unit; its records belong to the successor from now on / Ngừng sử dụng đơn vị',
        params: CodeParams,
        body: Type.Object({ successor: Type.String({ maxLength: 32 }) }, { additionalProperties: false }),
        response: { 200: Type.Ref('OrgUnit'), ...errors(404, 409) },
      },
    }, async (req) => view(await units.retire(ctxOf(req), req.params.code, req.body.successor)));

    app.delete('/api/v1/units/:code', {
      config: { access: 'unit.manage' },
      schema: { tags: ['org'], summary: 'Delete an unused unit (one with data or users can only be retired) / Xóa đơn vị', params: CodeParams, response: { 204: Type.Null(), ...errors(404, 409) } },
    }, async (req, reply) => {
      await units.remove(ctxOf(req), req.params.code);
      return reply.status(204).send(null);
    });
  };

const notFound = (code: string) => new IocError('IOC_ERR_NOT_FOUND', `no org unit ${code}`);
