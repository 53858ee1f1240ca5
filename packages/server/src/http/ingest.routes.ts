import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IngestService } from '../services/ingest.service.ts';
import { domainValidatedBody, errors } from './schemas.ts';

/** HTTP ingestion in the FIWARE IoT Agent JSON convention (`POST /iot/json?k=&i=`). */
export const ingestRoutes =
  (ingest: IngestService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post('/iot/json', {
      schema: {
        tags: ['ingest'],
        summary: 'Send measures (FIWARE IoT Agent JSON) / Gửi số liệu đo',
        description:
          'Body: `{"attr": value, …, "TimeInstant": "ISO 8601 with offset"}` or an array of such objects. ' +
          'The request is stored whole or refused whole; 200 comes only after the readings are committed.',
        querystring: Type.Object({
          k: Type.String({ minLength: 1, maxLength: 64, description: 'API key (group)' }),
          i: Type.String({ minLength: 1, maxLength: 64, description: 'device id' }),
        }),
        body: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Record(Type.String(), Type.Unknown()))]),
        response: { 200: Type.Object({ accepted: Type.Integer() }), ...errors(400, 401, 413, 415, 422, 503) },
      },
      ...domainValidatedBody,
    }, async (req) => {
      const entry = ingest.findByKey(req.query.k, req.query.i);
      return { accepted: await ingest.ingestJson('http', entry, req.body) };
    });
  };
