import { csvToDeviceRows, IocError, jsonToDeviceRows } from '@haidang/domain';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DeviceService } from '../services/device.service.ts';
import { ctxOf } from './auth.ts';
import { deviceFilters, domainValidatedBody, errors } from './schemas.ts';

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const devicesRoutes =
  (devices: DeviceService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/api/v1/devices', {
      config: { access: 'device.read' },
      schema: {
        tags: ['devices'],
        summary: 'List devices, filtered / Danh sách thiết bị',
        querystring: Type.Object({
          ...deviceFilters,
          apikey: Type.Optional(Type.String({ maxLength: 64 })),
          q: Type.Optional(Type.String({ maxLength: 200, description: 'search in id and name, with or without Vietnamese diacritics' })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('Device')), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }),
          ...errors(400),
        },
      },
    }, async (req) => devices.list(ctxOf(req), req.query));

    app.post('/api/v1/devices', {
      config: { access: 'device.manage', ...domainValidatedBody(Type.Ref('DeviceInput')) },
      schema: { tags: ['devices'], summary: 'Register a device / Đăng ký thiết bị', response: { 201: Type.Ref('Device'), ...errors(400, 409) } },
    }, async (req, reply) => reply.status(201).send(await devices.create(ctxOf(req), req.body)));

    app.get('/api/v1/devices/:id', {
      config: { access: 'device.read' },
      schema: { tags: ['devices'], summary: 'One device / Một thiết bị', params: IdParams, response: { 200: Type.Ref('Device'), ...errors(404) } },
    }, async (req) => devices.get(ctxOf(req), req.params.id));

    app.put('/api/v1/devices/:id', {
      config: { access: 'device.manage', ...domainValidatedBody(Type.Ref('DeviceInput')) },
      schema: { tags: ['devices'], summary: 'Replace a device / Cập nhật thiết bị', params: IdParams, response: { 200: Type.Ref('Device'), ...errors(400, 404) } },
    }, async (req) => devices.replace(ctxOf(req), req.params.id, req.body));

    app.delete('/api/v1/devices/:id', {
      config: { access: 'device.manage' },
      schema: { tags: ['devices'], summary: 'Delete a device and its data / Xóa thiết bị và dữ liệu', params: IdParams, response: { 204: Type.Null(), ...errors(404) } },
    }, async (req, reply) => {
      await devices.delete(ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    });

    app.post('/api/v1/devices/import', {
      schema: {
        tags: ['devices'],
        summary: 'Bulk import from CSV or JSON; all or nothing / Nhập hàng loạt từ CSV hoặc JSON',
        description:
          'Content-Type text/csv (columns id,type,name,lat,lon,unitCode,sector,apikey,accessToken,attributes; attributes as `name:unit:min:max:periodS|…`) ' +
          'or application/json (an array of devices or {"devices": [...]}). A file with any bad row imports nothing and the 422 lists every problem with its row number.',
        querystring: Type.Object({
          mode: Type.Union([Type.Literal('insert'), Type.Literal('upsert')], { default: 'insert', description: 'insert refuses existing ids; upsert replaces them' }),
          dryRun: Type.Boolean({ default: false, description: 'check only, import nothing' }),
        }),
        response: {
          200: Type.Object({ imported: Type.Integer(), created: Type.Integer(), updated: Type.Integer(), dryRun: Type.Boolean() }),
          ...errors(400, 413, 415, 422),
        },
      },
      config: {
        access: 'device.manage',
        ...domainValidatedBody({
        content: {
          'text/csv': { schema: Type.String({ description: 'CSV text with a header row' }) },
          'application/json': { schema: Type.Union([Type.Array(Type.Ref('DeviceInput')), Type.Object({ devices: Type.Array(Type.Ref('DeviceInput')) })]) },
        },
        }),
      },
    }, async (req) => {
      const rows = typeof req.body === 'string' ? csvToDeviceRows(req.body) : jsonToDeviceRows(req.body);
      if (!rows.ok) throw new IocError('IOC_ERR_DEVICE_IMPORT', 'the file cannot be read; nothing was imported', rows.errors);
      return devices.import(ctxOf(req), rows.value, { mode: req.query.mode, dryRun: req.query.dryRun });
    });

    app.post('/api/v1/devices/:id/token', {
      config: { access: 'device.manage' },
      schema: {
        tags: ['devices'],
        summary: 'Issue a new access token (MQTT username); the old one stops working; shown in this answer only / Cấp mã truy cập mới',
        params: IdParams,
        response: { 201: Type.Object({ deviceId: Type.String(), accessToken: Type.String(), createdAt: Type.String({ format: 'date-time' }) }), ...errors(404) },
      },
    }, async (req, reply) => reply.status(201).send(await devices.rotateToken(ctxOf(req), req.params.id)));

    app.delete('/api/v1/devices/:id/token', {
      config: { access: 'device.manage' },
      schema: { tags: ['devices'], summary: 'Revoke the access token / Thu hồi mã truy cập', params: IdParams, response: { 204: Type.Null(), ...errors(404, 409) } },
    }, async (req, reply) => {
      await devices.revokeToken(ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    });
  };
