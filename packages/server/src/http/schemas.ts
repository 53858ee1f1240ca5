import { DEVICE_TYPES, fieldError, IocError, ORG_UNIT_KINDS, ROLES, SECTORS } from '@haidang/domain';
import type { SwaggerTransform } from '@fastify/swagger';
import { type TSchema, Type } from '@sinclair/typebox';
import type { RouteOptions } from 'fastify';
import { errorBodySchema } from './error-handler.ts';

/** Shared schemas of the HTTP API; they feed validation, serialisation and the OpenAPI document. */

export const Attribute = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,31}$' }),
    unit: Type.String({ maxLength: 32 }),
    min: Type.Number(),
    max: Type.Number(),
    periodS: Type.Number({ minimum: 1, maximum: 604800, description: 'expected reporting period, seconds' }),
  },
  { $id: 'Attribute' },
);

const deviceCore = {
  id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$' }),
  type: Type.String({ description: `known types: ${Object.keys(DEVICE_TYPES).join(', ')}; others need sector and attributes` }),
  name: Type.String({ maxLength: 200 }),
  location: Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) }),
  unitCode: Type.String({ description: 'org unit (GSO area code), see GET /api/v1/units' }),
  sector: Type.Union(SECTORS.map((s) => Type.Literal(s))),
  apikey: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$', description: 'API-key group used in MQTT topics and /iot/json' }),
  attributes: Type.Array(Type.Ref('Attribute')),
};

export const DeviceInput = Type.Object(
  {
    ...deviceCore,
    sector: Type.Optional(deviceCore.sector),
    attributes: Type.Optional(deviceCore.attributes),
    accessToken: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.~-]{8,128}$', description: 'ThingsBoard-style access token (MQTT username); stored hashed, never returned' })),
  },
  { $id: 'DeviceInput', additionalProperties: false },
);

export const Device = Type.Object(
  {
    ...deviceCore,
    derived: Type.Array(Type.Ref('Attribute'), { description: 'attributes the IOC computes for the device (derived series: VN_AQI, alarm levels, rain sums and classes…), readable like the others; a device cannot send them' }),
    hasAccessToken: Type.Boolean(),
    tokenCreatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    tokenLastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'last MQTT connection with the token (to the minute)' }),
    createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' }) },
  { $id: 'Device' },
);

/** Query filters that select devices, the same wherever devices are listed. */
export const deviceFilters = {
  unit: Type.Optional(Type.String({ maxLength: 32, description: 'org unit; includes the units below it' })),
  type: Type.Optional(Type.String({ maxLength: 64 })),
  sector: Type.Optional(Type.Union(SECTORS.map((s) => Type.Literal(s)))),
};

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const SectorOrNull = nullable(Type.Union(SECTORS.map((s) => Type.Literal(s))));

export const Assignment = Type.Object(
  { role: Type.Union(ROLES.map((r) => Type.Literal(r))), unitCode: Type.String({ maxLength: 32 }), sector: Type.Optional(SectorOrNull) },
  { $id: 'Assignment', additionalProperties: false },
);

/** A grant in force: an own assignment, or one lent by a delegation. */
export const Grant = Type.Object({
  role: Type.String(),
  unitCode: Type.String(),
  sector: nullable(Type.String()),
  delegation: Type.Optional(Type.Object({ id: Type.String(), grantorId: Type.String(), grantorName: Type.String() })),
});

export const UserView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    username: Type.String(),
    displayName: Type.String(),
    kind: Type.Union([Type.Literal('person'), Type.Literal('service')]),
    unitCode: Type.String(),
    assignments: Type.Array(Type.Object({ role: Type.String(), unitCode: Type.String(), sector: nullable(Type.String()) })),
    disabled: Type.Boolean(),
    locked: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'UserView' },
);

export const OrgUnit = Type.Object(
  {
    code: Type.String(),
    name: Type.Object({ vi: Type.String(), en: Type.String() }),
    kind: Type.Union(ORG_UNIT_KINDS.map((k) => Type.Literal(k))),
    parent: nullable(Type.String()),
    sector: nullable(Type.String()),
    status: Type.Union([Type.Literal('active'), Type.Literal('retired')]),
    successor: nullable(Type.String({ description: 'retired units: the unit their records now belong to' })),
    retiredAt: nullable(Type.String({ format: 'date-time' })),
    hasGeometry: Type.Boolean(),
  },
  { $id: 'OrgUnit' },
);

export const ErrorBody = { ...errorBodySchema, $id: 'Error' };

/** Error responses a route may give, by status. */
export const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Type.Ref('Error')]));

/**
 * For bodies the domain validates (so that its field errors are the ones returned, on the body
 * as sent: no coercion, no defaults): the schema documents the body in OpenAPI only. Fastify
 * still validates (and coerces, and defaults) the querystring and path parameters; a route-level
 * `validatorCompiler` would have switched those off too. Spread it into the route's `config`.
 */
export const domainValidatedBody = (body: TSchema | { content: Record<string, { schema: TSchema }> }): { swaggerTransform: SwaggerTransform } => ({
  swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body }, url }),
});

/**
 * Errors any route may give, declared on every route so that the OpenAPI document lists them:
 * 500 always; 400 when the route takes path parameters, a query or a body; 413 and 415 with a body.
 */
export function declareStandardErrors(route: RouteOptions): void {
  const methods = [route.method].flat();
  const hasBody = methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH');
  const schema = (route.schema ??= {});
  const response = (schema.response ??= {}) as Record<string, unknown>;
  const codes = [500];
  const access = (route.config as { access?: string } | undefined)?.access;
  if (access && access !== 'public') {
    codes.push(401, 403);
    (schema as { security?: unknown }).security ??= [{ bearerAuth: [] }, { cookieAuth: [] }];
  }
  if (hasBody || schema.querystring || schema.params) codes.push(400);
  if (hasBody) codes.push(413, 415);
  for (const c of codes) response[c] ??= Type.Ref('Error');
}

export const sharedSchemas = [Attribute, Device, DeviceInput, ErrorBody, Assignment, UserView, OrgUnit];

/** ISO 8601 date-time with an offset; groups: year, month, day. */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO 8601 instant (with an offset) from a query or body field, as epoch ms; a clear 400 naming the field otherwise. */
export function instant(field: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = ISO_INSTANT.exec(v);
  const ms = Date.parse(v);
  // V8 rolls impossible days over (2026-02-30 → 2026-03-02) instead of refusing them.
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const dayExists = mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (!m || !dayExists || !Number.isFinite(ms)) {
    throw new IocError('IOC_ERR_VALIDATION', `${field} is not an ISO 8601 instant`, [fieldError(field, 'bad_timestamp', `${field} must be an ISO 8601 date-time with an offset, e.g. 2026-11-25T00:00:00Z`)]);
  }
  return ms;
}
