import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ERRORS, IocError, type ErrorCode, type FieldError } from './errors.ts';
import { fail, fieldError, ok } from './result.ts';

const codes = Object.keys(ERRORS) as ErrorCode[];

describe('ERRORS catalog', () => {
  it('is not empty', () => assert.ok(codes.length > 0));

  for (const code of codes) {
    it(`${code}: code format, HTTP status 400–599, vi and en texts`, () => {
      const e = ERRORS[code];
      assert.match(code, /^IOC_ERR_[A-Z_]+$/);
      assert.ok(Number.isInteger(e.status), 'status is an integer');
      assert.ok(e.status >= 400 && e.status <= 599, `status ${e.status} is 400–599`);
      assert.equal(typeof e.vi, 'string');
      assert.equal(typeof e.en, 'string');
      assert.ok(e.vi.trim().length > 0, 'vi text is not empty');
      assert.ok(e.en.trim().length > 0, 'en text is not empty');
      assert.deepEqual(Object.keys(e).sort(), ['en', 'status', 'vi']);
    });
  }

  it('texts are distinct per code and language', () => {
    assert.equal(new Set(codes.map((c) => ERRORS[c].en)).size, codes.length);
    assert.equal(new Set(codes.map((c) => ERRORS[c].vi)).size, codes.length);
  });

  it('the vi texts are Vietnamese (NFC, with diacritics somewhere in the catalog)', () => {
    for (const c of codes) assert.equal(ERRORS[c].vi, ERRORS[c].vi.normalize('NFC'), `${c} vi is NFC`);
    assert.ok(codes.some((c) => /[^\u0020-\u007e]/.test(ERRORS[c].vi)));
  });

  const expectedStatus: [ErrorCode, number][] = [
    ['IOC_ERR_VALIDATION', 400],
    ['IOC_ERR_NOT_FOUND', 404],
    ['IOC_ERR_CONFLICT', 409],
    ['IOC_ERR_PAYLOAD_TOO_LARGE', 413],
    ['IOC_ERR_UNSUPPORTED_MEDIA_TYPE', 415],
    ['IOC_ERR_DEVICE_NOT_FOUND', 404],
    ['IOC_ERR_DEVICE_EXISTS', 409],
    ['IOC_ERR_DEVICE_IMPORT', 422],
    ['IOC_ERR_INGEST_AUTH', 401],
    ['IOC_ERR_INGEST_REJECTED', 422],
    ['IOC_ERR_UNAVAILABLE', 503],
    ['IOC_ERR_INTERNAL', 500],
  ];
  for (const [code, status] of expectedStatus) it(`${code} → ${status}`, () => assert.equal(ERRORS[code].status, status));
});

describe('IocError', () => {
  for (const code of codes) {
    it(`${code}: default message, statusCode, no field errors`, () => {
      const e = new IocError(code);
      assert.ok(e instanceof Error);
      assert.ok(e instanceof IocError);
      assert.equal(e.name, 'IocError');
      assert.equal(e.code, code);
      assert.equal(e.message, ERRORS[code].en);
      assert.equal(e.statusCode, ERRORS[code].status);
      assert.deepEqual(e.errors, []);
      assert.ok(typeof e.stack === 'string');
    });
  }

  it('keeps a custom message and the field errors', () => {
    const errors: FieldError[] = [{ field: 'attributes/2/max', reason: 'out_of_range', message: 'max must be greater than min', row: 3 }];
    const e = new IocError('IOC_ERR_DEVICE_IMPORT', 'Row 3 is wrong', errors);
    assert.equal(e.message, 'Row 3 is wrong');
    assert.equal(e.statusCode, 422);
    assert.deepEqual(e.errors, errors);
  });

  it('an empty custom message is kept as given', () => {
    assert.equal(new IocError('IOC_ERR_INTERNAL', '').message, '');
  });

  it('each default errors array is a new one', () => {
    const a = new IocError('IOC_ERR_VALIDATION');
    a.errors.push(fieldError('x', 'y', 'z'));
    assert.deepEqual(new IocError('IOC_ERR_VALIDATION').errors, []);
  });

  it('can be thrown and caught as an Error', () => {
    assert.throws(
      () => {
        throw new IocError('IOC_ERR_NOT_FOUND');
      },
      (e: unknown) => e instanceof IocError && e.statusCode === 404 && e.code === 'IOC_ERR_NOT_FOUND',
    );
  });
});

describe('result helpers', () => {
  it('ok wraps a value', () => assert.deepEqual(ok(5), { ok: true, value: 5 }));
  it('fail wraps field errors', () => {
    const e = fieldError('pm25', 'out_of_range', 'too high');
    assert.deepEqual(fail([e]), { ok: false, errors: [e] });
  });
  it('fieldError builds field, reason and message, without a row', () => {
    const e = fieldError('location/lat', 'out_of_range', 'm');
    assert.deepEqual(e, { field: 'location/lat', reason: 'out_of_range', message: 'm' });
    assert.equal('row' in e, false);
  });
});
