import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Device } from './device.ts';
import {
  MAX_FUTURE_MS,
  MAX_READINGS_PER_MESSAGE,
  MIN_TS,
  REJECT_REASONS,
  decodeJson,
  parseIotAgentJson,
  parseSingleMeasure,
  parseThingsBoardTelemetry,
  primaryReason,
  toReadings,
  type MeasureGroup,
  type Reading,
} from './reading.ts';
import type { Checked } from './result.ts';
import type { FieldError } from './errors.ts';

/** Reception instant used throughout: 2026-11-25T14:00:00+07:00. Time is always a parameter. */
const NOW = Date.UTC(2026, 10, 25, 7, 0, 0);

const device: Device = {
  id: 'dn-aq-001',
  type: 'air_quality',
  name: 'Trạm Hải Châu',
  location: { lat: 16.05, lon: 108.2 },
  unitCode: '490',
  sector: 'environment',
  apikey: 'danang-env',
  attributes: [
    { name: 'pm25', unit: 'µg/m³', min: 0, max: 1000, periodS: 60 },
    { name: 'pm10', unit: 'µg/m³', min: 0, max: 2000, periodS: 60 },
    { name: 'level', unit: 'm', min: -5, max: 20, periodS: 300 },
  ],
};

function errs(r: Checked<unknown>): [string, string][] {
  if (r.ok) assert.fail(`expected a failure, got ${JSON.stringify(r.value)}`);
  for (const e of r.errors) assert.ok(e.message.length > 0, 'every error has a message');
  return r.errors.map((e) => [e.field, e.reason]);
}
function value<T>(r: Checked<T>): T {
  if (!r.ok) assert.fail(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.value;
}
const json = (text: string): unknown => value(decodeJson(text));
function assertPrototypeClean(): void {
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'ts', 'values', 'pm25', 'isAdmin']) assert.equal(probe[k], undefined, `Object.prototype.${k} polluted`);
}
const reading = (attr: string, v: number, ts = NOW): Reading => ({ deviceId: device.id, attr, ts, value: v });

describe('constants', () => {
  it('MAX_FUTURE_MS is 5 minutes, MIN_TS is 2000-01-01T00:00:00Z', () => {
    assert.equal(MAX_FUTURE_MS, 300_000);
    assert.equal(MIN_TS, 946_684_800_000);
    assert.equal(new Date(MIN_TS).toISOString(), '2000-01-01T00:00:00.000Z');
    assert.equal(MAX_READINGS_PER_MESSAGE, 10_000);
  });
});

describe('decodeJson', () => {
  const good: [string, unknown][] = [
    ['{"pm25": 12}', { pm25: 12 }],
    ['[1, 2]', [1, 2]],
    ['23.5', 23.5],
    ['"x"', 'x'],
    ['null', null],
    ['true', true],
    ['  {"a":1}\n', { a: 1 }],
    ['-0', -0],
    ['1e400', Infinity],
    ['-1e400', -Infinity],
    ['{"a":1,"a":2}', { a: 2 }],
  ];
  for (const [text, expected] of good) {
    it(`decodes ${JSON.stringify(text)}`, () => assert.deepEqual(json(text), expected));
  }
  const bad = ['', ' ', '{', '{"a":1,}', "{'a':1}", 'NaN', 'Infinity', 'undefined', 'abc', '{"a":01}', '[1,]', '\u0000', '{"a":1}}'];
  for (const text of bad) {
    it(`refuses ${JSON.stringify(text)} as malformed_json at the root`, () => {
      assert.deepEqual(errs(decodeJson(text)), [['', 'malformed_json']]);
    });
  }
  it('a "__proto__" key becomes an own property, Object.prototype stays clean', () => {
    const v = json('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}') as Record<string, unknown>;
    assert.ok(Object.hasOwn(v, '__proto__'));
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assertPrototypeClean();
  });
  it('decodes deeply nested and large payloads without throwing', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    assert.equal(decodeJson(deep).ok, true);
    const big = JSON.stringify(Array.from({ length: 50_000 }, (_, i) => ({ pm25: i % 1000 })));
    assert.equal((json(big) as unknown[]).length, 50_000);
  });
});

