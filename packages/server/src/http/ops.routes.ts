import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

/** Liveness, readiness, Prometheus metrics and the OpenAPI document. */
export const opsRoutes =
  (opts: { checks: ReadinessCheck[]; metricsText: () => Promise<string> }): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/healthz', {
      config: { access: 'public' },
      schema: { tags: ['ops'], summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    }, async () => ({ status: 'ok' as const }));

    app.get('/readyz', {
      config: { access: 'public' },
      schema: {
        tags: ['ops'],
        summary: 'Database and MQTT are reachable',
        response: { 200: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.Boolean()) }), 503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.Boolean()) }) },
      },
    }, async (_req, reply) => {
      const results = await Promise.all(opts.checks.map(async (c) => [c.name, await c.check().catch(() => false)] as const));
      const ok = results.every(([, v]) => v);
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
    });

    app.get('/metrics', {
      config: { access: 'public' },
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics (text exposition format)',
        response: { 200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: Type.String() } } } },
      },
    }, async (_req, reply) =>
      reply.type('text/plain; version=0.0.4; charset=utf-8').send(await opts.metricsText()),
    );

    app.get('/openapi.json', {
      config: { access: 'public' },
      schema: { tags: ['ops'], summary: 'This OpenAPI 3.1 document', response: { 200: Type.Object({}, { additionalProperties: true, description: 'OpenAPI 3.1.0 document' }) } },
    }, async () => app.swagger());
  };
