/**
 * Bad input over HTTP: every refusal is a 4xx JSON error body naming the field, nothing is
 * stored, and the refused ingest requests are counted by reason in /metrics. Also the bad input
 * of device registration, series queries and unknown routes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERRORS, type ErrorCode } from '@haidang/domain';
import type { LightMyRequestResponse } from 'fastify';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { backends } from './support/databases.ts';
import { deviceInput } from './support/fixtures.ts';
import { buildTestApp, metricValue, type TestApp } from './support/test-app.ts';

const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const BODY_LIMIT = 4096;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Expect {
  status: number;
  code: ErrorCode;
  /** A field some error names. */
  field: string;
  reason: string;
}

/** The error body every failed request has, naming `field` with `reason`. */
function assertErrorBody(r: LightMyRequestResponse, want: Expect, label: string): void {
  assert.equal(r.statusCode, want.status, `${label}: ${r.body}`);
  assert.match(String(r.headers['content-type']), /^application\/json/, label);
  const body = r.json();
  assert.deepEqual(Object.keys(body).sort(), ['code', 'correlationId', 'errors', 'message', 'statusCode', 'title'], label);
  assert.equal(body.statusCode, want.status, label);
  assert.equal(body.code, want.code, label);
  assert.equal(ERRORS[want.code].status, want.status, `${label}: the catalog's status`);
  assert.ok(typeof body.message === 'string' && body.message.length > 0, label);
  assert.deepEqual(body.title, { vi: ERRORS[want.code].vi, en: ERRORS[want.code].en }, label);
  assert.match(body.correlationId, UUID, label);
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0, label);
  for (const e of body.errors) {
    assert.equal(typeof e.field, 'string', label);
    assert.ok(typeof e.reason === 'string' && e.reason.length > 0, label);
    assert.ok(typeof e.message === 'string' && e.message.length > 0, label);
  }
  assert.ok(
    body.errors.some((e: { field: string; reason: string }) => e.field === want.field && e.reason === want.reason),
    `${label}: expected an error {field: ${JSON.stringify(want.field)}, reason: ${want.reason}} in ${JSON.stringify(body.errors)}`,
  );
}

interface IngestCase extends Expect {
  name: string;
  /** Query string of /iot/json; default k=k-bad&i=aq-bad. */
  query?: string;
  /** Raw body text (sent as is) or a value to send as JSON. */
  raw?: string;
  json?: unknown;
  contentType?: string | null;
  /** The reason label of ioc_messages_rejected_total{transport="http"} that counts it. */
  metric: string;
}

const wrongTypes: [string, unknown][] = [
  ['a string', '12'],
  ['a boolean', true],
  ['an object', { value: 12 }],
  ['an array', [12]],
  ['null', null],
  ['an SQL injection', "1; DROP TABLE readings; --"],
];

