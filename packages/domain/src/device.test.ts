import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ID_PATTERN, validateDevice, type AttributeSpec } from './device.ts';
import { DEVICE_TYPES, SECTORS } from './device-types.ts';
import type { Checked } from './result.ts';

/** A valid air-quality device, as an HTTP body would carry it. */
const base = (): Record<string, unknown> => ({
  id: 'dn-aq-001',
  type: 'air_quality',
  name: 'Trạm quan trắc Hải Châu',
  location: { lat: 16.0544, lon: 108.2022 },
  unitCode: '490',
  apikey: 'danang-env',
});

const with_ = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...base(), ...patch });
const without = (key: string): Record<string, unknown> => {
  const o = base();
  delete o[key];
  return o;
};
const spec = (over: Partial<Record<keyof AttributeSpec, unknown>> = {}): Record<string, unknown> => ({
  name: 'temp',
  unit: '°C',
  min: -40,
  max: 60,
  periodS: 60,
  ...over,
});

/** The [field, reason] pairs of a failed result, in order. */
function errs(r: Checked<unknown>): [string, string][] {
  if (r.ok) assert.fail(`expected a failure, got ${JSON.stringify(r.value)}`);
  for (const e of r.errors) assert.ok(e.message.length > 0, 'every error has a message');
  return r.errors.map((e) => [e.field, e.reason]);
}
function value<T>(r: Checked<T>): T {
  if (!r.ok) assert.fail(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.value;
}
function assertPrototypeClean(): void {
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'id', 'type', 'sector', 'lat', 'isAdmin']) assert.equal(probe[k], undefined, `Object.prototype.${k} polluted`);
}

