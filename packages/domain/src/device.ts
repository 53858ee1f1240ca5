import { ID_PATTERN, checkKnownKeys, checkText, isFiniteNumber, isObject } from './check.ts';
import { reservedDerivedNames } from './derived-series.ts';

export { ID_PATTERN };
import type { FieldError } from './errors.ts';
import { type Checked, fail, fieldError, ok } from './result.ts';
import { DEVICE_TYPES, SECTORS, type Sector } from './device-types.ts';

/** A declared, numeric attribute of a device. */
export interface AttributeSpec {
  name: string;
  unit: string;
  /** Physical range of the instrument, inclusive. */
  min: number;
  max: number;
  /** Expected reporting period in seconds. */
  periodS: number;
}

export interface Device {
  id: string;
  type: string;
  name: string;
  location: { lat: number; lon: number };
  /** Org unit (GSO area code) the device belongs to. */
  unitCode: string;
  sector: Sector;
  /** API-key group (FIWARE IoT Agent "service group" key) used in MQTT topics and HTTP. */
  apikey: string;
  attributes: AttributeSpec[];
}

/** A device as submitted: attributes and sector may come from the type's defaults. */
export interface DeviceInput extends Omit<Device, 'attributes' | 'sector'> {
  attributes?: AttributeSpec[];
  sector?: Sector;
  /** ThingsBoard-style device access token (MQTT username); stored hashed, never returned. */
  accessToken?: string;
}

const ATTR_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
/** Attribute names with a meaning in the payload formats, never a measurement. */
const RESERVED_ATTRS = new Set(['TimeInstant', 'ts', 'values']);
const MAX_NAME = 200;
const MAX_ATTRIBUTES = 64;
const DEVICE_KEYS = new Set(['id', 'type', 'name', 'location', 'unitCode', 'sector', 'apikey', 'attributes', 'accessToken']);

function checkAttributes(errors: FieldError[], raw: unknown): AttributeSpec[] | undefined {
  if (!Array.isArray(raw)) {
    errors.push(fieldError('attributes', 'wrong_type', 'attributes must be an array'));
    return undefined;
  }
  if (raw.length === 0 || raw.length > MAX_ATTRIBUTES) {
    errors.push(fieldError('attributes', 'bad_length', `attributes must have 1 to ${MAX_ATTRIBUTES} entries`));
    return undefined;
  }
  const seen = new Set<string>();
  const out: AttributeSpec[] = [];
  raw.forEach((a, i) => {
    const at = `attributes/${i}`;
    if (!isObject(a)) {
      errors.push(fieldError(at, 'wrong_type', `${at} must be an object`));
      return;
    }
    const before = errors.length;
    const name = a.name;
    if (typeof name !== 'string' || !ATTR_PATTERN.test(name) || RESERVED_ATTRS.has(name)) {
      errors.push(fieldError(`${at}/name`, 'bad_format', `name must match ${ATTR_PATTERN.source} and not be reserved`));
    } else if (seen.has(name)) {
      errors.push(fieldError(`${at}/name`, 'duplicate', `attribute ${name} is declared twice`));
    } else seen.add(name);
    if (typeof a.unit !== 'string' || a.unit.length > 32) {
      errors.push(fieldError(`${at}/unit`, 'wrong_type', 'unit must be a string of at most 32 characters'));
    }
    for (const k of ['min', 'max'] as const) {
      if (!isFiniteNumber(a[k])) errors.push(fieldError(`${at}/${k}`, 'wrong_type', `${k} must be a finite number`));
    }
    if (isFiniteNumber(a.min) && isFiniteNumber(a.max) && a.min >= a.max) {
      errors.push(fieldError(`${at}/max`, 'out_of_range', 'max must be greater than min'));
    }
    if (!isFiniteNumber(a.periodS) || a.periodS < 1 || a.periodS > 86400 * 7) {
      errors.push(fieldError(`${at}/periodS`, 'out_of_range', 'periodS must be a number of seconds from 1 to 604800'));
    }
    if (errors.length === before) {
      out.push({
        name: name as string,
        unit: a.unit as string,
        min: a.min as number,
        max: a.max as number,
        periodS: a.periodS as number,
      });
    }
  });
  return out;
}