const INGEST_CASES: IngestCase[] = [
  { name: 'unknown device', query: 'k=k-bad&i=no-such-device', json: { pm25: 1 }, status: 401, code: 'IOC_ERR_INGEST_AUTH', field: 'i', reason: 'unknown_device', metric: 'unknown_device' },
  { name: 'wrong API key', query: 'k=other-key&i=aq-bad', json: { pm25: 1 }, status: 401, code: 'IOC_ERR_INGEST_AUTH', field: 'i', reason: 'unknown_device', metric: 'unknown_device' },
  { name: 'missing k', query: 'i=aq-bad', json: { pm25: 1 }, status: 400, code: 'IOC_ERR_VALIDATION', field: 'k', reason: 'required', metric: 'bad_key' },
  { name: 'empty k', query: 'k=&i=aq-bad', json: { pm25: 1 }, status: 400, code: 'IOC_ERR_VALIDATION', field: 'k', reason: 'bad_value', metric: 'bad_key' },
  { name: 'two k', query: 'k=k-bad&k=x&i=aq-bad', json: { pm25: 1 }, status: 400, code: 'IOC_ERR_VALIDATION', field: 'k', reason: 'wrong_type', metric: 'bad_key' },
  { name: 'missing i', query: 'k=k-bad', json: { pm25: 1 }, status: 400, code: 'IOC_ERR_VALIDATION', field: 'i', reason: 'required', metric: 'unknown_device' },
  { name: 'no query at all', query: '', json: { pm25: 1 }, status: 400, code: 'IOC_ERR_VALIDATION', field: 'k', reason: 'required', metric: 'bad_key' },
  { name: 'over-long i', query: `k=k-bad&i=${'a'.repeat(65)}`, json: { pm25: 1 }, status: 400, code: 'IOC_ERR_VALIDATION', field: 'i', reason: 'bad_value', metric: 'unknown_device' },
  { name: 'non-JSON body', raw: 'pm25=12', status: 400, code: 'IOC_ERR_VALIDATION', field: '', reason: 'malformed_json', metric: 'malformed_json' },
  { name: 'truncated JSON', raw: '{"pm25": 12', status: 400, code: 'IOC_ERR_VALIDATION', field: '', reason: 'malformed_json', metric: 'malformed_json' },
  { name: 'empty JSON body', raw: '', status: 400, code: 'IOC_ERR_VALIDATION', field: '', reason: 'empty', metric: 'empty' },
  { name: 'no body, no content type', raw: '', contentType: null, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '', reason: 'wrong_type', metric: 'wrong_type' },
  { name: 'text/plain', raw: '{"pm25": 12}', contentType: 'text/plain', status: 415, code: 'IOC_ERR_UNSUPPORTED_MEDIA_TYPE', field: 'content-type', reason: 'unsupported', metric: 'malformed_json' },
  { name: 'text/csv', raw: 'pm25\n12\n', contentType: 'text/csv', status: 415, code: 'IOC_ERR_UNSUPPORTED_MEDIA_TYPE', field: 'content-type', reason: 'unsupported', metric: 'malformed_json' },
  { name: 'form encoded', raw: 'pm25=12', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'IOC_ERR_UNSUPPORTED_MEDIA_TYPE', field: 'content-type', reason: 'unsupported', metric: 'malformed_json' },
  { name: 'a JSON string', raw: '"pm25=12"', status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '', reason: 'wrong_type', metric: 'wrong_type' },
  { name: 'a JSON number', raw: '12', status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '', reason: 'wrong_type', metric: 'wrong_type' },
  { name: 'JSON null', raw: 'null', status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '', reason: 'wrong_type', metric: 'wrong_type' },
  { name: 'an array of numbers', json: [1, 2], status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '1', reason: 'wrong_type', metric: 'wrong_type' },
  ...wrongTypes.map(([what, v]): IngestCase => ({ name: `value is ${what}`, json: { pm25: v }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'pm25', reason: 'wrong_type', metric: 'wrong_type' })),
  { name: 'NaN spelled in JSON', raw: '{"pm25": NaN}', status: 400, code: 'IOC_ERR_VALIDATION', field: '', reason: 'malformed_json', metric: 'malformed_json' },
  { name: 'Infinity spelled in JSON', raw: '{"pm25": Infinity}', status: 400, code: 'IOC_ERR_VALIDATION', field: '', reason: 'malformed_json', metric: 'malformed_json' },
  { name: '-Infinity spelled in JSON', raw: '{"pm25": -Infinity}', status: 400, code: 'IOC_ERR_VALIDATION', field: '', reason: 'malformed_json', metric: 'malformed_json' },
  { name: '1e400', raw: '{"pm25": 1e400}', status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'pm25', reason: 'not_finite', metric: 'not_finite' },
  { name: '-1e400', raw: '{"pm10": -1e400}', status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'pm10', reason: 'not_finite', metric: 'not_finite' },
  { name: 'below the range', json: { pm25: -0.001 }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'pm25', reason: 'out_of_range', metric: 'out_of_range' },
  { name: 'above the range', json: { pm25: 1000.001 }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'pm25', reason: 'out_of_range', metric: 'out_of_range' },
  { name: 'TimeInstant without offset', json: { pm25: 1, TimeInstant: '2026-11-25T02:00:00' }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'TimeInstant', reason: 'bad_timestamp', metric: 'bad_timestamp' },
  { name: 'TimeInstant garbage', json: { pm25: 1, TimeInstant: 'hôm qua' }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'TimeInstant', reason: 'bad_timestamp', metric: 'bad_timestamp' },
  { name: 'TimeInstant a number', json: { pm25: 1, TimeInstant: NOW }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'TimeInstant', reason: 'bad_timestamp', metric: 'bad_timestamp' },
  { name: 'TimeInstant an impossible day', json: { pm25: 1, TimeInstant: '2026-02-30T00:00:00Z' }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'TimeInstant', reason: 'bad_timestamp', metric: 'bad_timestamp' },
  { name: 'TimeInstant before 2000', json: { pm25: 1, TimeInstant: '1970-01-01T00:00:00Z' }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'TimeInstant', reason: 'bad_timestamp', metric: 'bad_timestamp' },
  { name: 'TimeInstant over 5 min ahead', json: { pm25: 1, TimeInstant: iso(NOW + 5 * 60_000 + 1000) }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'TimeInstant', reason: 'future_timestamp', metric: 'future_timestamp' },
  { name: 'TimeInstant a day ahead, in +07:00', json: { pm25: 1, TimeInstant: '2026-11-26T10:00:00+07:00' }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'TimeInstant', reason: 'future_timestamp', metric: 'future_timestamp' },
  { name: 'unknown attribute', json: { temperature: 31 }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'temperature', reason: 'unknown_attribute', metric: 'unknown_attribute' },
  { name: 'a good value with an unknown attribute', json: { pm25: 10, temperature: 31 }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'temperature', reason: 'unknown_attribute', metric: 'unknown_attribute' },
  { name: 'a derived attribute (computed by the IOC, docs/derived-series.md)', json: { pm25: 10, aqi: 80 }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'aqi', reason: 'unknown_attribute', metric: 'unknown_attribute' },
  { name: 'attribute names are case-sensitive', json: { PM25: 10 }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'PM25', reason: 'unknown_attribute', metric: 'unknown_attribute' },
  { name: 'an empty object', json: {}, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '', reason: 'empty', metric: 'empty' },
  { name: 'only a TimeInstant', json: { TimeInstant: iso(NOW) }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '', reason: 'empty', metric: 'empty' },
  { name: 'an empty array', json: [], status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '', reason: 'empty', metric: 'empty' },
  { name: 'oversized body', raw: JSON.stringify({ pm25: 1, pad: 'x'.repeat(BODY_LIMIT) }), status: 413, code: 'IOC_ERR_PAYLOAD_TOO_LARGE', field: '', reason: 'too_large', metric: 'too_large' },
  { name: '__proto__ key', raw: '{"pm25": 1, "__proto__": {"polluted": "yes"}}', status: 400, code: 'IOC_ERR_VALIDATION', field: '', reason: 'malformed_json', metric: 'malformed_json' },
  { name: '__proto__ in a batch item', raw: '[{"pm25": 1}, {"__proto__": {"polluted": "yes"}}]', status: 400, code: 'IOC_ERR_VALIDATION', field: '', reason: 'malformed_json', metric: 'malformed_json' },
  { name: 'constructor.prototype', raw: '{"constructor": {"prototype": {"polluted": "yes"}}}', status: 400, code: 'IOC_ERR_VALIDATION', field: '', reason: 'malformed_json', metric: 'malformed_json' },
  { name: 'constructor as an attribute', json: { constructor: 1 }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'constructor', reason: 'unknown_attribute', metric: 'unknown_attribute' },
  { name: 'toString as an attribute', json: { toString: 1, hasOwnProperty: 2 }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'toString', reason: 'unknown_attribute', metric: 'unknown_attribute' },
  { name: '__proto__ as the device id', query: 'k=k-bad&i=__proto__', json: { pm25: 1 }, status: 401, code: 'IOC_ERR_INGEST_AUTH', field: 'i', reason: 'unknown_device', metric: 'unknown_device' },
  { name: 'constructor as the device id', query: 'k=k-bad&i=constructor', json: { pm25: 1 }, status: 401, code: 'IOC_ERR_INGEST_AUTH', field: 'i', reason: 'unknown_device', metric: 'unknown_device' },
  { name: 'SQL injection in i', query: `k=k-bad&i=${encodeURIComponent("aq-bad' OR '1'='1")}`, json: { pm25: 1 }, status: 401, code: 'IOC_ERR_INGEST_AUTH', field: 'i', reason: 'unknown_device', metric: 'unknown_device' },
  { name: 'SQL injection in k', query: `k=${encodeURIComponent("k-bad'; DROP TABLE devices; --")}&i=aq-bad`, json: { pm25: 1 }, status: 401, code: 'IOC_ERR_INGEST_AUTH', field: 'i', reason: 'unknown_device', metric: 'unknown_device' },
  { name: 'SQL injection as an attribute', json: { "pm25'; DELETE FROM readings; --": 1 }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: "pm25'; DELETE FROM readings; --", reason: 'unknown_attribute', metric: 'unknown_attribute' },
  { name: 'XSS in i', query: `k=k-bad&i=${encodeURIComponent('<script>alert(1)</script>')}`, json: { pm25: 1 }, status: 401, code: 'IOC_ERR_INGEST_AUTH', field: 'i', reason: 'unknown_device', metric: 'unknown_device' },
  { name: 'XSS as an attribute', json: { '<img src=x onerror=alert(1)>': 1 }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '<img src=x onerror=alert(1)>', reason: 'unknown_attribute', metric: 'unknown_attribute' },
  { name: 'XSS as a value', json: { pm25: '<script>alert(1)</script>' }, status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: 'pm25', reason: 'wrong_type', metric: 'wrong_type' },
  {
    name: 'a batch with one value out of range',
    json: [{ pm25: 1, TimeInstant: iso(NOW - 3000) }, { pm25: -5, TimeInstant: iso(NOW - 2000) }, { pm25: 3, TimeInstant: iso(NOW - 1000) }],
    status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '1/pm25', reason: 'out_of_range', metric: 'out_of_range',
  },
  {
    name: 'a batch with one bad TimeInstant',
    json: [{ pm25: 1, TimeInstant: iso(NOW - 3000) }, { pm25: 2, TimeInstant: iso(NOW - 2000) }, { pm25: 3, TimeInstant: '25/11/2026 10:00' }],
    status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '2/TimeInstant', reason: 'bad_timestamp', metric: 'bad_timestamp',
  },
  {
    name: 'a batch with one item not an object',
    json: [{ pm25: 1, TimeInstant: iso(NOW - 3000) }, 'pm25=2'],
    status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '1', reason: 'wrong_type', metric: 'wrong_type',
  },
  {
    name: 'a batch with one item in the future',
    json: [{ pm25: 1, TimeInstant: iso(NOW - 3000) }, { pm25: 2, TimeInstant: iso(NOW + 3_600_000) }],
    status: 422, code: 'IOC_ERR_INGEST_REJECTED', field: '1/TimeInstant', reason: 'future_timestamp', metric: 'future_timestamp',
  },
];

