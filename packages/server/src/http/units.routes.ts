import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { OrgUnitService } from '../services/org-unit.service.ts';

export const unitsRoutes =
  (units: OrgUnitService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/api/v1/units', {
      schema: {
        tags: ['org'],
        summary: 'Org units of the city / Đơn vị hành chính',
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ code: Type.String(), name: Type.Object({ vi: Type.String(), en: Type.String() }), kind: Type.String(), parent: Type.Union([Type.String(), Type.Null()]) })),
          }),
        },
      },
    }, async () => ({ items: await units.list() }));
  };
