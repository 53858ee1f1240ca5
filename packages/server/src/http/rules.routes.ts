import { fieldError, IocError, isObject, type FieldError, SECTORS, SEVERITIES } from '@haidang/domain';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BacktestService } from '../services/backtest.ts';
import type { RuleService } from '../services/rule.service.ts';
import { ctxOf } from './auth.ts';
import { domainValidatedBody, errors, instant } from './schemas.ts';

/** Largest rule body: a definition with a thousand device ids fits many times over. */
const RULE_BODY_LIMIT = 256 * 1024;

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const literals = <T extends string>(values: readonly T[]) => Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));
const Bilingual = Type.Object({ vi: Type.String({ maxLength: 2000 }), en: Type.String({ maxLength: 2000 }) });
const Severity = literals(SEVERITIES);
const Sector = literals(SECTORS);
const Comparator = literals(['>', '>=', '<', '<=']);

/** A condition as documented (the domain validates it, recursively; see docs/rules.md). */
const Condition = Type.Object(
  {
    kind: literals(['threshold', 'duration', 'rate', 'window', 'anomaly', 'absence', 'all', 'any']),
    attr: Type.Optional(Type.String({ description: 'the attribute watched (absence: optional, default any)' })),
    deviceType: Type.Optional(Type.String({ description: 'narrows the rule’s devices to this type' })),
    op: Type.Optional(Comparator),
    raise: Type.Optional(Type.Number({ description: 'threshold, window: raise when the value passes this' })),
    clear: Type.Optional(Type.Number({ description: 'threshold, window: clear only when back beyond this (hysteresis)' })),
    value: Type.Optional(Type.Number({ description: 'duration: the level' })),
    minutes: Type.Optional(Type.Number({ minimum: 1, maximum: 1440, description: 'duration, rate, window: the span' })),
    readings: Type.Optional(Type.Integer({ minimum: 2, maximum: 1000, description: 'duration: readings in a row instead of minutes' })),
    change: Type.Optional(Type.Number({ description: 'rate: rise (positive) or fall (negative) within minutes' })),
    agg: Type.Optional(literals(['sum', 'avg', 'max', 'min'])),
    k: Type.Optional(Type.Number({ minimum: 1, maximum: 100, description: 'anomaly: robust z-score that raises' })),
    clearK: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    minDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
    minScale: Type.Optional(Type.Number({ minimum: 0 })),
    factor: Type.Optional(Type.Number({ minimum: 1, maximum: 1000, description: 'absence: silent for more than factor × the period' })),
    conditions: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true, description: 'a condition' }), { minItems: 1, maxItems: 16, description: 'all, any: the conditions (nested at most 3 levels, 16 leaves in all)' })),
  },
  { additionalProperties: false, description: 'one condition: a leaf (threshold, duration, rate, window, anomaly, absence) or a composite (all, any)' },
);

const definitionFields = {
  name: Bilingual,
  description: Type.Optional(Bilingual),
  unitCode: Type.String({ maxLength: 32, description: 'the org subtree the rule watches and belongs to' }),
  sector: Type.Optional(nullable(Sector)),
  deviceType: Type.Optional(Type.String({ maxLength: 64 })),
  devices: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 1000 })),
  per: Type.Optional(literals(['device', 'area'])),
  condition: Condition,
  severity: Severity,
  severitySteps: Type.Optional(Type.Array(Type.Object({ value: Type.Number(), severity: Severity }), { minItems: 1, maxItems: 5 })),
  route: Type.Optional(literals(['area', 'sector'])),
  reopenMinutes: Type.Optional(Type.Number({ minimum: 0, maximum: 10080, default: 30 })),
  enabled: Type.Optional(Type.Boolean({ default: true })),
};

