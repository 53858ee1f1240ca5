import { ERRORS, type ErrorCode, type FieldError, IocError } from '@haidang/domain';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The error body of every failed request. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  /** What went wrong, in detail (English). */
  message: string;
  /** The error's title in Vietnamese and English, for display. */
  title: { vi: string; en: string };
  correlationId: string;
  errors?: FieldError[];
}

export const errorBodySchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', enum: Object.keys(ERRORS) },
    message: { type: 'string' },
    title: { type: 'object', properties: { vi: { type: 'string' }, en: { type: 'string' } } },
    correlationId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' }, row: { type: 'integer' } },
      },
    },
  },
} as const;

function body(code: ErrorCode, message: string, req: FastifyRequest, errors?: FieldError[]): ErrorBody {
  const { status, vi, en } = ERRORS[code];
  return { statusCode: status, code, message, title: { vi, en }, correlationId: String(req.id), ...(errors?.length ? { errors } : {}) };
}

/**
 * Fastify's (AJV) validation errors as field errors: `/limit` → `limit`. A union of literals
 * (`sector`, `resolution`) fails once per literal plus once for the union: that is one error,
 * naming the allowed values.
 */
function fromValidation(err: FastifyError): FieldError[] {
  const ctx = err.validationContext ?? '';
  const out: FieldError[] = [];
  const choices = new Map<string, { error: FieldError; values: unknown[] }>();
  for (const v of err.validation ?? []) {
    const params = v.params as { missingProperty?: string; allowedValue?: unknown; allowedValues?: unknown[] };
    const missing = params.missingProperty;
    const path = `${v.instancePath.replace(/^\//, '')}${missing ? `${v.instancePath ? '/' : ''}${missing}` : ''}`;
    const field = path || ctx;
    if (v.keyword === 'const' || v.keyword === 'enum') {
      let c = choices.get(field);
      if (!c) {
        c = { error: { field, reason: 'bad_value', message: '' }, values: [] };
        choices.set(field, c);
        out.push(c.error);
      }
      c.values.push(...(v.keyword === 'const' ? [params.allowedValue] : (params.allowedValues ?? [])));
      continue;
    }
    if (v.keyword === 'anyOf' && choices.has(field)) continue;
    const error = { field, reason: v.keyword === 'required' ? 'required' : v.keyword === 'type' ? 'wrong_type' : 'bad_value', message: `${ctx} ${field} ${v.message ?? ''}`.trim() };
    if (!out.some((e) => e.field === error.field && e.message === error.message)) out.push(error);
  }
  for (const [field, c] of choices) c.error.message = `${ctx} ${field} must be one of ${c.values.map(String).join(', ')}`.trim();
  return out;
}

/** PostgreSQL SQLSTATEs of text it cannot store: 22021 character_not_in_repertoire, 22P05 untranslatable_character. */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/** One handler maps every error to the catalog: domain errors, framework errors, and the unknown. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    let out: ErrorBody;
    if (err instanceof IocError) out = body(err.code, err.message, req, err.errors);
    else if (err.validation) out = body('IOC_ERR_VALIDATION', 'request does not match the schema', req, fromValidation(err));
    else if (UNSTORABLE_TEXT.has(String(err.code))) {
      // PostgreSQL refuses some text (a NUL character, invalid encodings): the input was bad, not the server.
      out = body('IOC_ERR_VALIDATION', 'the request holds a character that cannot be stored (e.g. NUL, U+0000)', req, [{ field: '', reason: 'bad_character', message: 'text must not contain NUL (U+0000) or invalid characters' }]);
    }
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') out = body('IOC_ERR_PAYLOAD_TOO_LARGE', err.message, req, [{ field: '', reason: 'too_large', message: err.message }]);
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') out = body('IOC_ERR_UNSUPPORTED_MEDIA_TYPE', err.message, req, [{ field: 'content-type', reason: 'unsupported', message: err.message }]);
    else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') out = body('IOC_ERR_VALIDATION', 'body is empty', req, [{ field: '', reason: 'empty', message: err.message }]);
    else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && err.statusCode === 400)) {
      out = body('IOC_ERR_VALIDATION', 'body is not valid JSON', req, [{ field: '', reason: 'malformed_json', message: err.message }]);
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      out = body('IOC_ERR_VALIDATION', err.message, req);
      out.statusCode = err.statusCode;
    } else {
      req.log.error({ err }, 'unhandled error');
      out = body('IOC_ERR_INTERNAL', 'internal error; see the server log with the correlation id', req);
    }
    if (out.statusCode >= 500 && out.code !== 'IOC_ERR_INTERNAL') req.log.warn({ code: out.code, msg: out.message }, 'request failed');
    void reply.status(out.statusCode).send(out);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(body('IOC_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`, req));
  });
}
