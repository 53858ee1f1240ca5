import { reservedDerivedNames } from './derived-series.ts';
import type { Device } from './device.ts';
import type { FieldError } from './errors.ts';
import { type Checked, fail, fieldError, ok } from './result.ts';

/** One numeric measurement of one attribute of one device at one instant. */
export interface Reading {
  deviceId: string;
  attr: string;
  /** Instant of measurement, milliseconds since the Unix epoch (UTC). */
  ts: number;
  value: number;
}

/** Measurements as a payload carries them, before they are checked against the device. */
export interface MeasureGroup {
  /** Explicit instant (ms); absent means "now", the moment of reception. */
  ts?: number;
  values: Record<string, unknown>;
  /** Path of the group in the payload, for error messages (e.g. `2` for the third of an array). */
  at: string;
  /** Path of the explicit timestamp in the payload (e.g. `0/TimeInstant`); default `<at>/ts`. */
  tsAt?: string;
}

/** Why a message or reading was refused; also the label of the `rejected` metric. */
export const REJECT_REASONS = [
  'unknown_device',
  'bad_key',
  'malformed_json',
  'wrong_type',
  'not_finite',
  'out_of_range',
  'future_timestamp',
  'bad_timestamp',
  'unknown_attribute',
  'too_large',
  'too_many',
  'empty',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Readings may be up to this far in the future (clock skew between device and IOC). */
export const MAX_FUTURE_MS = 5 * 60_000;
/** Earliest plausible timestamp: anything before is a device with an unset clock. */
export const MIN_TS = Date.UTC(2000, 0, 1);
/** Most readings one message or request may carry. */
export const MAX_READINGS_PER_MESSAGE = 10_000;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** ISO 8601 date-time with a mandatory offset (`Z` or `±hh:mm`), as FIWARE's TimeInstant. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses JSON text; a parse failure is reported as `malformed_json`. */
export function decodeJson(text: string): Checked<unknown> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (e) {
    return fail([fieldError('', 'malformed_json', `payload is not valid JSON: ${(e as Error).message}`)]);
  }
}

function parseTimeInstant(v: unknown, at: string): Checked<number> {
  if (typeof v !== 'string' || !ISO_WITH_OFFSET.test(v)) {
    return fail([fieldError(at, 'bad_timestamp', 'TimeInstant must be an ISO 8601 date-time with an offset, e.g. 2026-11-25T14:00:00+07:00')]);
  }
  const ms = Date.parse(v);
  // V8 rolls impossible days over (2026-02-30 → 2026-03-02) instead of refusing them.
  const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  const dayExists = m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (!Number.isFinite(ms) || !dayExists) return fail([fieldError(at, 'bad_timestamp', 'TimeInstant is not a valid date-time')]);
  return ok(ms);
}

/**
 * FIWARE IoT Agent JSON measures: an object of attribute → value with an optional `TimeInstant`,
 * or an array of such objects (multi-measure).
 */
export function parseIotAgentJson(body: unknown): Checked<MeasureGroup[]> {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) return fail([fieldError('', 'empty', 'no measures in payload')]);
  const groups: MeasureGroup[] = [];
  const errors: FieldError[] = [];
  items.forEach((item, i) => {
    const at = Array.isArray(body) ? String(i) : '';
    if (!isObject(item)) {
      errors.push(fieldError(at, 'wrong_type', 'measures must be a JSON object of attribute → value'));
      return;
    }
    const { TimeInstant, ...values } = item;
    const group: MeasureGroup = { values, at };
    if (TimeInstant !== undefined) {
      const tsAt = at ? `${at}/TimeInstant` : 'TimeInstant';
      const t = parseTimeInstant(TimeInstant, tsAt);
      if (!t.ok) errors.push(...t.errors);
      else {
        group.ts = t.value;
        group.tsAt = tsAt;
      }
    }
    groups.push(group);
  });
  return errors.length ? fail(errors) : ok(groups);
}

/** FIWARE IoT Agent single-measure topic `/{apikey}/{device}/attrs/{attr}`: the payload is the bare value. */
export function parseSingleMeasure(attr: string, text: string): Checked<MeasureGroup[]> {
  const trimmed = text.trim();
  if (trimmed === '') return fail([fieldError(attr, 'empty', 'empty value')]);
  const parsed = decodeJson(trimmed);
  // A bare non-JSON word ("abc") is a wrong type for a numeric attribute, not a JSON error.
  const value = parsed.ok ? parsed.value : trimmed;
  return ok([{ values: { [attr]: value }, at: '' }]);
}