const RuleInput = Type.Object(
  { id: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$', description: 'default: a slug of the Vietnamese name and a random suffix' })), ...definitionFields },
  { additionalProperties: false },
);
const RuleReplace = Type.Object({ version: Type.Integer({ minimum: 1, description: 'the version you read: 409 if the rule changed since' }), id: Type.Optional(Type.String()), ...definitionFields }, { additionalProperties: false });

const RuleView = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  name: Bilingual,
  description: Type.Optional(Bilingual),
  unitCode: Type.String(),
  sector: nullable(Type.String()),
  deviceType: Type.Optional(Type.String()),
  devices: Type.Optional(Type.Array(Type.String())),
  per: Type.String(),
  condition: Type.Unknown({ description: 'the condition, as saved' }),
  severity: Type.String(),
  severitySteps: Type.Optional(Type.Array(Type.Object({ value: Type.Number(), severity: Type.String() }))),
  route: Type.String(),
  reopenMinutes: Type.Number(),
  enabled: Type.Boolean(),
  activeFrom: Type.String({ format: 'date-time', description: 'this version evaluates live from here' }),
  createdBy: nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const { activeFrom: _a, createdBy: _c, createdAt: _ca, updatedAt: _u, ...ruleCore } = RuleView.properties;
const RuleVersionView = Type.Object({ ...ruleCore, activeFrom: Type.String({ format: 'date-time' }), createdBy: nullable(Type.String()) });

const Subject = Type.Object({ key: Type.String(), kind: literals(['device', 'area']), deviceId: nullable(Type.String()), unitCode: Type.String(), sector: nullable(Type.String()) });
const BacktestResult = Type.Object({
  rule: Type.Object({ id: nullable(Type.String()), version: nullable(Type.Integer()), name: Bilingual }),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  evaluatedFrom: Type.String({ format: 'date-time', description: 'from less the rule’s lookback: history before from is context only' }),
  subjects: Type.Integer(),
  series: Type.Integer(),
  readings: Type.Integer(),
  total: Type.Integer({ description: 'episodes raised in [from, to)' }),
  truncated: Type.Boolean(),
  episodes: Type.Array(
    Type.Object({
      subject: Subject,
      raisedAt: Type.String({ format: 'date-time' }),
      clearedAt: nullable(Type.String({ format: 'date-time' })),
      firstValue: nullable(Type.Number()),
      peakValue: nullable(Type.Number()),
      count: Type.Integer(),
      severity: Type.String(),
      reopenCount: Type.Integer(),
      evidence: Type.Object({
        ruleId: Type.String(),
        ruleVersion: Type.Integer(),
        ts: Type.String({ format: 'date-time' }),
        leaves: Type.Array(
          Type.Object({
            leaf: Type.Integer(),
            deviceId: Type.String(),
            attr: Type.String(),
            holds: Type.Boolean(),
            value: nullable(Type.Number()),
            baseline: Type.Optional(Type.Object({ median: Type.Number(), mad: Type.Number(), days: Type.Integer() })),
            readings: Type.Array(Type.Object({ ts: Type.String({ format: 'date-time' }), value: Type.Number() })),
          }),
        ),
      }),
    }),
  ),
  elapsedMs: Type.Integer(),
});

const range = {
  from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 with offset; default to − 7 days' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 with offset, exclusive; default now; at most 31 days after from' })),
};

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** A backtest body, checked here so that every problem names its field (the rule itself: the domain). */
function backtestBody(body: unknown, withRule: boolean): { rule?: unknown; from?: number; to?: number } {
  if (body === undefined || body === null) {
    if (withRule) throw new IocError('IOC_ERR_VALIDATION', 'rule is required', [fieldError('rule', 'required', 'give the rule definition to backtest')]);
    return {};
  }
  if (!isObject(body)) throw new IocError('IOC_ERR_VALIDATION', 'the body must be a JSON object', [fieldError('', 'wrong_type', 'the body must be a JSON object')]);
  const errs: FieldError[] = [];
  for (const k of Object.keys(body)) if (!['from', 'to', ...(withRule ? ['rule'] : [])].includes(k)) errs.push(fieldError(k, 'unknown_field', `unknown field ${k}`));
  if (withRule && body.rule === undefined) errs.push(fieldError('rule', 'required', 'give the rule definition to backtest'));
  for (const k of ['from', 'to'] as const) if (body[k] !== undefined && typeof body[k] !== 'string') errs.push(fieldError(k, 'wrong_type', `${k} must be an ISO 8601 date-time`));
  if (errs.length) throw new IocError('IOC_ERR_VALIDATION', errs.map((e) => `${e.field}: ${e.message}`).join('; '), errs);
  return { rule: body.rule, from: instant('from', body.from as string | undefined), to: instant('to', body.to as string | undefined) };
}

