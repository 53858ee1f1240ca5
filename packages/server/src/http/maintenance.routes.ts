import { fieldError, type FieldError, IocError, isObject } from '@haidang/domain';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MaintenanceInput, MaintenanceService } from '../services/maintenance.service.ts';
import { ctxOf } from './auth.ts';
import { domainValidatedBody, errors, instant } from './schemas.ts';

const MaintenanceWindow = Type.Object({
  id: Type.String({ format: 'uuid' }),
  deviceId: Type.Union([Type.String(), Type.Null()]),
  unitCode: Type.Union([Type.String(), Type.Null()]),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  reason: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  cancelledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  status: Type.Union([Type.Literal('scheduled'), Type.Literal('active'), Type.Literal('ended'), Type.Literal('cancelled')]),
});

const KEYS = new Set(['deviceId', 'unitCode', 'startsAt', 'endsAt', 'reason']);

/** The body checked here, so that every problem names its field (unknown fields included). */
function windowInput(body: unknown): MaintenanceInput {
  if (!isObject(body)) throw new IocError('IOC_ERR_VALIDATION', 'the body must be a JSON object', [fieldError('', 'wrong_type', 'the body must be a JSON object')]);
  const errs: FieldError[] = [];
  for (const k of Object.keys(body)) if (!KEYS.has(k)) errs.push(fieldError(k, 'unknown_field', `unknown field ${k}`));
  for (const k of KEYS) {
    const v = body[k];
    if (v === undefined || (v === null && (k === 'deviceId' || k === 'unitCode'))) {
      if (k === 'endsAt' || k === 'reason') errs.push(fieldError(k, 'required', `${k} is required`));
    } else if (typeof v !== 'string') errs.push(fieldError(k, 'wrong_type', `${k} must be a string`));
    else if (v.length > (k === 'reason' ? 500 : 64)) errs.push(fieldError(k, 'too_long', `${k} is too long`));
  }
  if (errs.length) throw new IocError('IOC_ERR_VALIDATION', errs.map((e) => `${e.field}: ${e.message}`).join('; '), errs);
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
  const startsAt = instant('startsAt', str('startsAt'));
  return {
    ...(str('deviceId') !== undefined ? { deviceId: str('deviceId')! } : {}),
    ...(str('unitCode') !== undefined ? { unitCode: str('unitCode')! } : {}),
    ...(startsAt !== undefined ? { startsAt } : {}),
    endsAt: instant('endsAt', str('endsAt'))!,
    reason: str('reason')!,
  };
}

/** Maintenance windows (bảo trì): no alerts are raised for a device, or a unit's devices, meanwhile. */
export const maintenanceRoutes =
  (maintenance: MaintenanceService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/api/v1/maintenance-windows', {
      config: { access: 'alert.read' },
      schema: {
        tags: ['rules'],
        summary: 'Current and upcoming maintenance windows / Lịch bảo trì hiện tại và sắp tới',
        querystring: Type.Object({
          unit: Type.Optional(Type.String({ maxLength: 32, description: 'windows of this unit or the units below it (device windows: by the device’s unit)' })),
          device: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(MaintenanceWindow) }), ...errors(400) },
      },
    }, async (req) => maintenance.list(ctxOf(req), req.query));

    app.post('/api/v1/maintenance-windows', {
      config: {
        access: 'alert.handle',
        ...domainValidatedBody(
          Type.Object(
            {
              deviceId: Type.Optional(Type.String({ maxLength: 64, description: 'one device; or give unitCode' })),
              unitCode: Type.Optional(Type.String({ maxLength: 32, description: 'every device of the unit and the units below it' })),
              startsAt: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 with offset; default now' })),
              endsAt: Type.String({ maxLength: 40, description: 'ISO 8601 with offset; at most 31 days after startsAt' }),
              reason: Type.String({ maxLength: 500 }),
            },
            { additionalProperties: false },
          ),
        ),
      },
      schema: {
        tags: ['rules'],
        summary: 'Schedule a maintenance window for a device or a unit / Đặt lịch bảo trì',
        response: { 201: MaintenanceWindow },
      },
    }, async (req, reply) => reply.status(201).send(await maintenance.create(ctxOf(req), windowInput(req.body))));

    app.delete('/api/v1/maintenance-windows/:id', {
      config: { access: 'alert.handle' },
      schema: {
        tags: ['rules'],
        summary: 'Cancel a maintenance window: alerts are raised again at once / Hủy lịch bảo trì',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null(), ...errors(404, 409) },
      },
    }, async (req, reply) => {
      await maintenance.cancel(ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    });
  };