describe('validateDevice: valid input', () => {
  it('accepts a device of a known type and fills sector and attributes from the type', () => {
    const d = value(validateDevice(base()));
    assert.deepEqual(d, {
      id: 'dn-aq-001',
      type: 'air_quality',
      name: 'Trạm quan trắc Hải Châu',
      location: { lat: 16.0544, lon: 108.2022 },
      unitCode: '490',
      sector: 'environment',
      apikey: 'danang-env',
      attributes: DEVICE_TYPES.air_quality!.attributes,
    });
    assert.equal('accessToken' in d, false);
  });

  it('returns copies of the default attributes, never the shared DEVICE_TYPES objects', () => {
    const d = value(validateDevice(base()));
    d.attributes[0]!.max = -1;
    d.attributes.push({ name: 'x', unit: '', min: 0, max: 1, periodS: 1 });
    assert.equal(DEVICE_TYPES.air_quality!.attributes[0]!.max, 1000);
    assert.equal(DEVICE_TYPES.air_quality!.attributes.length, 6);
  });

  for (const [type, info] of Object.entries(DEVICE_TYPES)) {
    it(`defaults for type ${type}: sector ${info.sector}`, () => {
      const d = value(validateDevice(with_({ type })));
      assert.equal(d.sector, info.sector);
      assert.deepEqual(d.attributes, info.attributes);
    });
  }

  it('keeps a valid accessToken', () => {
    assert.equal(value(validateDevice(with_({ accessToken: 'A1b2_c3.d4~e5-f6' }))).accessToken, 'A1b2_c3.d4~e5-f6');
  });

  it('lets an explicit sector override the type default', () => {
    assert.equal(value(validateDevice(with_({ sector: 'police' }))).sector, 'police');
  });

  for (const empty of [undefined, null, '']) {
    it(`treats sector ${JSON.stringify(empty)} as absent (type default)`, () => {
      assert.equal(value(validateDevice(with_({ sector: empty }))).sector, 'environment');
    });
    it(`treats accessToken ${JSON.stringify(empty)} as absent`, () => {
      assert.equal('accessToken' in value(validateDevice(with_({ accessToken: empty }))), false);
    });
  }

  it('treats attributes: null as absent (type default)', () => {
    assert.equal(value(validateDevice(with_({ attributes: null }))).attributes.length, 6);
  });

  it('accepts a type without defaults when sector and attributes are given', () => {
    const d = value(validateDevice(with_({ type: 'noise', sector: 'environment', attributes: [spec({ name: 'laeq', unit: 'dB', min: 0, max: 140 })] })));
    assert.equal(d.type, 'noise');
    assert.deepEqual(d.attributes, [{ name: 'laeq', unit: 'dB', min: 0, max: 140, periodS: 60 }]);
  });

  it('keeps only the five known keys of an attribute', () => {
    const d = value(validateDevice(with_({ attributes: [{ ...spec(), extra: '<b>', __proto__: null }] })));
    assert.deepEqual(Object.keys(d.attributes[0]!).sort(), ['max', 'min', 'name', 'periodS', 'unit']);
  });

  it('accepts an input object without prototype', () => {
    const input = Object.assign(Object.create(null) as Record<string, unknown>, base());
    assert.equal(value(validateDevice(input)).id, 'dn-aq-001');
  });

  const boundaryOk: [string, Record<string, unknown>][] = [
    ['lat = -90', { location: { lat: -90, lon: 0 } }],
    ['lat = 90', { location: { lat: 90, lon: 0 } }],
    ['lon = -180', { location: { lat: 0, lon: -180 } }],
    ['lon = 180', { location: { lat: 0, lon: 180 } }],
    ['lat = -0, lon = -0', { location: { lat: -0, lon: -0 } }],
    ['extra key in location (dropped)', { location: { lat: 16, lon: 108, alt: 5 } }],
    ['id of 1 character', { id: 'a' }],
    ['id of 64 characters', { id: 'A'.repeat(64) }],
    ['id with _ . : -', { id: 'urn:ngsi-ld:Device:dn_aq.01' }],
    ['apikey of 64 characters', { apikey: '9'.repeat(64) }],
    ['type of 64 characters (no defaults, with sector+attributes)', { type: 'a'.repeat(64), sector: 'health', attributes: [spec()] }],
    ['name of 200 characters', { name: 'n'.repeat(200) }],
    ['name of one character', { name: 'x' }],
    ['unitCode of 32 characters', { unitCode: 'U'.repeat(32) }],
    ['unitCode with . _ -', { unitCode: '48.490_20194-x' }],
    ['accessToken of 8 characters', { accessToken: 'abcdefgh' }],
    ['accessToken of 128 characters', { accessToken: 't'.repeat(128) }],
    ['64 attributes', { attributes: Array.from({ length: 64 }, (_, i) => spec({ name: `a${i}` })) }],
    ['attribute name of 32 characters', { attributes: [spec({ name: 'A'.repeat(32) })] }],
    ['attribute name "constructor" (a plain name, no prototype lookup)', { attributes: [spec({ name: 'constructor' }), spec({ name: 'toString' })] }],
    ['unit of 32 characters', { attributes: [spec({ unit: 'u'.repeat(32) })] }],
    ['empty unit', { attributes: [spec({ unit: '' })] }],
    ['negative and fractional min/max', { attributes: [spec({ min: -5.5, max: -5.25 })] }],
    ['periodS = 1', { attributes: [spec({ periodS: 1 })] }],
    ['periodS = 604800', { attributes: [spec({ periodS: 604800 })] }],
  ];
  for (const [label, patch] of boundaryOk) {
    it(`accepts ${label}`, () => {
      const d = value(validateDevice(with_(patch)));
      for (const [k, v] of Object.entries(patch)) if (k !== 'location' && k !== 'attributes') assert.equal((d as unknown as Record<string, unknown>)[k], v);
    });
  }
});

describe('validateDevice: names are plain text, ids are not', () => {
  const hostile = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    "Robert'); DROP TABLE devices;--",
    "x' OR '1'='1",
    '"; DELETE FROM readings; --',
    '{{constructor.constructor("return process")()}}',
    '${7*7}',
    '../../etc/passwd',
    '__proto__',
    'Trạm "Cầu Rồng", Đà Nẵng',
    '🌊 ngập',
  ];
  for (const s of hostile) {
    it(`name ${JSON.stringify(s)} is accepted verbatim`, () => {
      assert.equal(value(validateDevice(with_({ name: s }))).name, s);
    });
    for (const key of ['id', 'apikey']) {
      it(`${key} ${JSON.stringify(s)} is refused as bad_format`, () => {
        assert.deepEqual(errs(validateDevice(with_({ [key]: s }))), [[key, 'bad_format']]);
      });
    }
  }
});