const DEVICE_CASES: { name: string; over: Record<string, unknown>; field: string; reason: string; status?: number }[] = [
  { name: 'id missing', over: { id: undefined }, field: 'id', reason: 'required' },
  { name: 'id a number', over: { id: 42 }, field: 'id', reason: 'wrong_type' },
  { name: 'id with a space', over: { id: 'a b' }, field: 'id', reason: 'bad_format' },
  { name: 'id with a slash (MQTT topic level)', over: { id: 'a/b' }, field: 'id', reason: 'bad_format' },
  { name: 'id with +', over: { id: 'a+' }, field: 'id', reason: 'bad_format' },
  { name: 'id too long', over: { id: 'a'.repeat(65) }, field: 'id', reason: 'bad_format' },
  { name: 'id SQL injection', over: { id: "x'; DROP TABLE devices; --" }, field: 'id', reason: 'bad_format' },
  { name: 'id XSS', over: { id: '<script>' }, field: 'id', reason: 'bad_format' },
  { name: 'type missing', over: { type: undefined }, field: 'type', reason: 'required' },
  { name: 'type upper case', over: { type: 'Air Quality' }, field: 'type', reason: 'bad_format' },
  { name: 'type too long', over: { type: 'a'.repeat(65) }, field: 'type', reason: 'too_long' },
  { name: 'type unknown without sector', over: { type: 'weather', attributes: [{ name: 't', unit: '°C', min: -10, max: 50, periodS: 60 }] }, field: 'sector', reason: 'required' },
  { name: 'type unknown without attributes', over: { type: 'weather', sector: 'environment' }, field: 'attributes', reason: 'required' },
  { name: 'type "constructor"', over: { type: 'constructor' }, field: 'sector', reason: 'required' },
  { name: 'name missing', over: { name: undefined }, field: 'name', reason: 'required' },
  { name: 'name empty', over: { name: '' }, field: 'name', reason: 'required' },
  { name: 'name a number', over: { name: 5 }, field: 'name', reason: 'wrong_type' },
  { name: 'name too long', over: { name: 'đ'.repeat(201) }, field: 'name', reason: 'too_long' },
  { name: 'location missing', over: { location: undefined }, field: 'location', reason: 'required' },
  { name: 'location an array', over: { location: [16, 108] }, field: 'location', reason: 'required' },
  { name: 'lat above 90', over: { location: { lat: 90.1, lon: 108 } }, field: 'location/lat', reason: 'out_of_range' },
  { name: 'lat a string', over: { location: { lat: '16', lon: 108 } }, field: 'location/lat', reason: 'out_of_range' },
  { name: 'lon below -180', over: { location: { lat: 16, lon: -180.5 } }, field: 'location/lon', reason: 'out_of_range' },
  { name: 'lon missing', over: { location: { lat: 16 } }, field: 'location/lon', reason: 'out_of_range' },
  { name: 'unitCode missing', over: { unitCode: undefined }, field: 'unitCode', reason: 'required' },
  { name: 'unitCode unknown', over: { unitCode: '99999' }, field: 'unitCode', reason: 'unknown_unit' },
  { name: 'unitCode bad characters', over: { unitCode: "48' OR 1=1" }, field: 'unitCode', reason: 'bad_format' },
  { name: 'sector unknown', over: { sector: 'space' }, field: 'sector', reason: 'bad_value' },
  { name: 'sector a number', over: { sector: 3 }, field: 'sector', reason: 'bad_value' },
  { name: 'apikey missing', over: { apikey: undefined }, field: 'apikey', reason: 'required' },
  { name: 'apikey with #', over: { apikey: 'key#1' }, field: 'apikey', reason: 'bad_format' },
  { name: 'attributes empty', over: { attributes: [] }, field: 'attributes', reason: 'bad_length' },
  { name: 'attributes an object', over: { attributes: { pm25: {} } }, field: 'attributes', reason: 'wrong_type' },
  { name: 'attribute not an object', over: { attributes: ['pm25'] }, field: 'attributes/0', reason: 'wrong_type' },
  { name: 'attribute name bad', over: { attributes: [{ name: '1x', unit: 'm', min: 0, max: 1, periodS: 60 }] }, field: 'attributes/0/name', reason: 'bad_format' },
  { name: 'attribute name reserved', over: { attributes: [{ name: 'TimeInstant', unit: 'm', min: 0, max: 1, periodS: 60 }] }, field: 'attributes/0/name', reason: 'bad_format' },
  {
    name: 'attribute name twice',
    over: { attributes: [{ name: 'x', unit: 'm', min: 0, max: 1, periodS: 60 }, { name: 'x', unit: 'm', min: 0, max: 1, periodS: 60 }] },
    field: 'attributes/1/name',
    reason: 'duplicate',
  },
  { name: 'attribute unit a number', over: { attributes: [{ name: 'x', unit: 5, min: 0, max: 1, periodS: 60 }] }, field: 'attributes/0/unit', reason: 'wrong_type' },
  { name: 'attribute min a string', over: { attributes: [{ name: 'x', unit: 'm', min: '0', max: 1, periodS: 60 }] }, field: 'attributes/0/min', reason: 'wrong_type' },
  { name: 'attribute min = max', over: { attributes: [{ name: 'x', unit: 'm', min: 1, max: 1, periodS: 60 }] }, field: 'attributes/0/max', reason: 'out_of_range' },
  { name: 'attribute periodS 0', over: { attributes: [{ name: 'x', unit: 'm', min: 0, max: 1, periodS: 0 }] }, field: 'attributes/0/periodS', reason: 'out_of_range' },
  { name: 'accessToken too short', over: { accessToken: 'short' }, field: 'accessToken', reason: 'bad_format' },
  { name: 'accessToken a number', over: { accessToken: 12345678 }, field: 'accessToken', reason: 'wrong_type' },
  { name: 'accessToken held by another device', over: { accessToken: 'held-token-123' }, field: 'accessToken', reason: 'duplicate' },
  { name: 'an unknown field', over: { colour: 'red' }, field: 'colour', reason: 'unknown_field' },
  { name: 'hasAccessToken is output only', over: { hasAccessToken: true }, field: 'hasAccessToken', reason: 'unknown_field' },
];

