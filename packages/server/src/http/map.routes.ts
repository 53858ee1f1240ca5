import { DEVICE_MAP_STATES, MAP_ATTRIBUTES, ORG_UNIT_KINDS, SECTORS, SEVERITIES } from '@haidang/domain';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MapService } from '../services/map.service.ts';
import { ctxOf } from './auth.ts';
import { deviceFilters, errors } from './schemas.ts';

/**
 * The map answers run to megabytes for 10,000 devices: JSON.stringify writes them several times
 * faster than the schema-compiled serialiser (as /api/v1/latest). The schemas still document them.
 */
const fastJson = { serializerCompiler: () => (data: unknown) => JSON.stringify(data) };

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const Severity = Type.String({ enum: [...SEVERITIES] });
const FeatureCollection = <T extends TSchema>(feature: T, description: string) =>
  Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(feature) }, { description });

const DeviceFeature = Type.Object({
  type: Type.Literal('Feature'),
  id: Type.String({ description: 'the device id' }),
  geometry: Type.Object({
    type: Type.Literal('Point'),
    coordinates: Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[longitude, latitude] (WGS 84), RFC 7946 order' }),
  }),
  properties: Type.Object({
    id: Type.String(),
    name: Type.String(),
    type: Type.String(),
    unitCode: Type.String(),
    sector: Type.String({ enum: [...SECTORS] }),
    state: Type.String({
      enum: [...DEVICE_MAP_STATES],
      description: 'offline: the rule engine finds it silent (absence rule); else alert (an active alert major or above), warning (info, minor), ok',
    }),
    severity: nullable(Severity),
    activeAlerts: Type.Integer({ description: 'open and acknowledged alerts on the device' }),
    values: Type.Record(Type.String(), Type.Object({ value: Type.Number(), ts: DateTime, unit: Type.String() }), {
      description: `latest values of the device type's map attributes (${Object.entries(MAP_ATTRIBUTES).map(([t, attrs]) => `${t}: ${attrs.join(', ')}`).join('; ')}); never-reported ones are absent`,
    }),
  }),
});

const UnitFeature = Type.Object({
  type: Type.Literal('Feature'),
  id: Type.String({ description: 'the unit code' }),
  geometry: Type.Object({ type: Type.Union([Type.Literal('Polygon'), Type.Literal('MultiPolygon')]), coordinates: Type.Array(Type.Unknown()) }),
  properties: Type.Object({
    code: Type.String(),
    name: Type.Object({ vi: Type.String(), en: Type.String() }),
    kind: Type.String({ enum: [...ORG_UNIT_KINDS] }),
    parent: nullable(Type.String()),
  }),
});

const figure = (description: string) =>
  Type.Union([Type.Object({ deviceId: Type.String(), name: Type.String(), value: Type.Number(), ts: DateTime }), Type.Null()], { description });

const Overview = Type.Object({
  alerts: Type.Object(
    { ...Object.fromEntries(SEVERITIES.map((s) => [s, Type.Integer()])), escalated: Type.Integer() },
    { description: 'active (open, acknowledged) alerts by severity, every severity present; escalated: how many of them have escalated' },
  ),
  devices: Type.Object(
    { total: Type.Integer(), online: Type.Integer(), offline: Type.Integer(), inAlert: Type.Integer() },
    { description: 'offline: found silent by an absence rule; online: the others; inAlert: devices with an active alert' },
  ),
  worstAqi: figure('the device with the highest latest hourly VN_AQI (`aqi`), or null'),
  rainNow: figure('the rain gauge with the highest latest rain over the last hour (`rain_1h`, mm), or null'),
  rivers: Type.Array(
    Type.Object({
      deviceId: Type.String(),
      name: Type.String(),
      level: nullable(Type.Number()),
      alarmLevel: nullable(Type.Integer({ minimum: 0, maximum: 3 })),
      ts: nullable(DateTime),
    }),
    { description: 'river-level stations, highest alarm level (then level) first; alarmLevel null where the station is mapped to no flood station' },
  ),
});

/** Bản đồ tổng quan: the operator console's overview map and tiles, in the caller's scope. */
export const mapRoutes =
  (map: MapService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/api/v1/map/devices', {
      ...fastJson,
      config: { access: 'device.read' },
      schema: {
        tags: ['map'],
        summary: 'Devices on the map, with state and key values (GeoJSON) / Thiết bị trên bản đồ',
        description: 'A GeoJSON FeatureCollection (RFC 7946) of every device in the caller\'s scope, filtered by unit (subtree), type and sector.',
        querystring: Type.Object(deviceFilters),
        response: { 200: FeatureCollection(DeviceFeature, 'devices as Point features'), ...errors(400) },
      },
    }, async (req) => map.devices(ctxOf(req), req.query));

    app.get('/api/v1/map/units', {
      ...fastJson,
      config: { access: 'unit.read' },
      schema: {
        tags: ['map'],
        summary: 'Org unit areas on the map (GeoJSON) / Ranh giới đơn vị trên bản đồ',
        description: 'A GeoJSON FeatureCollection of the active units that have an area geometry and lie within the caller\'s scope.',
        response: { 200: FeatureCollection(UnitFeature, 'units as Polygon or MultiPolygon features') },
      },
    }, async (req) => map.units(ctxOf(req)));

    app.get('/api/v1/overview', {
      config: { access: 'device.read' },
      schema: {
        tags: ['map'],
        summary: 'Key figures for the overview tiles / Số liệu tổng quan',
        description: 'In the caller\'s scope, or of one unit\'s subtree (`unit`).',
        querystring: Type.Object({ unit: deviceFilters.unit }),
        response: { 200: Overview, ...errors(400) },
      },
    }, async (req) => map.overview(ctxOf(req), req.query));
  };
