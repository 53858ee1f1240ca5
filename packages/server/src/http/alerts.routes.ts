import { ALERT_STATE_NAMES, ALERT_STATES, type AlertAction, fieldError, IocError, type Sector, SEVERITIES, SEVERITY_NAMES } from '@haidang/domain';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccessPolicy } from '../services/access-policy.ts';
import type { AlertService } from '../services/alert.service.ts';
import type { AlertStream, StreamedEvent } from '../services/alert-stream.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { LiveHub, LiveReading } from '../services/live-hub.ts';
import type { AlertEventRecord, AlertRecord } from '../services/ports.ts';
import { ctxOf } from './auth.ts';
import { deviceFilters, errors, instant } from './schemas.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** An alert as the API shows it: instants in ISO 8601 (UTC), state and severity with their names. */
export function alertView(a: AlertRecord) {
  return {
    id: a.id,
    ruleId: a.ruleId,
    ruleVersion: a.ruleVersion,
    subject: a.subject,
    deviceId: a.deviceId,
    unitCode: a.unitCode,
    sector: a.sector,
    ownerUnit: a.ownerUnit,
    state: a.state,
    stateName: ALERT_STATE_NAMES[a.state],
    severity: a.severity,
    severityName: SEVERITY_NAMES[a.severity],
    title: a.title,
    openedAt: iso(a.openedAt)!,
    firstTs: iso(a.firstTs)!,
    lastTs: iso(a.lastTs)!,
    count: a.count,
    firstValue: a.firstValue,
    lastValue: a.lastValue,
    peakValue: a.peakValue,
    ackedAt: iso(a.ackedAt),
    ackedBy: a.ackedBy,
    assignee: a.assignee,
    escalated: a.escalatedAt !== null,
    escalatedAt: iso(a.escalatedAt),
    escalatedTo: a.escalatedTo,
    resolvedAt: iso(a.resolvedAt),
    closedAt: iso(a.closedAt),
    closedBy: a.closedBy,
    clearedTs: iso(a.clearedTs),
    reopenCount: a.reopenCount,
    evidence: a.evidence,
    updatedAt: iso(a.updatedAt)!,
  };
}

const eventView = (e: AlertEventRecord) => ({ id: e.id, alertId: e.alertId, at: iso(e.at)!, kind: e.kind, actor: e.actor, data: e.data });

const Bilingual = Type.Object({ vi: Type.String(), en: Type.String() });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const Num = Type.Union([Type.Number(), Type.Null()]);

const Alert = Type.Object({
  id: Type.String(),
  ruleId: Type.String(),
  ruleVersion: Type.Integer(),
  subject: Type.String({ description: '`device:<id>` or `area:<unit code>`' }),
  deviceId: Nullable(Type.String()),
  unitCode: Type.String(),
  sector: Nullable(Type.String()),
  ownerUnit: Type.String({ description: 'The operation center that owns the alert' }),
  state: Type.String({ enum: [...ALERT_STATES] }),
  stateName: Bilingual,
  severity: Type.String({ enum: [...SEVERITIES] }),
  severityName: Bilingual,
  title: Bilingual,
  openedAt: DateTime,
  firstTs: DateTime,
  lastTs: DateTime,
  count: Type.Integer(),
  firstValue: Num,
  lastValue: Num,
  peakValue: Num,
  ackedAt: Nullable(DateTime),
  ackedBy: Nullable(Type.String()),
  assignee: Nullable(Type.String()),
  escalated: Type.Boolean(),
  escalatedAt: Nullable(DateTime),
  escalatedTo: Nullable(Type.String()),
  resolvedAt: Nullable(DateTime),
  closedAt: Nullable(DateTime),
  closedBy: Nullable(Type.String()),
  clearedTs: Nullable(DateTime),
  reopenCount: Type.Integer(),
  evidence: Type.Unknown({ description: 'Readings, leaf values and thresholds, rule id and version that raised the alert' }),
  updatedAt: DateTime,
});

const AlertEvent = Type.Object({
  id: Type.String(),
  alertId: Type.String(),
  at: DateTime,
  kind: Type.String(),
  actor: Nullable(Type.String()),
  data: Type.Unknown(),
});