/**
 * Validates a device as submitted (HTTP body, import row). Sector and attributes default to the
 * type's. Every problem is reported, not just the first.
 */
export function validateDevice(input: unknown): Checked<Device & { accessToken?: string }> {
  if (!isObject(input)) return fail([fieldError('', 'wrong_type', 'device must be a JSON object')]);
  const errors: FieldError[] = [];
  const id = checkText(errors, input, '', 'id', { pattern: ID_PATTERN });
  const type = checkText(errors, input, '', 'type', { max: 64, pattern: /^[a-z][a-z0-9_]*$/ });
  const name = checkText(errors, input, '', 'name', { max: MAX_NAME });
  const unitCode = checkText(errors, input, '', 'unitCode', { max: 32, pattern: /^[A-Za-z0-9_.-]+$/ });
  const apikey = checkText(errors, input, '', 'apikey', { pattern: ID_PATTERN });
  const accessToken = checkText(errors, input, '', 'accessToken', { optional: true, pattern: /^[A-Za-z0-9_.~-]{8,128}$/ });

  let location: Device['location'] | undefined;
  const loc = input.location;
  if (!isObject(loc)) errors.push(fieldError('location', 'required', 'location {lat, lon} is required'));
  else {
    const { lat, lon } = loc;
    if (!isFiniteNumber(lat) || lat < -90 || lat > 90) errors.push(fieldError('location/lat', 'out_of_range', 'lat must be a number from -90 to 90'));
    if (!isFiniteNumber(lon) || lon < -180 || lon > 180) errors.push(fieldError('location/lon', 'out_of_range', 'lon must be a number from -180 to 180'));
    if (isFiniteNumber(lat) && isFiniteNumber(lon)) location = { lat, lon };
  }

  // Own keys only: a type named like an Object.prototype member ("constructor") is not a known type.
  const known = type && Object.hasOwn(DEVICE_TYPES, type) ? DEVICE_TYPES[type] : undefined;
  let sector: Sector | undefined = known?.sector;
  if (input.sector !== undefined && input.sector !== null && input.sector !== '') {
    if (typeof input.sector !== 'string' || !(SECTORS as readonly string[]).includes(input.sector)) {
      errors.push(fieldError('sector', 'bad_value', `sector must be one of ${SECTORS.join(', ')}`));
    } else sector = input.sector as Sector;
  } else if (type && !known) {
    errors.push(fieldError('sector', 'required', 'sector is required for a device type without defaults'));
  }

  let attributes: AttributeSpec[] | undefined;
  if (input.attributes !== undefined && input.attributes !== null) attributes = checkAttributes(errors, input.attributes);
  else if (known) attributes = known.attributes.map((a) => ({ ...a }));
  else if (type) errors.push(fieldError('attributes', 'required', 'attributes are required for a device type without defaults'));
  if (type && attributes) {
    // The IOC computes these for the type (derived series): a device may not declare or send them.
    const derived = reservedDerivedNames(type);
    attributes.forEach((a, i) => {
      if (derived.has(a.name)) errors.push(fieldError(`attributes/${i}/name`, 'reserved', `${a.name} is computed by the IOC for ${type} devices (a derived series); a device cannot declare it`));
    });
  }

  checkKnownKeys(errors, input, '', DEVICE_KEYS);

  if (errors.length > 0) return fail(errors);
  const device: Device & { accessToken?: string } = {
    id: id!,
    type: type!,
    name: name!,
    location: location!,
    unitCode: unitCode!,
    sector: sector!,
    apikey: apikey!,
    attributes: attributes!,
  };
  if (accessToken) device.accessToken = accessToken;
  return ok(device);
}