describe('validateDevice: every reason with its field', () => {
  const huge = 'x'.repeat(1_000_000);
  const cases: [string, unknown, [string, string][]][] = [
    // the input itself
    ['null', null, [['', 'wrong_type']]],
    ['undefined', undefined, [['', 'wrong_type']]],
    ['a number', 42, [['', 'wrong_type']]],
    ['a string', JSON.stringify(base()), [['', 'wrong_type']]],
    ['true', true, [['', 'wrong_type']]],
    ['an empty array', [], [['', 'wrong_type']]],
    ['an array holding a valid device', [base()], [['', 'wrong_type']]],
    // required strings
    ...(['id', 'type', 'name', 'unitCode', 'apikey'] as const).flatMap((k): [string, unknown, [string, string][]][] => [
      [`missing ${k}`, without(k), [[k, 'required']]],
      [`${k} null`, with_({ [k]: null }), [[k, 'required']]],
      [`${k} ''`, with_({ [k]: '' }), [[k, 'required']]],
      [`${k} a number`, with_({ [k]: 123 }), [[k, 'wrong_type']]],
      [`${k} an array`, with_({ [k]: ['dn-aq-001'] }), [[k, 'wrong_type']]],
      [`${k} an object`, with_({ [k]: { toString: 'x' } }), [[k, 'wrong_type']]],
      [`${k} true`, with_({ [k]: true }), [[k, 'wrong_type']]],
    ]),
    // id / apikey format
    ...(['id', 'apikey'] as const).flatMap((k): [string, unknown, [string, string][]][] =>
      ['a/b', 'a+b', 'a#b', 'a b', ' a', 'a\n', 'a\u0000b', '_a', '-a', '.a', ':a', 'a'.repeat(65), 'thiết-bị', 'a\u200bb', huge].map(
        (v): [string, unknown, [string, string][]] => [`${k} ${JSON.stringify(v.slice(0, 20))}${v.length > 20 ? `… (${v.length})` : ''}`, with_({ [k]: v }), [[k, 'bad_format']]],
      ),
    ),
    // type
    ['type of 65 characters', with_({ type: 'a'.repeat(65) }), [['type', 'too_long']]],
    ['type huge', with_({ type: huge }), [['type', 'too_long']]],
    ['type with upper case', with_({ type: 'Air_quality' }), [['type', 'bad_format']]],
    ['type with dash', with_({ type: 'air-quality' }), [['type', 'bad_format']]],
    ['type starting with digit', with_({ type: '1air' }), [['type', 'bad_format']]],
    ['type __proto__', with_({ type: '__proto__' }), [['type', 'bad_format']]],
    ['type without defaults, nothing else', with_({ type: 'noise' }), [['sector', 'required'], ['attributes', 'required']]],
    ['type "constructor" is not a known type', with_({ type: 'constructor' }), [['sector', 'required'], ['attributes', 'required']]],
    ['type "constructor" with attributes still needs a sector', with_({ type: 'constructor', attributes: [spec()] }), [['sector', 'required']]],
    // name
    ['name of 201 characters', with_({ name: 'n'.repeat(201) }), [['name', 'too_long']]],
    ['name huge', with_({ name: huge }), [['name', 'too_long']]],
    // unitCode
    ['unitCode of 33 characters', with_({ unitCode: 'U'.repeat(33) }), [['unitCode', 'too_long']]],
    ['unitCode with space', with_({ unitCode: '490 1' }), [['unitCode', 'bad_format']]],
    ['unitCode with slash', with_({ unitCode: '48/490' }), [['unitCode', 'bad_format']]],
    ['unitCode with SQL', with_({ unitCode: "1' OR 1=1" }), [['unitCode', 'bad_format']]],
    // accessToken
    ['accessToken of 7 characters', with_({ accessToken: 'abcdefg' }), [['accessToken', 'bad_format']]],
    ['accessToken of 129 characters', with_({ accessToken: 't'.repeat(129) }), [['accessToken', 'bad_format']]],
    ['accessToken with space', with_({ accessToken: 'abc defgh' }), [['accessToken', 'bad_format']]],
    ['accessToken with slash', with_({ accessToken: 'abcd/efgh' }), [['accessToken', 'bad_format']]],
    ['accessToken a number', with_({ accessToken: 12345678 }), [['accessToken', 'wrong_type']]],
    // location
    ['missing location', without('location'), [['location', 'required']]],
    ['location null', with_({ location: null }), [['location', 'required']]],
    ['location an array [lat, lon]', with_({ location: [16, 108] }), [['location', 'required']]],
    ['location a string', with_({ location: '16,108' }), [['location', 'required']]],
    ['location a number', with_({ location: 16 }), [['location', 'required']]],
    ['location {}', with_({ location: {} }), [['location/lat', 'out_of_range'], ['location/lon', 'out_of_range']]],
    ['location GeoJSON point', with_({ location: { type: 'Point', coordinates: [108, 16] } }), [['location/lat', 'out_of_range'], ['location/lon', 'out_of_range']]],
    ['lat just below -90', with_({ location: { lat: -90.000001, lon: 0 } }), [['location/lat', 'out_of_range']]],
    ['lat just above 90', with_({ location: { lat: 90.000001, lon: 0 } }), [['location/lat', 'out_of_range']]],
    ['lon just below -180', with_({ location: { lat: 0, lon: -180.000001 } }), [['location/lon', 'out_of_range']]],
    ['lon just above 180', with_({ location: { lat: 0, lon: 180.000001 } }), [['location/lon', 'out_of_range']]],
    ['lat and lon swapped out of range', with_({ location: { lat: 108.2, lon: 16.05 } }), [['location/lat', 'out_of_range']]],
    ...([NaN, Infinity, -Infinity, '16.05', null, true, [16], { v: 16 }, Number.MAX_VALUE] as unknown[]).flatMap((v): [string, unknown, [string, string][]][] => [
      [`lat ${String(v)} (${typeof v})`, with_({ location: { lat: v, lon: 108 } }), [['location/lat', 'out_of_range']]],
      [`lon ${String(v)} (${typeof v})`, with_({ location: { lat: 16, lon: v } }), [['location/lon', 'out_of_range']]],
    ]),
    ['lat 1e400 (JSON) is Infinity', with_(JSON.parse('{"location":{"lat":1e400,"lon":-1e400}}') as Record<string, unknown>), [['location/lat', 'out_of_range'], ['location/lon', 'out_of_range']]],
    ['a JSON "__proto__" key in location does not supply lat', with_(JSON.parse('{"location":{"__proto__":{"lat":16},"lon":108}}') as Record<string, unknown>), [['location/lat', 'out_of_range']]],
    // sector
    ...(['Environment', 'ENVIRONMENT', ' environment', 'other', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'length'] as const).map(
      (s): [string, unknown, [string, string][]] => [`sector ${JSON.stringify(s)}`, with_({ sector: s }), [['sector', 'bad_value']]],
    ),
    ['sector a number', with_({ sector: 1 }), [['sector', 'bad_value']]],
    ['sector an array', with_({ sector: ['environment'] }), [['sector', 'bad_value']]],
    ['sector an object', with_({ sector: { environment: true } }), [['sector', 'bad_value']]],
    ['bad sector on a type without defaults', with_({ type: 'noise', sector: 'x', attributes: [spec()] }), [['sector', 'bad_value']]],
    // attributes: the list
    ['attributes a string', with_({ attributes: 'pm25' }), [['attributes', 'wrong_type']]],
    ['attributes an object', with_({ attributes: { 0: spec() } }), [['attributes', 'wrong_type']]],
    ['attributes a number', with_({ attributes: 1 }), [['attributes', 'wrong_type']]],
    ['attributes empty', with_({ attributes: [] }), [['attributes', 'bad_length']]],
    ['65 attributes', with_({ attributes: Array.from({ length: 65 }, (_, i) => spec({ name: `a${i}` })) }), [['attributes', 'bad_length']]],
    ['attribute null', with_({ attributes: [null] }), [['attributes/0', 'wrong_type']]],
    ['attribute an array', with_({ attributes: [spec(), ['temp', '°C', 0, 1, 60]] }), [['attributes/1', 'wrong_type']]],
    ['attribute a string', with_({ attributes: ['pm25'] }), [['attributes/0', 'wrong_type']]],
    // attributes: name
    ...(['', '1a', '_a', 'a-b', 'a b', 'a.b', 'nhiệt_độ', 'A'.repeat(33), 'TimeInstant', 'ts', 'values', '__proto__'] as const).map(
      (n): [string, unknown, [string, string][]] => [`attribute name ${JSON.stringify(n)}`, with_({ attributes: [spec({ name: n })] }), [['attributes/0/name', 'bad_format']]],
    ),
    ['attribute name a number', with_({ attributes: [spec({ name: 5 })] }), [['attributes/0/name', 'bad_format']]],
    ['attribute name missing', with_({ attributes: [spec({ name: undefined })] }), [['attributes/0/name', 'bad_format']]],
    ['attribute name duplicated', with_({ attributes: [spec(), spec({ name: 'rh' }), spec()] }), [['attributes/2/name', 'duplicate']]],
    // attributes: unit
    ['unit of 33 characters', with_({ attributes: [spec({ unit: 'u'.repeat(33) })] }), [['attributes/0/unit', 'wrong_type']]],
    ['unit a number', with_({ attributes: [spec({ unit: 1 })] }), [['attributes/0/unit', 'wrong_type']]],
    ['unit missing', with_({ attributes: [spec({ unit: undefined })] }), [['attributes/0/unit', 'wrong_type']]],
    // attributes: min / max
    ...(['min', 'max'] as const).flatMap((k) =>
      ([NaN, Infinity, -Infinity, '0', null, undefined, [0], true] as unknown[]).map(
        (v): [string, unknown, [string, string][]] => [`attribute ${k} ${String(v)}`, with_({ attributes: [spec({ [k]: v })] }), [[`attributes/0/${k}`, 'wrong_type']]],
      ),
    ),
    ['attribute min = max', with_({ attributes: [spec({ min: 5, max: 5 })] }), [['attributes/0/max', 'out_of_range']]],
    ['attribute min > max', with_({ attributes: [spec({ min: 6, max: 5 })] }), [['attributes/0/max', 'out_of_range']]],
    ['attribute min = max = -0 / 0', with_({ attributes: [spec({ min: -0, max: 0 })] }), [['attributes/0/max', 'out_of_range']]],
    // attributes: periodS
    ...([0, 0.5, -1, 604801, NaN, Infinity, '60', null, undefined] as unknown[]).map(
      (v): [string, unknown, [string, string][]] => [`attribute periodS ${String(v)}`, with_({ attributes: [spec({ periodS: v })] }), [['attributes/0/periodS', 'out_of_range']]],
    ),
    // unknown fields
    ['unknown field', with_({ status: 'active' }), [['status', 'unknown_field']]],
    ['unknown field "constructor"', with_({ constructor: 'x' }), [['constructor', 'unknown_field']]],
    ['unknown field "attrs" (typo)', with_({ attrs: [] }), [['attrs', 'unknown_field']]],
    ['unknown fields keep their order', with_({ b: 1, a: 2 }), [['b', 'unknown_field'], ['a', 'unknown_field']]],
    ['unknown field "__proto__" from JSON', JSON.parse(`{"__proto__":{"isAdmin":true},${JSON.stringify(base()).slice(1)}`) as unknown, [['__proto__', 'unknown_field']]],
  ];

  for (const [label, input, expected] of cases) {
    it(label, () => {
      assert.deepEqual(errs(validateDevice(input)), expected);
      assertPrototypeClean();
    });
  }

  it('reports every problem at once, in field order', () => {
    const input = {
      id: 'bad id',
      type: 'Bad',
      name: 7,
      location: { lat: 91, lon: 'x' },
      unitCode: '',
      sector: 'nowhere',
      apikey: 'a/b',
      accessToken: 'short',
      attributes: [spec({ name: 'ts', unit: 9, min: 2, max: 1, periodS: 0 }), 'x', spec({ max: NaN })],
      extra: true,
    };
    assert.deepEqual(errs(validateDevice(input)), [
      ['id', 'bad_format'],
      ['type', 'bad_format'],
      ['name', 'wrong_type'],
      ['unitCode', 'required'],
      ['apikey', 'bad_format'],
      ['accessToken', 'bad_format'],
      ['location/lat', 'out_of_range'],
      ['location/lon', 'out_of_range'],
      ['sector', 'bad_value'],
      ['attributes/0/name', 'bad_format'],
      ['attributes/0/unit', 'wrong_type'],
      ['attributes/0/max', 'out_of_range'],
      ['attributes/0/periodS', 'out_of_range'],
      ['attributes/1', 'wrong_type'],
      ['attributes/2/max', 'wrong_type'],
      ['extra', 'unknown_field'],
    ]);
  });

  it('a JSON payload full of prototype keys neither throws nor pollutes Object.prototype', () => {
    const text =
      '{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},' +
      '"id":"x","type":"constructor","name":"n","location":{"__proto__":{"polluted":1},"lat":1,"lon":2},' +
      '"unitCode":"1","apikey":"k","sector":"__proto__","attributes":[{"__proto__":{"polluted":1},"name":"__proto__","unit":"u","min":0,"max":1,"periodS":1}]}';
    const r = validateDevice(JSON.parse(text));
    assert.deepEqual(errs(r), [
      ['sector', 'bad_value'],
      ['attributes/0/name', 'bad_format'],
      ['__proto__', 'unknown_field'],
      ['constructor', 'unknown_field'],
    ]);
    assertPrototypeClean();
  });

  it('huge strings in every field fail fast with one error each', () => {
    const h = 'z'.repeat(5_000_000);
    const started = performance.now();
    const r = validateDevice({ id: h, type: h, name: h, location: { lat: 1, lon: 1 }, unitCode: h, apikey: h, accessToken: h });
    assert.deepEqual(errs(r), [
      ['id', 'bad_format'],
      ['type', 'too_long'],
      ['name', 'too_long'],
      ['unitCode', 'too_long'],
      ['apikey', 'bad_format'],
      ['accessToken', 'bad_format'],
    ]);
    assert.ok(performance.now() - started < 2000, 'validation of huge strings stays fast');
  });
});