const csvOf = <T extends string>(field: string, text: string | undefined, allowed: readonly T[]): T[] | undefined => {
  if (text === undefined) return undefined;
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const i of items) {
    if (!(allowed as readonly string[]).includes(i)) throw new IocError('IOC_ERR_VALIDATION', `${field}: unknown value`, [fieldError(field, 'bad_value', `unknown value "${i}"; use ${allowed.join(', ')}`)]);
  }
  return items as T[];
};

const RECHECK_MS = 30_000;
const MAX_STREAM_DEVICES = 50;
/** A client whose socket holds more than this unsent is dropped (it resumes with Last-Event-ID). */
const MAX_UNSENT_BYTES = 1 << 20;

export interface AlertRoutesOptions {
  heartbeatMs?: number;
}

/** Cảnh báo: alerts, their lifecycle, and the live alert stream. */
export const alertsRoutes =
  (alerts: AlertService, stream: AlertStream, hub: LiveHub, access: AccessPolicy, auth: AuthService, opts: AlertRoutesOptions = {}): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/api/v1/alerts', {
      config: { access: 'alert.read' },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts in my scope / Danh sách cảnh báo',
        querystring: Type.Object({
          unit: Type.Optional(Type.String({ maxLength: 32 })),
          sector: deviceFilters.sector,
          state: Type.Optional(Type.String({ maxLength: 100, description: `comma-separated: ${ALERT_STATES.join(', ')}; \`active\` = open,acknowledged` })),
          severity: Type.Optional(Type.String({ maxLength: 100, description: `comma-separated: ${SEVERITIES.join(', ')}` })),
          rule: Type.Optional(Type.String({ maxLength: 64 })),
          device: Type.Optional(Type.String({ maxLength: 64 })),
          escalated: Type.Optional(Type.Boolean()),
          from: Type.Optional(Type.String({ maxLength: 40 })),
          to: Type.Optional(Type.String({ maxLength: 40 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(Alert), total: Type.Integer() }), ...errors(400) },
      },
    }, async (req) => {
      const q = req.query;
      const states = q.state === 'active' ? ['open' as const, 'acknowledged' as const] : csvOf('state', q.state, ALERT_STATES);
      const r = await alerts.list(ctxOf(req), {
        ...(q.unit && { unit: q.unit }),
        ...(q.sector ? { sector: q.sector as Sector } : {}),
        ...(states && { states }),
        ...(q.severity && { severities: csvOf('severity', q.severity, SEVERITIES)! }),
        ...(q.rule && { ruleId: q.rule }),
        ...(q.device && { deviceId: q.device }),
        ...(q.escalated !== undefined && { escalated: q.escalated }),
        ...(q.from && { from: instant('from', q.from)! }),
        ...(q.to && { to: instant('to', q.to)! }),
        limit: q.limit,
        offset: q.offset,
      });
      return { items: r.items.map(alertView), total: r.total };
    });

    app.get('/api/v1/alerts/:id', {
      config: { access: 'alert.read' },
      schema: {
        tags: ['alerts'],
        summary: 'One alert with its timeline and evidence / Chi tiết cảnh báo',
        params: Type.Object({ id: Type.String({ maxLength: 20 }) }),
        response: { 200: Type.Object({ alert: Alert, timeline: Type.Array(AlertEvent) }), ...errors(404) },
      },
    }, async (req) => {
      const r = await alerts.get(ctxOf(req), req.params.id);
      return { alert: alertView(r.alert), timeline: r.timeline.map(eventView) };
    });

    const actions: { path: string; action: AlertAction; summary: string; body: ReturnType<typeof Type.Object> }[] = [
      { path: 'acknowledge', action: 'acknowledge', summary: 'Acknowledge / Tiếp nhận', body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 4000 })) }, { additionalProperties: false }) },
      { path: 'assign', action: 'assign', summary: 'Assign to a person / Giao xử lý', body: Type.Object({ assignee: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]), note: Type.Optional(Type.String({ maxLength: 4000 })) }, { additionalProperties: false }) },
      { path: 'comments', action: 'comment', summary: 'Comment / Ghi chú', body: Type.Object({ note: Type.String({ maxLength: 4000 }) }, { additionalProperties: false }) },
      { path: 'close', action: 'close', summary: 'Close with a note / Đóng cảnh báo', body: Type.Object({ note: Type.String({ maxLength: 4000 }) }, { additionalProperties: false }) },
    ];
    for (const a of actions) {
      app.post(`/api/v1/alerts/:id/${a.path}`, {
        config: { access: 'alert.handle' },
        schema: {
          tags: ['alerts'],
          summary: a.summary,
          params: Type.Object({ id: Type.String({ maxLength: 20 }) }),
          body: Type.Optional(a.body),
          response: { 200: Alert, ...errors(400, 404, 409) },
        },
      }, async (req) => alertView(await alerts.act(ctxOf(req), req.params.id, a.action, req.body)));
    }

    const open = new Set<{ end(): void }>();
    app.addHook('preClose', async () => {
      for (const res of open) res.end();
    });

    app.get('/api/v1/live/alerts', {
      config: { access: 'alert.read' },
      schema: {
        tags: ['alerts'],
        summary: 'Live alert events (Server-Sent Events) / Cảnh báo trực tuyến',
        description:
          'text/event-stream (WHATWG HTML §9.2). `event: alert` with `{event, alert}` for every timeline event (raised, reopened, severity, acknowledged, assigned, ' +
          'commented, escalated, resolved, closed, cleared) of alerts in the caller\'s scope; its `id:` is the event id, so a reconnect with `Last-Event-ID` ' +
          '(header, or `lastEventId` query for clients that cannot set it) receives everything missed. `readings` (optional `devices=a,b`): live readings of those devices, ' +
          'not resumable. Comments every 15 s keep proxies open. A client that falls behind (1 MiB unsent) is disconnected with `event: end` and resumes.',
        querystring: Type.Object({
          lastEventId: Type.Optional(Type.String({ maxLength: 20, pattern: '^[0-9]+$' })),
          devices: Type.Optional(Type.String({ maxLength: 4000 })),
        }),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 20, pattern: '^[0-9]+$' })) }),
        response: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: Type.String() } } }, ...errors(400) },
      },
    }, async (req, reply) => {
      const ctx = ctxOf(req);
      const lastEventId = req.headers['last-event-id'] ?? req.query.lastEventId;
      const devices = req.query.devices ? [...new Set(req.query.devices.split(',').map((s) => s.trim()).filter(Boolean))] : [];
      if (devices.length > MAX_STREAM_DEVICES) throw new IocError('IOC_ERR_VALIDATION', 'too many devices', [fieldError('devices', 'too_many', `at most ${MAX_STREAM_DEVICES} devices`)]);
      const scope = await access.filter(ctx, 'alert.read');
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let ended = false;
      const end = (reason: string) => {
        if (ended) return;
        ended = true;
        res.write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
        res.end();
      };
      const write = (text: string): boolean => {
        if (ended) return true;
        res.write(text);
        return res.writableLength <= MAX_UNSENT_BYTES;
      };
      write('retry: 3000\n\n');
      const sink = {
        write: (e: StreamedEvent) => write(`id: ${e.event.id}\nevent: alert\ndata: ${JSON.stringify({ event: eventView(e.event), alert: alertView(e.alert) })}\n\n`),
        drop: (reason: string) => end(reason),
      };
      open.add(res);
      const unsubscribe = await stream.subscribe(scope, sink, lastEventId);
      write(`event: ready\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`);
      let unsubscribeReadings: (() => void) | undefined;
      if (devices.length) {
        const readScope = await access.filter(ctx, 'device.read');
        unsubscribeReadings = hub.subscribe(readScope, { devices: new Set(devices) }, {
          send: (batch: LiveReading[]) => void (write(`event: readings\ndata: ${JSON.stringify(batch)}\n\n`) || end('slow_consumer')),
          lagged: (dropped: number) => void write(`event: lagged\ndata: ${JSON.stringify({ dropped })}\n\n`),
        });
      }
      const heartbeat = setInterval(() => write(': keep-alive\n\n') || end('slow_consumer'), opts.heartbeatMs ?? 15_000);
      const token = req.credential;
      const recheck = setInterval(() => {
        void (async () => {
          const again = token ? await auth.authenticate(token) : undefined;
          if (!again) return end('session_ended');
          stream.rescope(sink, await access.filter({ ...ctx, actor: again.actor }, 'alert.read'));
        })().catch(() => end('error'));
      }, RECHECK_MS);
      const stop = () => {
        open.delete(res);
        unsubscribe();
        unsubscribeReadings?.();
        clearInterval(heartbeat);
        clearInterval(recheck);
      };
      res.on('close', stop);
      res.on('error', stop);
    });
  };
