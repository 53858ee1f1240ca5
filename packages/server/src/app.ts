import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { alertsRoutes } from './http/alerts.routes.ts';
import { auditRoutes } from './http/audit.routes.ts';
import { registerAuth, requireAccessDeclaration } from './http/auth.ts';
import { authRoutes } from './http/auth.routes.ts';
import { delegationsRoutes } from './http/delegations.routes.ts';
import { devicesRoutes } from './http/devices.routes.ts';
import { type ConsoleRoutesOptions, consoleRoutes } from './http/console.routes.ts';
import { registerErrorHandler } from './http/error-handler.ts';
import { ingestRoutes } from './http/ingest.routes.ts';
import { liveRoutes } from './http/live.routes.ts';
import { maintenanceRoutes } from './http/maintenance.routes.ts';
import { mapRoutes } from './http/map.routes.ts';
import { opsRoutes, type ReadinessCheck } from './http/ops.routes.ts';
import { declareStandardErrors, sharedSchemas } from './http/schemas.ts';
import { rulesRoutes } from './http/rules.routes.ts';
import { seriesRoutes } from './http/series.routes.ts';
import { unitsRoutes } from './http/units.routes.ts';
import { usersRoutes } from './http/users.routes.ts';
import type { AccessPolicy } from './services/access-policy.ts';
import type { AlertService } from './services/alert.service.ts';
import type { AlertStream } from './services/alert-stream.ts';
import type { AuditService } from './services/audit.service.ts';
import type { AuthService } from './services/auth.service.ts';
import type { BacktestService } from './services/backtest.ts';
import type { DelegationService } from './services/delegation.service.ts';
import type { DeviceService } from './services/device.service.ts';
import type { IngestService } from './services/ingest.service.ts';
import type { LiveHub } from './services/live-hub.ts';
import type { MaintenanceService } from './services/maintenance.service.ts';
import type { MapService } from './services/map.service.ts';
import type { OrgUnitService } from './services/org-unit.service.ts';
import type { RuleService } from './services/rule.service.ts';
import type { SeriesService } from './services/series.service.ts';
import type { UserService } from './services/user.service.ts';

export interface AppServices {
  devices: DeviceService;
  ingest: IngestService;
  series: SeriesService;
  units: OrgUnitService;
  access: AccessPolicy;
  audit: AuditService;
  auth: AuthService;
  users: UserService;
  delegations: DelegationService;
  live: LiveHub;
  alerts: AlertService;
  alertStream: AlertStream;
  /** The overview map and tiles. */
  map: MapService;
  /** Early warning (issue #4): served when wired. */
  rules?: RuleService;
  backtest?: BacktestService;
  maintenance?: MaintenanceService;
}

export interface AppDeps {
  services: AppServices;
  /** Mark the session cookie Secure (HTTPS). */
  secureCookie: boolean;
  /** Proxies believed about the client address (Fastify trustProxy). */
  trustProxy?: boolean | number | string[];
  checks: ReadinessCheck[];
  metricsText: () => Promise<string>;
  bodyLimit: number;
  logger: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
  version: string;
  /** Alert stream tuning (tests shorten the heartbeat). */
  alertStreamOptions?: { heartbeatMs?: number };
  /** The operator console at /console (built files and its settings); absent: not served. */
  console?: ConsoleRoutesOptions;
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
    // One of Fastify's trustProxy forms; typed as boolean only to keep its overloads on HTTP/1.
    trustProxy: (deps.trustProxy ?? false) as boolean,
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
    // Prototype poisoning in JSON bodies is refused, not silently kept (Fastify's default is 'error' too).
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRoute', requireAccessDeclaration);
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
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'a token from POST /api/v1/auth/token, or a service account API key' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'hd_session', description: 'browser session from POST /api/v1/auth/login; unsafe methods also need the X-CSRF-Token header' },
        },
      },
      tags: [
        { name: 'auth', description: 'Sign-in, sessions, tokens / Đăng nhập' },
        { name: 'users', description: 'Users, roles, API keys / Người dùng, phân quyền' },
        { name: 'delegations', description: 'Delegation / Ủy quyền' },
        { name: 'audit', description: 'Audit log / Nhật ký kiểm toán' },
        { name: 'devices', description: 'Device registry / Danh mục thiết bị' },
        { name: 'ingest', description: 'Data ingestion / Thu nhận số liệu' },
        { name: 'series', description: 'Time series / Chuỗi thời gian' },
        { name: 'org', description: 'Org units / Đơn vị' },
        { name: 'alerts', description: 'Alerts: lifecycle, escalation, live alert stream / Cảnh báo: xử lý, chuyển cấp, luồng trực tuyến' },
        { name: 'rules', description: 'Warning rules, backtests, maintenance windows / Quy tắc cảnh báo, chạy thử, lịch bảo trì' },
        { name: 'map', description: 'Overview map (GeoJSON) and key figures / Bản đồ tổng quan và số liệu chính' },
        { name: 'ops', description: 'Operations' },
      ],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  registerErrorHandler(app);
  await app.register(cookie);
  const s = deps.services;
  registerAuth(app, s.auth, s.audit);

  await app.register(opsRoutes({ checks: deps.checks, metricsText: deps.metricsText }));
  await app.register(authRoutes(s.auth, s.users, { secureCookie: deps.secureCookie }));
  await app.register(usersRoutes(s.users));
  await app.register(delegationsRoutes(s.delegations));
  await app.register(auditRoutes(s.audit, s.access));
  await app.register(unitsRoutes(s.units));
  await app.register(devicesRoutes(s.devices));
  await app.register(seriesRoutes(s.series));
  await app.register(liveRoutes(s.live, s.access, s.units, s.auth));
  await app.register(ingestRoutes(s.ingest));
  if (s.rules && s.backtest) await app.register(rulesRoutes(s.rules, s.backtest));
  if (s.maintenance) await app.register(maintenanceRoutes(s.maintenance));
  await app.register(mapRoutes(s.map));
  if (deps.console) await app.register(consoleRoutes(deps.console));
  await app.register(alertsRoutes(s.alerts, s.alertStream, s.live, s.access, s.auth, deps.alertStreamOptions));
  await app.ready();
  return app;
}
