import { SECTORS } from '@haidang/domain';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccessPolicy } from '../services/access-policy.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { LiveHub, LiveReading } from '../services/live-hub.ts';
import type { OrgUnitService } from '../services/org-unit.service.ts';
import { ctxOf } from './auth.ts';

/** How often a stream re-checks its session and grants (a revoked session or ended delegation stops it). */
const RECHECK_MS = 30_000;
const HEARTBEAT_MS = 15_000;

/**
 * Live readings as Server-Sent Events (WHATWG HTML §9.2): `event: readings` with a JSON array of
 * committed readings, about once a second, only of devices in the caller's scope.
 */
export const liveRoutes =
  (hub: LiveHub, access: AccessPolicy, units: OrgUnitService, auth: AuthService): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Streams end when the server stops (graceful shutdown must not wait for them).
    const open = new Set<{ end(): void }>();
    app.addHook('preClose', async () => {
      for (const res of open) res.end();
    });

    app.get('/api/v1/live/readings', {
      config: { access: 'device.read' },
      schema: {
        tags: ['series'],
        summary: 'Live readings (Server-Sent Events) / Số liệu trực tuyến',
        description:
          'text/event-stream. Events: `ready` once; `readings` with `[{deviceId, attr, ts, value, unit}]` about once a second; ' +
          '`lagged` with `{dropped}` when the client reads too slowly; `end` with `{reason}` when the session ends. Comments every 15 s keep proxies open.',
        querystring: Type.Object({
          unit: Type.Optional(Type.String({ maxLength: 32 })),
          type: Type.Optional(Type.String({ maxLength: 64 })),
          sector: Type.Optional(Type.Union(SECTORS.map((s) => Type.Literal(s)))),
          device: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: Type.String() } } } },
      },
    }, async (req, reply) => {
      const ctx = ctxOf(req);
      const q = req.query;
      const filter = {
        ...(q.unit ? { unitCodes: new Set(await units.subtree(q.unit)) } : {}),
        ...(q.type ? { type: q.type } : {}),
        ...(q.sector ? { sector: q.sector } : {}),
        ...(q.device ? { device: q.device } : {}),
      };
      const scope = await access.filter(ctx, 'device.read');
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const event = (name: string, data: unknown) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
      res.write('retry: 5000\n\n');
      event('ready', { at: new Date().toISOString() });
      const sub = {
        send: (batch: LiveReading[]) => event('readings', batch),
        lagged: (dropped: number) => event('lagged', { dropped }),
      };
      const unsubscribe = hub.subscribe(scope, filter, sub);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const token = req.credential;
      const recheck = setInterval(() => {
        void (async () => {
          const again = token ? await auth.authenticate(token) : undefined;
          if (!again) {
            event('end', { reason: 'session_ended' });
            res.end();
            return;
          }
          hub.rescope(sub, await access.filter({ ...ctx, actor: again.actor }, 'device.read'));
        })().catch(() => res.end());
      }, RECHECK_MS);
      open.add(res);
      const stop = () => {
        open.delete(res);
        unsubscribe();
        clearInterval(heartbeat);
        clearInterval(recheck);
      };
      res.on('close', stop);
      res.on('error', stop);
    });
  };