/**
 * ThingsBoard device telemetry (`v1/devices/me/telemetry`): `{"k": v}`, `{"ts": ms, "values":
 * {...}}`, or an array of those.
 */
export function parseThingsBoardTelemetry(body: unknown): Checked<MeasureGroup[]> {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) return fail([fieldError('', 'empty', 'no telemetry in payload')]);
  const groups: MeasureGroup[] = [];
  const errors: FieldError[] = [];
  items.forEach((item, i) => {
    const at = Array.isArray(body) ? String(i) : '';
    if (!isObject(item)) {
      errors.push(fieldError(at, 'wrong_type', 'telemetry must be a JSON object'));
      return;
    }
    if ('ts' in item && 'values' in item) {
      const { ts, values } = item;
      const tsAt = at ? `${at}/ts` : 'ts';
      if (typeof ts !== 'number' || !Number.isInteger(ts)) {
        errors.push(fieldError(tsAt, 'bad_timestamp', 'ts must be an integer of milliseconds since the Unix epoch'));
      } else if (!isObject(values)) {
        errors.push(fieldError(at ? `${at}/values` : 'values', 'wrong_type', 'values must be a JSON object'));
      } else groups.push({ ts, values, at: at ? `${at}/values` : 'values', tsAt });
    } else groups.push({ values: item, at });
  });
  return errors.length ? fail(errors) : ok(groups);
}

/**
 * Checks measure groups against the device's declared attributes and turns them into readings.
 * All-or-nothing: one bad value rejects the whole message, with every problem listed, so that a
 * device never has half a measurement stored.
 */
export function toReadings(device: Device, groups: MeasureGroup[], now: number): Checked<Reading[]> {
  const specs = new Map(device.attributes.map((a) => [a.name, a]));
  const errors: FieldError[] = [];
  const readings: Reading[] = [];
  for (const g of groups) {
    const ts = g.ts ?? now;
    const prefix = g.at ? `${g.at}/` : '';
    const tsField = g.tsAt ?? `${prefix}ts`;
    if (ts > now + MAX_FUTURE_MS) {
      errors.push(fieldError(tsField, 'future_timestamp', 'timestamp is more than 5 minutes in the future'));
      continue;
    }
    if (ts < MIN_TS) {
      errors.push(fieldError(tsField, 'bad_timestamp', 'timestamp is before 2000-01-01'));
      continue;
    }
    const keys = Object.keys(g.values);
    if (keys.length === 0) errors.push(fieldError(g.at, 'empty', 'no measures'));
    for (const key of keys) {
      const field = `${prefix}${key}`;
      const spec = specs.get(key);
      const v = g.values[key];
      if (!spec) {
        errors.push(
          reservedDerivedNames(device.type).has(key)
            ? fieldError(field, 'unknown_attribute', `${key} is computed by the IOC (a derived series); device ${device.id} cannot send it`)
            : fieldError(field, 'unknown_attribute', `device ${device.id} declares no attribute ${key}`),
        );
      } else if (typeof v !== 'number') errors.push(fieldError(field, 'wrong_type', `${key} must be a number`));
      else if (!Number.isFinite(v)) errors.push(fieldError(field, 'not_finite', `${key} must be finite`));
      else if (v < spec.min || v > spec.max) {
        errors.push(fieldError(field, 'out_of_range', `${key} = ${v} is outside the physical range [${spec.min}, ${spec.max}] ${spec.unit}`));
      } else readings.push({ deviceId: device.id, attr: key, ts, value: v });
    }
  }
  if (readings.length + errors.length > MAX_READINGS_PER_MESSAGE) {
    return fail([fieldError('', 'too_many', `at most ${MAX_READINGS_PER_MESSAGE} readings per message`)]);
  }
  return errors.length ? fail(errors) : ok(readings);
}

/** The reason to count a refused message under: the first error's, if it is a known one. */
export function primaryReason(errors: FieldError[]): RejectReason {
  const r = errors[0]?.reason;
  return (REJECT_REASONS as readonly string[]).includes(r ?? '') ? (r as RejectReason) : 'wrong_type';
}