describe('parseIotAgentJson', () => {
  it('a flat object is one group at the root, without timestamp', () => {
    assert.deepEqual(value(parseIotAgentJson({ pm25: 12, pm10: 30 })), [{ values: { pm25: 12, pm10: 30 }, at: '' }]);
  });

  it('an array is one group per item, at its index (multi-measure)', () => {
    const groups = value(parseIotAgentJson([{ pm25: 1 }, { pm25: 2, TimeInstant: '2026-11-25T13:59:00+07:00' }]));
    assert.deepEqual(groups, [
      { values: { pm25: 1 }, at: '0' },
      { values: { pm25: 2 }, at: '1', ts: Date.UTC(2026, 10, 25, 6, 59), tsAt: '1/TimeInstant' },
    ]);
  });

  it('TimeInstant is taken out of the values', () => {
    const [g] = value(parseIotAgentJson({ TimeInstant: '2026-11-25T07:00:00Z', pm25: 5 }));
    assert.deepEqual(g, { values: { pm25: 5 }, at: '', ts: NOW, tsAt: 'TimeInstant' });
  });

  it('an object with only TimeInstant is a group with no values (refused later as empty)', () => {
    const groups = value(parseIotAgentJson({ TimeInstant: '2026-11-25T07:00:00Z' }));
    assert.deepEqual(groups, [{ values: {}, at: '', ts: NOW, tsAt: 'TimeInstant' }]);
    assert.deepEqual(errs(toReadings(device, groups, NOW)), [['', 'empty']]);
  });

  describe('TimeInstant accepted (with an offset)', () => {
    const table: [string, number][] = [
      ['2026-11-25T07:00:00Z', NOW],
      ['2026-11-25T14:00:00+07:00', NOW],
      ['2026-11-25T14:00:00+0700', NOW],
      ['2026-11-25T03:30:00-03:30', NOW],
      ['2026-11-25T07:00:00-00:00', NOW],
      ['2026-11-25T07:00:00+00:00', NOW],
      ['2026-11-25T14:00+07:00', NOW],
      ['2026-11-25T07:00Z', NOW],
      ['2026-11-25T14:00:00.250+07:00', NOW + 250],
      ['2026-11-25T07:00:00.5Z', NOW + 500],
      ['2026-11-25T07:00:00.123456789Z', NOW + 123],
      ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
      ['2026-12-31T23:59:59Z', Date.UTC(2026, 11, 31, 23, 59, 59)],
      ['2026-01-01T00:00:00+07:00', Date.UTC(2025, 11, 31, 17)],
    ];
    for (const [ti, ms] of table) {
      it(`${ti} → ${new Date(ms).toISOString()}`, () => {
        const [g] = value(parseIotAgentJson({ TimeInstant: ti, pm25: 1 }));
        assert.equal(g!.ts, ms);
      });
    }
  });

  describe('TimeInstant refused as bad_timestamp', () => {
    const table: [string, unknown][] = [
      ['without offset', '2026-11-25T14:00:00'],
      ['without offset, with fraction', '2026-11-25T14:00:00.000'],
      ['date only', '2026-11-25'],
      ['space instead of T', '2026-11-25 14:00:00+07:00'],
      ['lower-case z', '2026-11-25T07:00:00z'],
      ['offset with seconds', '2026-11-25T14:00:00+07:00:00'],
      ['named zone', '2026-11-25T14:00:00 ICT'],
      ['RFC 2822', 'Wed, 25 Nov 2026 07:00:00 GMT'],
      ['trailing space', '2026-11-25T07:00:00Z '],
      ['leading space', ' 2026-11-25T07:00:00Z'],
      ['more than 9 fraction digits', '2026-11-25T07:00:00.1234567890Z'],
      ['month 13', '2026-13-01T00:00:00Z'],
      ['month 00', '2026-00-10T00:00:00Z'],
      ['day 00', '2026-11-00T00:00:00Z'],
      ['day 32', '2026-01-32T00:00:00Z'],
      ['30 February', '2026-02-30T00:00:00Z'],
      ['29 February of a common year', '2026-02-29T00:00:00+07:00'],
      ['31 April', '2026-04-31T12:00:00Z'],
      ['31 November', '2026-11-31T12:00:00+07:00'],
      ['hour 25', '2026-11-25T25:00:00Z'],
      ['minute 60', '2026-11-25T23:60:00Z'],
      ['second 60', '2026-11-25T14:00:60Z'],
      ['offset +25:00', '2026-11-25T14:00:00+25:00'],
      ['offset minutes 60', '2026-11-25T14:00:00+07:60'],
      ['empty string', ''],
      ['garbage', 'yesterday'],
      ['XSS', '<script>alert(1)</script>'],
      ['epoch milliseconds as a number', NOW],
      ['epoch milliseconds as a string', String(NOW)],
      ['null', null],
      ['boolean', true],
      ['object', { $date: '2026-11-25T07:00:00Z' }],
      ['array', ['2026-11-25T07:00:00Z']],
      ['huge string', '2026-11-25T07:00:00Z'.repeat(100_000)],
    ];
    for (const [label, ti] of table) {
      it(label, () => {
        assert.deepEqual(errs(parseIotAgentJson({ TimeInstant: ti, pm25: 1 })), [['TimeInstant', 'bad_timestamp']]);
        assert.deepEqual(errs(parseIotAgentJson([{ pm25: 1 }, { TimeInstant: ti, pm25: 1 }])), [['1/TimeInstant', 'bad_timestamp']]);
      });
    }
  });

  describe('payload shape errors', () => {
    const table: [string, unknown, [string, string][]][] = [
      ['null', null, [['', 'wrong_type']]],
      ['undefined', undefined, [['', 'wrong_type']]],
      ['a number', 23.5, [['', 'wrong_type']]],
      ['a string', 'pm25=12', [['', 'wrong_type']]],
      ['a boolean', false, [['', 'wrong_type']]],
      ['an empty array', [], [['', 'empty']]],
      ['an array of non-objects', [1, 'x', null, [], { pm25: 1 }], [['0', 'wrong_type'], ['1', 'wrong_type'], ['2', 'wrong_type'], ['3', 'wrong_type']]],
      ['a nested array', [[{ pm25: 1 }]], [['0', 'wrong_type']]],
      ['every bad item and bad TimeInstant is reported', [{ TimeInstant: 'x' }, null, { TimeInstant: 1 }], [['0/TimeInstant', 'bad_timestamp'], ['1', 'wrong_type'], ['2/TimeInstant', 'bad_timestamp']]],
    ];
    for (const [label, body, expected] of table) it(label, () => assert.deepEqual(errs(parseIotAgentJson(body)), expected));
  });

  it('prototype keys in a payload become ordinary (unknown) attributes', () => {
    const body = json('{"__proto__": {"polluted": 1}, "constructor": 5, "pm25": 1}');
    const groups = value(parseIotAgentJson(body));
    assert.ok(Object.hasOwn(groups[0]!.values, '__proto__'));
    assert.deepEqual(errs(toReadings(device, groups, NOW)), [['__proto__', 'unknown_attribute'], ['constructor', 'unknown_attribute']]);
    assertPrototypeClean();
  });

  it('a TimeInstant key inherited through "__proto__" is ignored', () => {
    const groups = value(parseIotAgentJson(json('{"__proto__": {"TimeInstant": "2000-01-01T00:00:00Z"}, "pm25": 1}')));
    assert.equal(groups[0]!.ts, undefined);
    assertPrototypeClean();
  });
});