describe('ID_PATTERN', () => {
  const table: [string, boolean][] = [
    ['a', true],
    ['Z9', true],
    ['dn-aq:001.x_y', true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['', false],
    ['-a', false],
    ['a/b', false],
    ['a+', false],
    ['a#', false],
    ['a b', false],
    ['a\tb', false],
    ['đ', false],
  ];
  for (const [s, expected] of table) {
    it(`${JSON.stringify(s.length > 20 ? `${s.slice(0, 8)}…(${s.length})` : s)} → ${expected}`, () => assert.equal(ID_PATTERN.test(s), expected));
  }
});

describe('DEVICE_TYPES catalog', () => {
  for (const [type, info] of Object.entries(DEVICE_TYPES)) {
    it(`${type} is well-formed: its attributes pass validation when given explicitly`, () => {
      assert.ok((SECTORS as readonly string[]).includes(info.sector));
      assert.ok(info.name.vi.length > 0 && info.name.en.length > 0);
      assert.match(type, /^[a-z][a-z0-9_]*$/);
      const d = value(validateDevice(with_({ type, attributes: info.attributes })));
      assert.deepEqual(d.attributes, info.attributes);
    });
  }
});

describe('validateDevice: blank text', () => {
  it('refuses a name of only spaces as missing', () => {
    const r = validateDevice({ id: 'x-1', type: 'rain_gauge', name: '   ', location: { lat: 16, lon: 108 }, unitCode: '20233', apikey: 'k' });
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.errors.map((e) => [e.field, e.reason]), [['name', 'required']]);
  });
});