/** Warning rules (quy tắc cảnh báo): versioned definitions, and backtests over stored history. */
export const rulesRoutes =
  (rules: RuleService, backtest: BacktestService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/api/v1/rules', {
      config: { access: 'alert.read' },
      schema: {
        tags: ['rules'],
        summary: 'List warning rules / Danh sách quy tắc cảnh báo',
        querystring: Type.Object({
          unit: Type.Optional(Type.String({ maxLength: 32, description: 'rules of this unit and the units below it' })),
          sector: Type.Optional(Sector),
          enabled: Type.Optional(Type.Boolean()),
          q: Type.Optional(Type.String({ maxLength: 200, description: 'search in id and names, with or without Vietnamese diacritics' })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(RuleView), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }), ...errors(400) },
      },
    }, async (req) => rules.list(ctxOf(req), { ...req.query, sector: req.query.sector as string | undefined }));

    app.post('/api/v1/rules', {
      bodyLimit: RULE_BODY_LIMIT,
      config: { access: 'rule.manage', ...domainValidatedBody(RuleInput) },
      schema: { tags: ['rules'], summary: 'Create a warning rule / Tạo quy tắc cảnh báo', response: { 201: RuleView, ...errors(400, 409) } },
    }, async (req, reply) => reply.status(201).send(await rules.create(ctxOf(req), req.body)));

    app.post('/api/v1/rules/backtest', {
      bodyLimit: RULE_BODY_LIMIT,
      config: {
        access: 'rule.manage',
        ...domainValidatedBody(Type.Object({ rule: RuleInput, ...range }, { additionalProperties: false })),
      },
      schema: {
        tags: ['rules'],
        summary: 'Backtest a rule definition over stored history / Chạy thử quy tắc trên dữ liệu đã lưu',
        description: `The alerts the rule would have raised in [from, to): per episode its subject, raisedAt, clearedAt, peak value, count, severity and evidence. At most 31 days and 2,000,000 readings.`,
        response: { 200: BacktestResult, ...errors(400, 503) },
      },
    }, async (req) => {
      const b = backtestBody(req.body, true);
      return backtest.definition(ctxOf(req), b.rule, { ...(b.from !== undefined ? { from: b.from } : {}), ...(b.to !== undefined ? { to: b.to } : {}) });
    });

    app.get('/api/v1/rules/:id', {
      config: { access: 'alert.read' },
      schema: { tags: ['rules'], summary: 'One warning rule / Một quy tắc cảnh báo', params: IdParams, response: { 200: RuleView, ...errors(404) } },
    }, async (req) => rules.get(ctxOf(req), req.params.id));

    app.put('/api/v1/rules/:id', {
      bodyLimit: RULE_BODY_LIMIT,
      config: { access: 'rule.manage', ...domainValidatedBody(RuleReplace) },
      schema: {
        tags: ['rules'],
        summary: 'Replace a warning rule: a new version, active from now / Cập nhật quy tắc (phiên bản mới)',
        params: IdParams,
        response: { 200: RuleView, ...errors(400, 404, 409) },
      },
    }, async (req) => rules.replace(ctxOf(req), req.params.id, req.body));

    app.delete('/api/v1/rules/:id', {
      config: { access: 'rule.manage' },
      schema: { tags: ['rules'], summary: 'Delete a warning rule (its versions and alerts stay) / Xóa quy tắc cảnh báo', params: IdParams, response: { 204: Type.Null(), ...errors(404) } },
    }, async (req, reply) => {
      await rules.delete(ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    });

    for (const action of ['enable', 'disable'] as const) {
      app.post(`/api/v1/rules/:id/${action}`, {
        config: { access: 'rule.manage' },
        schema: {
          tags: ['rules'],
          summary: action === 'enable' ? 'Turn a rule on (a new version) / Bật quy tắc' : 'Turn a rule off (a new version) / Tắt quy tắc',
          params: IdParams,
          querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, description: 'the version you read: 409 if the rule changed since' })) }),
          response: { 200: RuleView, ...errors(404, 409) },
        },
      }, async (req) => rules.setEnabled(ctxOf(req), req.params.id, action === 'enable', req.query.version));
    }

    app.get('/api/v1/rules/:id/versions', {
      config: { access: 'alert.read' },
      schema: {
        tags: ['rules'],
        summary: 'Every version of a rule, newest first / Các phiên bản của quy tắc',
        params: IdParams,
        response: { 200: Type.Object({ id: Type.String(), items: Type.Array(Type.Object({ version: Type.Integer(), activeFrom: Type.String({ format: 'date-time' }), createdBy: nullable(Type.String()) })) }), ...errors(404) },
      },
    }, async (req) => rules.versions(ctxOf(req), req.params.id));

    app.get('/api/v1/rules/:id/versions/:version', {
      config: { access: 'alert.read' },
      schema: {
        tags: ['rules'],
        summary: 'One version of a rule, as it was / Một phiên bản của quy tắc',
        params: Type.Object({ id: Type.String({ maxLength: 64 }), version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }),
        response: { 200: RuleVersionView, ...errors(404) },
      },
    }, async (req) => rules.version(ctxOf(req), req.params.id, req.params.version));

    app.post('/api/v1/rules/:id/backtest', {
      config: { access: 'rule.manage', ...domainValidatedBody(Type.Object(range, { additionalProperties: false })) },
      schema: {
        tags: ['rules'],
        summary: 'Backtest a saved rule over stored history / Chạy thử quy tắc đã lưu',
        params: IdParams,
        response: { 200: BacktestResult, ...errors(400, 404, 503) },
      },
    }, async (req) => {
      const b = backtestBody(req.body, false);
      return backtest.saved(ctxOf(req), req.params.id, { ...(b.from !== undefined ? { from: b.from } : {}), ...(b.to !== undefined ? { to: b.to } : {}) });
    });
  };