for (const backend of await backends()) {
  describe(`bad input over HTTP on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let t: TestApp;

    const get = (url: string) => t.inject({ method: 'GET', url });
    const rejected = async (reason: string) => metricValue((await get('/metrics')).body, 'ioc_messages_rejected_total', { transport: 'http', reason });
    /** What is stored for the test device, as the API shows it. */
    const stored = async () => {
      const latest = (await get('/api/v1/latest?device=aq-bad')).json();
      const series = await Promise.all(
        ['pm25', 'pm10'].map(async (a) => (await get(`/api/v1/devices/aq-bad/series/${a}?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`)).json().points),
      );
      const accepted = metricValue((await get('/metrics')).body, 'ioc_readings_accepted_total', { transport: 'http' });
      return { latest, series, accepted };
    };

    before(async () => {
      database = await backend.open();
      t = await buildTestApp(database, { clock: () => NOW, bodyLimit: BODY_LIMIT });
      for (const d of [deviceInput({ id: 'aq-bad', apikey: 'k-bad' }), deviceInput({ id: 'aq-holder', apikey: 'k-bad', accessToken: 'held-token-123' })]) {
        const r = await t.inject({ method: 'POST', url: '/api/v1/devices', payload: d });
        assert.equal(r.statusCode, 201, r.body);
      }
      // One good reading, so that "nothing changed" is checked against something.
      const r = await t.inject({ method: 'POST', url: '/iot/json?k=k-bad&i=aq-bad', payload: { pm25: 7, TimeInstant: iso(NOW - 60_000) } });
      assert.equal(r.statusCode, 200, r.body);
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    describe('POST /iot/json', () => {
      for (const c of INGEST_CASES) {
        it(`refuses ${c.name}: ${c.status} naming ${JSON.stringify(c.field)}, stores nothing, counts ${c.metric}`, async () => {
          const before = await stored();
          const counted = await rejected(c.metric);
          const headers: Record<string, string> = {};
          if (c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json';
          const body = c.raw ?? JSON.stringify(c.json);
          const r = await t.inject({ method: 'POST', url: `/iot/json${c.query === undefined ? '?k=k-bad&i=aq-bad' : c.query ? `?${c.query}` : ''}`, headers, ...(body !== undefined ? { body } : {}) });
          assertErrorBody(r, c, c.name);
          assert.deepEqual(await stored(), before, `${c.name}: nothing stored`);
          assert.equal(await rejected(c.metric), counted + 1, `${c.name}: counted once under ${c.metric}`);
          assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
          assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
        });
      }

      it('accepts the inclusive bounds of the range and a timestamp exactly 5 minutes ahead', async () => {
        const ok = async (payload: unknown) => {
          const r = await t.inject({ method: 'POST', url: '/iot/json?k=k-bad&i=aq-bad', payload: payload as object });
          assert.equal(r.statusCode, 200, r.body);
        };
        await ok({ pm25: 0, pm10: 2000, TimeInstant: iso(NOW - 10_000) });
        await ok({ pm25: 1000, pm10: 0, TimeInstant: iso(NOW - 9_000) });
        await ok({ pm25: 500, TimeInstant: iso(NOW + 5 * 60_000) });
        const pm25 = (await get(`/api/v1/devices/aq-bad/series/pm25?from=${iso(NOW - 20_000)}&to=${iso(NOW + 3_600_000)}`)).json().points;
        assert.deepEqual(pm25, [
          { ts: iso(NOW - 10_000), value: 0 },
          { ts: iso(NOW - 9_000), value: 1000 },
          { ts: iso(NOW + 5 * 60_000), value: 500 },
        ]);
      });

      it('survives the injection attempts: the tables are intact', async () => {
        assert.equal((await get('/api/v1/devices/aq-bad')).statusCode, 200);
        assert.equal((await get('/api/v1/devices?limit=10')).json().total, 2);
        assert.equal((await get('/api/v1/latest?device=aq-bad')).json().items[0].values.pm25.value, 500);
      });
    });

    describe('POST /api/v1/devices', () => {
      for (const c of DEVICE_CASES) {
        it(`refuses ${c.name}: 400 naming ${c.field}`, async () => {
          const body: Record<string, unknown> = { ...deviceInput({ id: 'new-dev' }), ...c.over };
          for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
          const r = await t.inject({ method: 'POST', url: '/api/v1/devices', payload: body });
          assertErrorBody(r, { status: 400, code: 'IOC_ERR_VALIDATION', field: c.field, reason: c.reason }, c.name);
          assert.equal((await get('/api/v1/devices?limit=10')).json().total, 2, 'nothing created');
        });
      }

      it('lists every problem of a body at once', async () => {
        const r = await t.inject({ method: 'POST', url: '/api/v1/devices', payload: { id: 'a b', name: 7, location: { lat: 100, lon: 0 }, unitCode: '20233', apikey: 'k', extra: 1 } });
        assert.equal(r.statusCode, 400);
        assert.deepEqual(r.json().errors.map((e: { field: string }) => e.field).sort(), ['extra', 'id', 'location/lat', 'name', 'type']);
      });

      it('refuses bodies that are not a device object', async () => {
        for (const [what, body, contentType, status, reason] of [
          ['an array', '[]', 'application/json', 400, 'wrong_type'],
          ['a JSON string', '"device"', 'application/json', 400, 'wrong_type'],
          ['null', 'null', 'application/json', 400, 'wrong_type'],
          ['malformed JSON', '{"id": ', 'application/json', 400, 'malformed_json'],
          ['an empty body', '', 'application/json', 400, 'empty'],
          ['__proto__', '{"__proto__": {"polluted": 1}}', 'application/json', 400, 'malformed_json'],
          ['CSV', 'id\nx\n', 'text/csv', 400, 'wrong_type'],
          ['XML', '<device/>', 'application/xml', 415, 'unsupported'],
        ] as const) {
          const r = await t.inject({ method: 'POST', url: '/api/v1/devices', body, headers: { 'content-type': contentType } });
          const code = status === 415 ? 'IOC_ERR_UNSUPPORTED_MEDIA_TYPE' : 'IOC_ERR_VALIDATION';
          assertErrorBody(r, { status, code, field: status === 415 ? 'content-type' : '', reason }, what);
        }
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      });

      it('refuses a body over the size limit (413)', async () => {
        const r = await t.inject({ method: 'POST', url: '/api/v1/devices', payload: deviceInput({ id: 'big', name: 'x'.repeat(BODY_LIMIT) }) });
        assertErrorBody(r, { status: 413, code: 'IOC_ERR_PAYLOAD_TOO_LARGE', field: '', reason: 'too_large' }, 'big body');
      });

      it('refuses a bad id in the path', async () => {
        const r = await t.inject({ method: 'PUT', url: `/api/v1/devices/${'x'.repeat(65)}`, payload: {} });
        assertErrorBody(r, { status: 400, code: 'IOC_ERR_VALIDATION', field: 'id', reason: 'bad_value' }, 'long id');
        const d = await t.inject({ method: 'DELETE', url: `/api/v1/devices/${encodeURIComponent("aq-bad' OR '1'='1")}` });
        assert.equal(d.statusCode, 404);
        assert.equal((await get('/api/v1/devices/aq-bad')).statusCode, 200, 'the injection deleted nothing');
      });
    });

    describe('series and latest queries', () => {
      const series = (q: string, attr = 'pm25', id = 'aq-bad') => get(`/api/v1/devices/${id}/series/${attr}?${q}`);
      const cases: [string, string, string][] = [
        ['from=yesterday', 'from', 'bad_timestamp'],
        ['to=2026-11-25', 'to', 'bad_timestamp'],
        ['from=2026-11-25T00:00:00', 'from', 'bad_timestamp'],
        ['from=2026-02-30T00:00:00Z', 'from', 'bad_timestamp'],
        ['from=2026-13-01T00:00:00Z', 'from', 'bad_timestamp'],
        ['to=2026-11-25T25:00:00Z', 'to', 'bad_timestamp'],
        ['to=1764038400000', 'to', 'bad_timestamp'],
        ['from=2026-11-25T02:00:00Z&to=2026-11-25T01:00:00Z', 'from', 'out_of_range'],
        ['from=2026-11-25T02:00:00Z&to=2026-11-25T02:00:00Z', 'from', 'out_of_range'],
        ['from=2026-11-25T09:00:00%2B07:00&to=2026-11-25T02:00:00Z', 'from', 'out_of_range'],
        ['resolution=5m', 'resolution', 'bad_value'],
        ['resolution=RAW', 'resolution', 'bad_value'],
        ['limit=0', 'limit', 'bad_value'],
        ['limit=100001', 'limit', 'bad_value'],
        ['limit=many', 'limit', 'wrong_type'],
      ];
      for (const [q, field, reason] of cases) {
        it(`refuses ${q}: 400 naming ${field}`, async () => {
          assertErrorBody(await series(q), { status: 400, code: 'IOC_ERR_VALIDATION', field, reason }, q);
        });
      }

      it('names the allowed resolutions once', async () => {
        const body = (await series('resolution=5m')).json();
        assert.equal(body.errors.length, 1);
        assert.match(body.errors[0].message, /raw, 1m, 1h/);
      });

      it('answers 404 for an unknown attribute or device', async () => {
        assertErrorBody(await series('', 'temperature'), { status: 404, code: 'IOC_ERR_NOT_FOUND', field: 'attr', reason: 'unknown_attribute' }, 'attr');
        const r = await series('', 'pm25', 'no-such-device');
        assert.equal(r.statusCode, 404);
        assert.equal(r.json().code, 'IOC_ERR_DEVICE_NOT_FOUND');
      });

      it('refuses bad latest filters', async () => {
        assertErrorBody(await get('/api/v1/latest?unit=99999'), { status: 400, code: 'IOC_ERR_VALIDATION', field: 'unit', reason: 'unknown_unit' }, 'unit');
        assertErrorBody(await get('/api/v1/latest?sector=space'), { status: 400, code: 'IOC_ERR_VALIDATION', field: 'sector', reason: 'bad_value' }, 'sector');
        assertErrorBody(await get(`/api/v1/latest?device=${'d'.repeat(65)}`), { status: 400, code: 'IOC_ERR_VALIDATION', field: 'device', reason: 'bad_value' }, 'device');
        const r = await get(`/api/v1/latest?device=${encodeURIComponent("' OR 1=1 --")}`);
        assert.deepEqual(r.json(), { items: [] });
      });
    });

    describe('unknown routes', () => {
      for (const [method, url] of [
        ['GET', '/nope'],
        ['GET', '/api/v1/nope'],
        ['GET', '/api/v2/devices'],
        ['POST', '/iot/xml'],
        ['PATCH', '/api/v1/devices/aq-bad'],
        ['DELETE', '/api/v1/devices'],
        ['GET', '/api/v1/devices/aq-bad/series'],
        ['GET', '/<script>alert(1)</script>'],
      ] as const) {
        it(`answers ${method} ${url} with a 404 JSON body`, async () => {
          const r = await t.inject({ method, url });
          assert.equal(r.statusCode, 404);
          assert.match(String(r.headers['content-type']), /^application\/json/);
          const body = r.json();
          assert.equal(body.statusCode, 404);
          assert.equal(body.code, 'IOC_ERR_NOT_FOUND');
          assert.deepEqual(body.title, { vi: ERRORS.IOC_ERR_NOT_FOUND.vi, en: ERRORS.IOC_ERR_NOT_FOUND.en });
          assert.match(body.correlationId, UUID);
          assert.match(body.message, new RegExp(`^no route ${method} `));
        });
      }
    });
  });
}
