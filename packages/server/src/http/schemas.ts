import { DEVICE_TYPES, SECTORS } from '@haidang/domain';
import { Type } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
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
  { ...deviceCore, hasAccessToken: Type.Boolean(), createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' }) },
  { $id: 'Device' },
);

export const ErrorBody = { ...errorBodySchema, $id: 'Error' };

/** Error responses a route may give, by status. */
export const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Type.Ref('Error')]));

/**
 * For bodies the domain validates (so that its field errors are the ones returned): the schema
 * documents the body in OpenAPI; Fastify does not validate it a second time.
 */
export const domainValidatedBody: Pick<FastifySchema, never> & { validatorCompiler: () => (data: unknown) => { value: unknown } } = {
  validatorCompiler: () => (data: unknown) => ({ value: data }),
};

export const sharedSchemas = [Attribute, Device, DeviceInput, ErrorBody];
