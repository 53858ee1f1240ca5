import { IocError, type RejectReason } from '@haidang/domain';
import { Type } from '@sinclair/typebox';
import type { FastifyError } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IngestService } from '../services/ingest.service.ts';
import { domainValidatedBody, errors } from './schemas.ts';

/**
 * The reason a request refused by the framework (query validation, body parsing, size, content
 * type), before it reached the ingest service, is counted under. The service counts its own.
 */
function frameworkRejection(err: FastifyError): RejectReason | undefined {
  if (err instanceof IocError) return undefined;
  if (err.validation) {
    const fields = err.validation.map((v) => v.instancePath.replace(/^\//, '') || (v.params as { missingProperty?: string }).missingProperty);
    return fields.includes('k') ? 'bad_key' : 'unknown_device';
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'too_large';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'empty';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'malformed_json';
    default:
      return err instanceof SyntaxError ? 'malformed_json' : undefined;
  }
}

/** HTTP ingestion in the FIWARE IoT Agent JSON convention (`POST /iot/json?k=&i=`). */
export const ingestRoutes =
  (ingest: IngestService): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Measures are JSON only: a body in any other content type (text/plain, the app's CSV) is 415,
    // not a string handed to the parser. This plugin is encapsulated; other routes keep theirs.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

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
        response: { 200: Type.Object({ accepted: Type.Integer() }), ...errors(400, 401, 413, 415, 422, 503) },
      },
      // The API key and device id are the credential (FIWARE IoT Agent convention); a bearer
      // token or API key, when sent, must also hold ingest.write over the device. With
      // IOC_INGEST_AUTH=credentials the bearer is required.
      config: { access: 'public', ...domainValidatedBody(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Record(Type.String(), Type.Unknown()))])) },
      onError: async (_req, _reply, err) => {
        const reason = frameworkRejection(err);
        if (reason) ingest.countRejected('http', reason);
      },
    }, async (req) => {
      if (ingest.mode === 'credentials' && !req.ctx) {
        ingest.countRejected('http', 'bad_key');
        throw new IocError('IOC_ERR_UNAUTHENTICATED', 'this IOC takes readings from signed-in senders only (IOC_INGEST_AUTH=credentials): send a data provider API key as Authorization: Bearer');
      }
      const entry = await ingest.findForCaller(req.query.k, req.query.i, req.ctx);
      return { accepted: await ingest.ingestJson('http', entry, req.body) };
    });
  };
