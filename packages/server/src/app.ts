import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { devicesRoutes } from './http/devices.routes.ts';
import { registerErrorHandler } from './http/error-handler.ts';
import { ingestRoutes } from './http/ingest.routes.ts';
import { opsRoutes, type ReadinessCheck } from './http/ops.routes.ts';
import { declareStandardErrors, sharedSchemas } from './http/schemas.ts';
import { seriesRoutes } from './http/series.routes.ts';
import { unitsRoutes } from './http/units.routes.ts';
import type { DeviceService } from './services/device.service.ts';
import type { IngestService } from './services/ingest.service.ts';
import type { OrgUnitService } from './services/org-unit.service.ts';
import type { SeriesService } from './services/series.service.ts';

export interface AppDeps {
  devices: DeviceService;
  ingest: IngestService;
  series: SeriesService;
  units: OrgUnitService;
  checks: ReadinessCheck[];
  metricsText: () => Promise<string>;
  bodyLimit: number;
  logger: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
  version: string;
  /** Sees every route as it is added (tests compare the routes with the OpenAPI document). */
  onRoute?: (route: RouteOptions) => void;
}

/** Builds the HTTP application from its services. `main` listens; tests use `inject()`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const loggerOpt = deps.logger && typeof (deps.logger as { child?: unknown }).child === 'function'
    ? { loggerInstance: deps.logger as FastifyServerOptions['loggerInstance'] }
    : { logger: deps.logger as FastifyServerOptions['logger'] };
  const app = Fastify({
    ...loggerOpt,
    bodyLimit: deps.bodyLimit,
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
    // Prototype poisoning in JSON bodies is refused, not silently kept (Fastify's default is 'error' too).
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRoute', declareStandardErrors);
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);

  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  for (const s of sharedSchemas) app.addSchema(s);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Hải Đăng IOC API',
        version: deps.version,
        description: 'Trung tâm giám sát, điều hành thông minh — Intelligent Operations Center. Times are ISO 8601; storage is UTC.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      tags: [
        { name: 'devices', description: 'Device registry / Danh mục thiết bị' },
        { name: 'ingest', description: 'Data ingestion / Thu nhận số liệu' },
        { name: 'series', description: 'Time series / Chuỗi thời gian' },
        { name: 'org', description: 'Org units / Đơn vị' },
        { name: 'ops', description: 'Operations' },
      ],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  registerErrorHandler(app);

  await app.register(opsRoutes({ checks: deps.checks, metricsText: deps.metricsText }));
  await app.register(unitsRoutes(deps.units));
  await app.register(devicesRoutes(deps.devices));
  await app.register(seriesRoutes(deps.series));
  await app.register(ingestRoutes(deps.ingest));
  await app.ready();
  return app;
}