describe('parseSingleMeasure (bare value payloads)', () => {
  const parsedOk: [string, unknown][] = [
    ['23.5', 23.5],
    ['  23.5\r\n', 23.5],
    ['0', 0],
    ['-0', -0],
    ['-12', -12],
    ['1e3', 1000],
    ['1e400', Infinity],
    ['abc', 'abc'],
    ['23,5', '23,5'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['0x10', '0x10'],
    ['true', true],
    ['null', null],
    ['"23.5"', '23.5'],
    ['[23.5]', [23.5]],
    ['{"pm25":1}', { pm25: 1 }],
    ['<script>alert(1)</script>', '<script>alert(1)</script>'],
  ];
  for (const [text, v] of parsedOk) {
    it(`${JSON.stringify(text)} → values.pm25 = ${JSON.stringify(v)}`, () => {
      const groups = value(parseSingleMeasure('pm25', text));
      assert.equal(groups.length, 1);
      assert.equal(groups[0]!.at, '');
      assert.equal(groups[0]!.ts, undefined);
      assert.deepEqual(groups[0]!.values, { pm25: v });
    });
  }
  for (const text of ['', ' ', '\n', '\t\r\n ']) {
    it(`${JSON.stringify(text)} is empty, reported at the attribute`, () => {
      assert.deepEqual(errs(parseSingleMeasure('pm25', text)), [['pm25', 'empty']]);
    });
  }

  const outcome: [string, [string, string][] | number][] = [
    ['23.5', 23.5],
    ['-0', 0],
    ['1000', 1000],
    ['abc', [['pm25', 'wrong_type']]],
    ['true', [['pm25', 'wrong_type']]],
    ['null', [['pm25', 'wrong_type']]],
    ['"23.5"', [['pm25', 'wrong_type']]],
    ['[23.5]', [['pm25', 'wrong_type']]],
    ['NaN', [['pm25', 'wrong_type']]],
    ['1e400', [['pm25', 'not_finite']]],
    ['-1e400', [['pm25', 'not_finite']]],
    ['1000.01', [['pm25', 'out_of_range']]],
    ['-1', [['pm25', 'out_of_range']]],
  ];
  for (const [text, expected] of outcome) {
    it(`${JSON.stringify(text)} through toReadings → ${JSON.stringify(expected)}`, () => {
      const r = toReadings(device, value(parseSingleMeasure('pm25', text)), NOW);
      if (typeof expected === 'number') {
        const [only, ...rest] = value(r);
        assert.equal(rest.length, 0);
        assert.ok(only!.value === expected && only!.ts === NOW && only!.attr === 'pm25');
      } else assert.deepEqual(errs(r), expected);
    });
  }

  for (const attr of ['__proto__', 'constructor', 'toString', 'temperature']) {
    it(`attribute ${attr} from the topic is an own key and an unknown attribute`, () => {
      const groups = value(parseSingleMeasure(attr, '1'));
      assert.ok(Object.hasOwn(groups[0]!.values, attr));
      assert.equal(Object.getPrototypeOf(groups[0]!.values), Object.prototype);
      assert.deepEqual(errs(toReadings(device, groups, NOW)), [[attr, 'unknown_attribute']]);
      assertPrototypeClean();
    });
  }
});

describe('parseThingsBoardTelemetry', () => {
  const ts = NOW - 60_000;
  it('flat {key: value} is one group at the root, no timestamp', () => {
    assert.deepEqual(value(parseThingsBoardTelemetry({ pm25: 1, pm10: 2 })), [{ values: { pm25: 1, pm10: 2 }, at: '' }]);
  });
  it('{ts, values} carries the timestamp; values are at "values", the timestamp at "ts"', () => {
    assert.deepEqual(value(parseThingsBoardTelemetry({ ts, values: { pm25: 1 } })), [{ ts, values: { pm25: 1 }, at: 'values', tsAt: 'ts' }]);
  });
  it('an array mixing both formats', () => {
    assert.deepEqual(value(parseThingsBoardTelemetry([{ ts, values: { pm25: 1 } }, { pm10: 2 }, { ts: ts + 1, values: {} }])), [
      { ts, values: { pm25: 1 }, at: '0/values', tsAt: '0/ts' },
      { values: { pm10: 2 }, at: '1' },
      { ts: ts + 1, values: {}, at: '2/values', tsAt: '2/ts' },
    ]);
  });
  it('{ts} without values is flat: ts is then an unknown attribute', () => {
    const groups = value(parseThingsBoardTelemetry({ ts, pm25: 1 }));
    assert.deepEqual(groups, [{ values: { ts, pm25: 1 }, at: '' }]);
    assert.deepEqual(errs(toReadings(device, groups, NOW)), [['ts', 'unknown_attribute']]);
  });
  it('{values} without ts is flat: values is then an unknown attribute', () => {
    const groups = value(parseThingsBoardTelemetry({ values: { pm25: 1 } }));
    assert.deepEqual(errs(toReadings(device, groups, NOW)), [['values', 'unknown_attribute']]);
  });
  it('extra keys beside ts and values are ignored', () => {
    assert.deepEqual(value(parseThingsBoardTelemetry({ ts, values: { pm25: 1 }, deviceName: 'x' })), [{ ts, values: { pm25: 1 }, at: 'values', tsAt: 'ts' }]);
  });

  describe('bad ts', () => {
    const table: [string, unknown][] = [
      ['a numeric string', String(ts)],
      ['an ISO string', '2026-11-25T07:00:00Z'],
      ['a fraction', ts + 0.5],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
      ['null', null],
      ['a boolean', true],
      ['an object', { ms: ts }],
      ['an array', [ts]],
    ];
    for (const [label, bad] of table) {
      it(label, () => {
        assert.deepEqual(errs(parseThingsBoardTelemetry({ ts: bad, values: { pm25: 1 } })), [['ts', 'bad_timestamp']]);
        assert.deepEqual(errs(parseThingsBoardTelemetry([{ pm25: 1 }, { ts: bad, values: { pm25: 1 } }])), [['1/ts', 'bad_timestamp']]);
      });
    }
    it('1e400 in JSON text (Infinity)', () => {
      assert.deepEqual(errs(parseThingsBoardTelemetry(json('{"ts": 1e400, "values": {"pm25": 1}}'))), [['ts', 'bad_timestamp']]);
    });
    it('ts in seconds, 0 and negative parse, then fail as before 2000 at "ts"', () => {
      for (const t of [Math.floor(NOW / 1000), 0, -1, -NOW]) {
        const groups = value(parseThingsBoardTelemetry({ ts: t, values: { pm25: 1 } }));
        assert.deepEqual(errs(toReadings(device, groups, NOW)), [['ts', 'bad_timestamp']]);
      }
    });
    it('a bad ts is reported before a bad values (one error per item)', () => {
      assert.deepEqual(errs(parseThingsBoardTelemetry({ ts: 'x', values: 5 })), [['ts', 'bad_timestamp']]);
    });
  });

  describe('payload shape errors', () => {
    const table: [string, unknown, [string, string][]][] = [
      ['null', null, [['', 'wrong_type']]],
      ['a number', 1, [['', 'wrong_type']]],
      ['a string', '{"pm25":1}', [['', 'wrong_type']]],
      ['an empty array', [], [['', 'empty']]],
      ['non-objects in an array', [null, { pm25: 1 }, 7, []], [['0', 'wrong_type'], ['2', 'wrong_type'], ['3', 'wrong_type']]],
      ['values an array', { ts, values: [1, 2] }, [['values', 'wrong_type']]],
      ['values null', { ts, values: null }, [['values', 'wrong_type']]],
      ['values a number', { ts, values: 23.5 }, [['values', 'wrong_type']]],
      ['values a string', { ts, values: '{"pm25":1}' }, [['values', 'wrong_type']]],
      ['values wrong inside an array', [{ ts, values: {} }, { ts, values: 'x' }], [['1/values', 'wrong_type']]],
      ['every item reported', [{ ts: 'a', values: {} }, 1, { ts, values: [] }], [['0/ts', 'bad_timestamp'], ['1', 'wrong_type'], ['2/values', 'wrong_type']]],
    ];
    for (const [label, body, expected] of table) it(label, () => assert.deepEqual(errs(parseThingsBoardTelemetry(body)), expected));
  });

  it('prototype keys neither switch the format nor pollute', () => {
    const body = json('{"__proto__": {"ts": 1, "values": {"pm25": 1}, "polluted": 1}, "pm25": 3}');
    const groups = value(parseThingsBoardTelemetry(body));
    assert.equal(groups[0]!.ts, undefined);
    assert.equal(groups[0]!.at, '');
    assert.deepEqual(errs(toReadings(device, groups, NOW)), [['__proto__', 'unknown_attribute']]);
    const nested = value(parseThingsBoardTelemetry(json(`{"ts": ${ts}, "values": {"constructor": {"prototype": {"polluted": 1}}, "__proto__": 1}}`)));
    assert.deepEqual(errs(toReadings(device, nested, NOW)), [['values/constructor', 'unknown_attribute'], ['values/__proto__', 'unknown_attribute']]);
    assertPrototypeClean();
  });
});

describe('toReadings', () => {
  const g = (values: Record<string, unknown>, extra: Partial<MeasureGroup> = {}): MeasureGroup => ({ values, at: '', ...extra });

  it('turns each value into a reading at the reception instant when the payload has none', () => {
    assert.deepEqual(value(toReadings(device, [g({ pm25: 12, pm10: 30.5 })], NOW)), [reading('pm25', 12), reading('pm10', 30.5)]);
  });
  it('uses the explicit timestamp of each group', () => {
    const groups = [g({ pm25: 1 }, { ts: NOW - 120_000 }), g({ pm25: 2 }, { ts: NOW - 60_000 }), g({ pm25: 3 })];
    assert.deepEqual(value(toReadings(device, groups, NOW)), [reading('pm25', 1, NOW - 120_000), reading('pm25', 2, NOW - 60_000), reading('pm25', 3, NOW)]);
  });
  it('the reception instant is the now parameter, never the clock', () => {
    const past = Date.UTC(2001, 0, 1);
    assert.deepEqual(value(toReadings(device, [g({ pm25: 1 })], past)), [reading('pm25', 1, past)]);
  });
  it('an empty list of groups gives no readings', () => {
    assert.deepEqual(value(toReadings(device, [], NOW)), []);
  });

  describe('physical range, inclusive bounds', () => {
    const table: [string, number, boolean][] = [
      ['pm25', 0, true],
      ['pm25', -0, true],
      ['pm25', 1000, true],
      ['pm25', 999.999, true],
      ['pm25', Number.MIN_VALUE, true],
      ['pm25', 1000.0000001, false],
      ['pm25', -0.0000001, false],
      ['pm25', -1, false],
      ['pm25', Number.MAX_VALUE, false],
      ['pm10', 2000, true],
      ['pm10', 2001, false],
      ['level', -5, true],
      ['level', 20, true],
      ['level', 0, true],
      ['level', -5.0001, false],
      ['level', 20.0001, false],
      ['level', -Number.MAX_VALUE, false],
    ];
    for (const [attr, v, accepted] of table) {
      it(`${attr} = ${Object.is(v, -0) ? '-0' : v} → ${accepted ? 'accepted' : 'out_of_range'}`, () => {
        const r = toReadings(device, [g({ [attr]: v })], NOW);
        if (accepted) {
          const [only] = value(r);
          assert.ok(only!.value === v, 'value kept');
        } else assert.deepEqual(errs(r), [[attr, 'out_of_range']]);
      });
    }
  });

  describe('value types', () => {
    const table: [string, unknown, string][] = [
      ['numeric string', '12', 'wrong_type'],
      ['empty string', '', 'wrong_type'],
      ['null', null, 'wrong_type'],
      ['undefined', undefined, 'wrong_type'],
      ['true', true, 'wrong_type'],
      ['array', [12], 'wrong_type'],
      ['object', { value: 12 }, 'wrong_type'],
      ['bigint', 12n, 'wrong_type'],
      ['Number object', Object(12), 'wrong_type'],
      ['SQL injection', "1; DROP TABLE readings", 'wrong_type'],
      ['NaN', NaN, 'not_finite'],
      ['Infinity', Infinity, 'not_finite'],
      ['-Infinity', -Infinity, 'not_finite'],
    ];
    for (const [label, v, reason] of table) {
      it(`${label} → ${reason}`, () => assert.deepEqual(errs(toReadings(device, [g({ pm25: v })], NOW)), [['pm25', reason]]));
    }
  });

  describe('attributes the device does not declare', () => {
    for (const key of ['temperature', 'PM25', 'pm25 ', 'TimeInstant', 'ts', 'values', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      it(`${JSON.stringify(key)} → unknown_attribute, whatever the value`, () => {
        const values = JSON.parse(`{${JSON.stringify(key)}: "not even a number"}`) as Record<string, unknown>;
        assert.deepEqual(errs(toReadings(device, [g(values)], NOW)), [[key, 'unknown_attribute']]);
        assertPrototypeClean();
      });
    }
    it('a declared attribute named like a prototype member works as any other', () => {
      const odd: Device = { ...device, attributes: [{ name: 'constructor', unit: '', min: 0, max: 1, periodS: 60 }] };
      assert.deepEqual(value(toReadings(odd, [g({ constructor: 1 })], NOW)), [{ deviceId: device.id, attr: 'constructor', ts: NOW, value: 1 }]);
      assert.deepEqual(errs(toReadings(odd, [g({ toString: 1 })], NOW)), [['toString', 'unknown_attribute']]);
    });
  });

  describe('timestamps: 5-minute future limit and 2000-01-01 floor', () => {
    const table: [string, number, [string, string][] | null][] = [
      ['exactly now', NOW, null],
      ['one year ago', NOW - 365 * 86_400_000, null],
      ['exactly 5 minutes ahead', NOW + MAX_FUTURE_MS, null],
      ['5 minutes and 1 ms ahead', NOW + MAX_FUTURE_MS + 1, [['ts', 'future_timestamp']]],
      ['one day ahead', NOW + 86_400_000, [['ts', 'future_timestamp']]],
      ['the largest Date', 8.64e15, [['ts', 'future_timestamp']]],
      ['exactly 2000-01-01', MIN_TS, null],
      ['1 ms before 2000-01-01', MIN_TS - 1, [['ts', 'bad_timestamp']]],
      ['epoch 0', 0, [['ts', 'bad_timestamp']]],
      ['negative', -1, [['ts', 'bad_timestamp']]],
    ];
    for (const [label, ts, expected] of table) {
      it(label, () => {
        const r = toReadings(device, [g({ pm25: 1 }, { ts })], NOW);
        if (expected === null) assert.deepEqual(value(r), [reading('pm25', 1, ts)]);
        else assert.deepEqual(errs(r), expected);
      });
    }

    const atLimit = '2026-11-25T14:05:00+07:00';
    const pastLimit = '2026-11-25T14:05:00.001+07:00';
    it('IoT Agent TimeInstant exactly at the limit is accepted, 1 ms past is refused at TimeInstant', () => {
      assert.deepEqual(value(toReadings(device, value(parseIotAgentJson({ TimeInstant: atLimit, pm25: 1 })), NOW)), [reading('pm25', 1, NOW + MAX_FUTURE_MS)]);
      assert.deepEqual(errs(toReadings(device, value(parseIotAgentJson({ TimeInstant: pastLimit, pm25: 1 })), NOW)), [['TimeInstant', 'future_timestamp']]);
      assert.deepEqual(errs(toReadings(device, value(parseIotAgentJson([{ pm25: 1 }, { TimeInstant: pastLimit, pm25: 1 }])), NOW)), [['1/TimeInstant', 'future_timestamp']]);
      assert.deepEqual(errs(toReadings(device, value(parseIotAgentJson({ TimeInstant: '1999-12-31T23:59:59Z', pm25: 1 })), NOW)), [['TimeInstant', 'bad_timestamp']]);
    });
    it('ThingsBoard ts exactly at the limit is accepted, 1 ms past is refused at ts', () => {
      assert.deepEqual(value(toReadings(device, value(parseThingsBoardTelemetry({ ts: NOW + MAX_FUTURE_MS, values: { pm25: 1 } })), NOW)), [reading('pm25', 1, NOW + MAX_FUTURE_MS)]);
      assert.deepEqual(errs(toReadings(device, value(parseThingsBoardTelemetry({ ts: NOW + MAX_FUTURE_MS + 1, values: { pm25: 1 } })), NOW)), [['ts', 'future_timestamp']]);
      assert.deepEqual(errs(toReadings(device, value(parseThingsBoardTelemetry([{ pm25: 1 }, { ts: NOW + MAX_FUTURE_MS + 1, values: { pm25: 1 } }])), NOW)), [['1/ts', 'future_timestamp']]);
    });
    it('a group with a bad timestamp reports only the timestamp, not its values', () => {
      assert.deepEqual(errs(toReadings(device, [g({ pm25: 'x', nope: 1 }, { ts: NOW + MAX_FUTURE_MS + 1 })], NOW)), [['ts', 'future_timestamp']]);
    });
    it('a group built by hand without tsAt reports at <at>/ts', () => {
      assert.deepEqual(errs(toReadings(device, [g({ pm25: 1 }, { at: '3', ts: 0 })], NOW)), [['3/ts', 'bad_timestamp']]);
    });
  });

  describe('field paths', () => {
    it('prefix the group path', () => {
      const groups: MeasureGroup[] = [g({ pm25: -1 }, { at: '0' }), g({ pm25: 'x' }, { at: '1/values' }), g({ nope: 1 }, { at: 'values' })];
      assert.deepEqual(errs(toReadings(device, groups, NOW)), [['0/pm25', 'out_of_range'], ['1/values/pm25', 'wrong_type'], ['values/nope', 'unknown_attribute']]);
    });
    it('an empty group is reported at the group path', () => {
      assert.deepEqual(errs(toReadings(device, [g({}), g({}, { at: '1' }), g({}, { at: '2/values' })], NOW)), [['', 'empty'], ['1', 'empty'], ['2/values', 'empty']]);
    });
  });

  describe('all or nothing', () => {
    it('one bad value among good ones refuses the whole message, listing every problem', () => {
      const groups = value(parseIotAgentJson([{ pm25: 10, pm10: 20 }, { pm25: 1001, pm10: 20, temp: 30 }, { pm25: 'x' }]));
      const r = toReadings(device, groups, NOW);
      assert.equal(r.ok, false);
      assert.equal('value' in r, false);
      assert.deepEqual(errs(r), [['1/pm25', 'out_of_range'], ['1/temp', 'unknown_attribute'], ['2/pm25', 'wrong_type']]);
    });
    it('one future group refuses the others', () => {
      const groups = value(parseThingsBoardTelemetry([{ pm25: 1 }, { ts: NOW + 3_600_000, values: { pm25: 2 } }]));
      assert.deepEqual(errs(toReadings(device, groups, NOW)), [['1/ts', 'future_timestamp']]);
    });
  });

  describe('message size', () => {
    const one: Device = { ...device, attributes: [{ name: 'v', unit: '', min: 0, max: 1e9, periodS: 60 }] };
    it(`${MAX_READINGS_PER_MESSAGE} readings are accepted`, () => {
      const groups = Array.from({ length: MAX_READINGS_PER_MESSAGE }, (_, i) => g({ v: i }, { at: String(i), ts: NOW - i }));
      assert.equal(value(toReadings(one, groups, NOW)).length, MAX_READINGS_PER_MESSAGE);
    });
    it(`${MAX_READINGS_PER_MESSAGE + 1} readings are too_many (one error, not thousands)`, () => {
      const groups = Array.from({ length: MAX_READINGS_PER_MESSAGE + 1 }, (_, i) => g({ v: i }, { at: String(i) }));
      assert.deepEqual(errs(toReadings(one, groups, NOW)), [['', 'too_many']]);
    });
    it('values with errors count too', () => {
      const groups = Array.from({ length: MAX_READINGS_PER_MESSAGE + 1 }, (_, i) => g({ v: i % 2 ? -1 : 1 }, { at: String(i) }));
      assert.deepEqual(errs(toReadings(one, groups, NOW)), [['', 'too_many']]);
    });
    it('one object with very many keys', () => {
      const values = Object.fromEntries(Array.from({ length: MAX_READINGS_PER_MESSAGE + 1 }, (_, i) => [`k${i}`, 1]));
      assert.deepEqual(errs(toReadings(one, [g(values)], NOW)), [['', 'too_many']]);
    });
  });

  it('end to end from raw text', () => {
    const text = '[{"pm25": 12, "TimeInstant": "2026-11-25T13:58:00+07:00"}, {"pm25": 13}]';
    const d = decodeJson(text);
    const groups = value(parseIotAgentJson(value(d)));
    assert.deepEqual(value(toReadings(device, groups, NOW)), [reading('pm25', 12, NOW - 120_000), reading('pm25', 13, NOW)]);
  });
});

describe('primaryReason', () => {
  const e = (reason: string): FieldError => ({ field: 'x', reason, message: 'm' });
  for (const reason of REJECT_REASONS) {
    it(`${reason} → ${reason}`, () => assert.equal(primaryReason([e(reason), e('too_many')]), reason));
  }
  const fallbacks: [string, FieldError[]][] = [
    ['no errors', []],
    ['an unknown reason', [e('required')]],
    ['an unknown first reason even if a later one is known', [e('bad_format'), e('out_of_range')]],
    ['"__proto__"', [e('__proto__')]],
    ['"constructor"', [e('constructor')]],
    ['empty reason', [e('')]],
  ];
  for (const [label, errors] of fallbacks) it(`${label} → wrong_type`, () => assert.equal(primaryReason(errors), 'wrong_type'));
  it('uses the first error, not the most frequent', () => {
    assert.equal(primaryReason([e('future_timestamp'), e('out_of_range'), e('out_of_range')]), 'future_timestamp');
  });
});
