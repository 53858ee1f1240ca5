import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Checked } from './result.ts';
import {
  MAX_CONDITIONS,
  MAX_DEPTH,
  MAX_WINDOW_MINUTES,
  RULE_ID_PATTERN,
  SEVERITIES,
  isComposite,
  isUpward,
  leavesOf,
  lookbackMinutes,
  passes,
  severityFor,
  severityRank,
  validateRule,
  type Condition,
  type RuleDefinition,
} from './rule.ts';

type Raw = Record<string, unknown>;

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

const threshold = (over: Raw = {}): Raw => ({ kind: 'threshold', attr: 'level', op: '>', raise: 3, clear: 2.5, ...over });
/** A valid rule body as the API would carry it: river level above alarm 3 (BĐ3) on river-level stations. */
const base = (over: Raw = {}): Raw => ({
  id: 'river-level-bd3',
  name: { vi: 'Mực nước vượt BĐ3', en: 'River level above alarm 3' },
  unitCode: '48',
  sector: 'environment',
  deviceType: 'river_level',
  per: 'device',
  condition: threshold(),
  severity: 'major',
  ...over,
});
const without = (key: string): Raw => {
  const o = base();
  delete o[key];
  return o;
};
/** A rule whose condition is `c` (everything else valid). */
const withCondition = (c: unknown): Raw => base({ condition: c });
const conditionErrors = (c: unknown): [string, string][] => errs(validateRule(withCondition(c)));
const okCondition = (c: unknown): Condition => value(validateRule(withCondition(c))).condition;

describe('validateRule: the rule as a whole', () => {
  it('accepts a valid rule and fills the defaults', () => {
    const r = value(validateRule(without('per')));
    assert.equal(r.id, 'river-level-bd3');
    assert.equal(r.per, 'device');
    assert.equal(r.route, 'area');
    assert.equal(r.reopenMinutes, 30);
    assert.equal(r.enabled, true);
    assert.equal(r.sector, 'environment');
    assert.deepEqual(r.condition, threshold());
    assert.equal('severitySteps' in r, false);
    assert.equal('description' in r, false);
    assert.equal('devices' in r, false);
  });

  it('keeps the optional fields it was given', () => {
    const r = value(
      validateRule(
        base({
          description: { vi: 'Mô tả', en: 'Description' },
          route: 'sector',
          reopenMinutes: 0,
          enabled: false,
          per: 'area',
        }),
      ),
    );
    assert.deepEqual(r.description, { vi: 'Mô tả', en: 'Description' });
    assert.equal(r.route, 'sector');
    assert.equal(r.reopenMinutes, 0);
    assert.equal(r.enabled, false);
    assert.equal(r.per, 'area');
  });

  it('treats an absent id as allowed (created rules get one from the server)', () => {
    const r = value(validateRule(without('id')));
    assert.equal('id' in r, false);
  });

  it('maps an absent or null sector to null (every sector)', () => {
    assert.equal(value(validateRule(without('sector'))).sector, null);
    assert.equal(value(validateRule(base({ sector: null }))).sector, null);
  });

  it('refuses a body that is not an object', () => {
    for (const v of [null, undefined, 42, 'rule', [], [base()]]) assert.deepEqual(errs(validateRule(v)), [['', 'wrong_type']]);
  });

  it('refuses unknown fields, including prototype-looking keys', () => {
    assert.deepEqual(errs(validateRule(base({ colour: 'red' }))), [['colour', 'unknown_field']]);
    const proto = JSON.parse(`{"__proto__": {"enabled": false}, ${JSON.stringify(base()).slice(1)}`) as unknown;
    assert.deepEqual(errs(validateRule(proto)), [['__proto__', 'unknown_field']]);
  });

  it('requires name, unitCode, condition and severity', () => {
    for (const [key, field] of [
      ['name', 'name'],
      ['unitCode', 'unitCode'],
      ['condition', 'condition'],
      ['severity', 'severity'],
    ] as const) {
      assert.deepEqual(errs(validateRule(without(key))), [[field, 'required']], key);
    }
  });

  it('checks the bilingual name and description', () => {
    assert.deepEqual(errs(validateRule(base({ name: 'Mực nước' }))), [['name', 'wrong_type']]);
    assert.deepEqual(errs(validateRule(base({ name: { vi: 'Mực nước' } }))), [['name/en', 'required']]);
    assert.deepEqual(errs(validateRule(base({ name: { vi: 'x'.repeat(201), en: 'x' } }))), [['name/vi', 'too_long']]);
    assert.deepEqual(errs(validateRule(base({ description: { vi: 'x', en: 'x'.repeat(2001) } }))), [['description/en', 'too_long']]);
    assert.deepEqual(errs(validateRule(base({ description: { vi: 'x', en: 'y', fr: 'z' } }))), [['description/fr', 'unknown_field']]);
  });

  it('refuses ids that are not lowercase slugs (path, SQL, markup and control characters)', () => {
    for (const id of ['../etc/passwd', 'a/b', "x'; DROP TABLE rules; --", '<script>', 'Rule-1', '-leading', '.hidden', 'a b', 'abc\n', '\u0000', 'x'.repeat(65)]) {
      const e = errs(validateRule(base({ id })));
      assert.equal(e.length, 1, id);
      assert.equal(e[0]![0], 'id', id);
      assert.ok(['bad_format', 'too_long'].includes(e[0]![1]), id);
    }
    assert.deepEqual(errs(validateRule(base({ id: 7 }))), [['id', 'wrong_type']]);
    for (const id of ['a', 'rain.3h-50mm', '0_x', 'x'.repeat(64)]) assert.equal(value(validateRule(base({ id }))).id, id);
    assert.ok(RULE_ID_PATTERN.test('river-level-bd3'));
  });

  it('refuses a unitCode that is not a unit code', () => {
    assert.deepEqual(errs(validateRule(base({ unitCode: '48/../49' }))), [['unitCode', 'bad_format']]);
    assert.deepEqual(errs(validateRule(base({ unitCode: 48 }))), [['unitCode', 'wrong_type']]);
    assert.deepEqual(errs(validateRule(base({ unitCode: '  ' }))), [['unitCode', 'required']]);
  });

  it('refuses unknown sectors, severities, routes and subjects', () => {
    assert.deepEqual(errs(validateRule(base({ sector: 'army' }))), [['sector', 'bad_value']]);
    assert.deepEqual(errs(validateRule(base({ severity: 'catastrophic' }))), [['severity', 'bad_value']]);
    assert.deepEqual(errs(validateRule(base({ severity: 3 }))), [['severity', 'bad_value']]);
    assert.deepEqual(errs(validateRule(base({ route: 'city' }))), [['route', 'bad_value']]);
    assert.deepEqual(errs(validateRule(base({ per: 'ward' }))), [['per', 'bad_value']]);
  });

  it('refuses device types it does not know, including names inherited from Object.prototype', () => {
    assert.deepEqual(errs(validateRule(base({ deviceType: 'seismograph' }))), [['deviceType', 'bad_value']]);
    for (const t of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      assert.deepEqual(errs(validateRule(base({ deviceType: t }))), [['deviceType', 'bad_value']], t);
      assert.deepEqual(errs(validateRule(withCondition(threshold({ deviceType: t })))), [['condition/deviceType', 'bad_value']], t);
    }
    // (Without a usable type the per-device rule also lacks one: reported as well.)
    assert.deepEqual(errs(validateRule(base({ deviceType: '__proto__' })))[0], ['deviceType', 'bad_format']);
    assert.deepEqual(errs(validateRule(base({ deviceType: ['river_level'] })))[0], ['deviceType', 'wrong_type']);
  });

  it('route "sector" needs a sector', () => {
    assert.deepEqual(errs(validateRule(base({ route: 'sector', sector: null }))), [['route', 'bad_value']]);
    const noSector = base({ route: 'sector' });
    delete noSector.sector;
    assert.deepEqual(errs(validateRule(noSector)), [['route', 'bad_value']]);
    assert.equal(value(validateRule(base({ route: 'sector' }))).route, 'sector');
  });

  it('checks reopenMinutes (0 to a week) and enabled (a boolean)', () => {
    assert.deepEqual(errs(validateRule(base({ reopenMinutes: -1 }))), [['reopenMinutes', 'out_of_range']]);
    assert.deepEqual(errs(validateRule(base({ reopenMinutes: 7 * 24 * 60 + 1 }))), [['reopenMinutes', 'out_of_range']]);
    assert.deepEqual(errs(validateRule(base({ reopenMinutes: '30' }))), [['reopenMinutes', 'wrong_type']]);
    assert.deepEqual(errs(validateRule(base({ reopenMinutes: Number.NaN }))), [['reopenMinutes', 'wrong_type']]);
    assert.equal(value(validateRule(base({ reopenMinutes: 7 * 24 * 60 }))).reopenMinutes, 7 * 24 * 60);
    assert.deepEqual(errs(validateRule(base({ enabled: 'yes' }))), [['enabled', 'wrong_type']]);
    assert.deepEqual(errs(validateRule(base({ enabled: 1 }))), [['enabled', 'wrong_type']]);
  });

  it('reports every problem at once', () => {
    const e = errs(validateRule({ name: 'x', unitCode: '', severity: 'huge', route: 'sector', condition: { kind: 'threshold' }, extra: 1 }));
    const fields = e.map(([f]) => f);
    for (const f of ['extra', 'name', 'unitCode', 'condition/attr', 'condition/op', 'condition/raise', 'condition/clear', 'severity', 'route']) {
      assert.ok(fields.includes(f), `${f} in ${JSON.stringify(e)}`);
    }
  });
});

describe('validateRule: devices and deviceType', () => {
  it('deduplicates the devices list', () => {
    assert.deepEqual(value(validateRule(base({ devices: ['dn-rl-1', 'dn-rl-2', 'dn-rl-1'] }))).devices, ['dn-rl-1', 'dn-rl-2']);
  });

  it('refuses an empty, oversized or non-array devices list', () => {
    assert.deepEqual(errs(validateRule(base({ devices: [] }))), [['devices', 'bad_length']]);
    assert.deepEqual(errs(validateRule(base({ devices: 'dn-rl-1' }))), [['devices', 'bad_length']]);
    assert.deepEqual(errs(validateRule(base({ devices: Array.from({ length: 1001 }, (_, i) => `d${i}`) }))), [['devices', 'bad_length']]);
    assert.equal(value(validateRule(base({ devices: Array.from({ length: 1000 }, (_, i) => `d${i}`) }))).devices!.length, 1000);
  });

  it('refuses device ids that are not ids, by position', () => {
    assert.deepEqual(errs(validateRule(base({ devices: ['ok-1', '../x', 5, 'a b'] }))), [
      ['devices/1', 'bad_format'],
      ['devices/2', 'bad_format'],
      ['devices/3', 'bad_format'],
    ]);
  });

  it('a per-device rule needs a deviceType (on the rule or every value condition) or a devices list', () => {
    const noType = without('deviceType');
    assert.deepEqual(errs(validateRule(noType)), [['deviceType', 'required']]);
    assert.ok(validateRule({ ...noType, devices: ['dn-rl-1'] }).ok);
    assert.ok(validateRule({ ...noType, condition: threshold({ deviceType: 'river_level' }) }).ok);
    assert.ok(validateRule({ ...noType, per: 'area' }).ok, 'an area rule may watch every device of its area');
    const mixed = { kind: 'all', conditions: [threshold({ deviceType: 'river_level' }), threshold({ attr: 'rain' })] };
    assert.deepEqual(errs(validateRule({ ...noType, condition: mixed })), [['deviceType', 'required']]);
  });

  it('an absence-only per-device rule may watch every device of the area', () => {
    const r = value(validateRule({ ...without('deviceType'), condition: { kind: 'absence', factor: 3 } }));
    assert.deepEqual(r.condition, { kind: 'absence', factor: 3 });
  });
});

describe('validateRule: leaf conditions', () => {
  it('accepts every leaf kind', () => {
    const leaves: Raw[] = [
      threshold({ op: '<=', raise: 1, clear: 1.5 }),
      { kind: 'duration', attr: 'level', op: '>=', value: 3, minutes: 30 },
      { kind: 'duration', attr: 'level', op: '<', value: 0.5, readings: 3 },
      { kind: 'rate', attr: 'level', change: 0.5, minutes: 60 },
      { kind: 'rate', attr: 'level', change: -0.5, minutes: 60 },
      { kind: 'window', attr: 'level', agg: 'avg', minutes: 180, op: '>', raise: 3, clear: 2 },
      { kind: 'anomaly', attr: 'level', k: 4, clearK: 2, minDays: 7, days: 28, minScale: 0.1 },
      { kind: 'anomaly', attr: 'level', k: 4, minDays: 7 },
      { kind: 'absence', factor: 3 },
      { kind: 'absence', attr: 'level', factor: 2.5, deviceType: 'river_level' },
    ];
    for (const leaf of leaves) assert.deepEqual(okCondition(leaf), leaf, JSON.stringify(leaf));
  });

  it('refuses a condition that is not an object or has no known kind', () => {
    assert.deepEqual(conditionErrors('level > 3'), [['condition', 'wrong_type']]);
    assert.deepEqual(conditionErrors([threshold()]), [['condition', 'wrong_type']]);
    assert.deepEqual(conditionErrors(null), [['condition', 'wrong_type']]);
    assert.deepEqual(conditionErrors({ attr: 'level' }), [['condition/kind', 'required']]);
    assert.deepEqual(conditionErrors({ kind: 'eval', attr: 'level' }), [['condition/kind', 'bad_value']]);
    assert.deepEqual(conditionErrors({ kind: 'toString' }), [['condition/kind', 'bad_value']]);
  });

  it('refuses fields that belong to another kind', () => {
    assert.deepEqual(conditionErrors(threshold({ minutes: 5 })), [['condition/minutes', 'unknown_field']]);
    assert.deepEqual(conditionErrors({ kind: 'absence', factor: 3, op: '>' }), [['condition/op', 'unknown_field']]);
    assert.deepEqual(conditionErrors({ kind: 'rate', attr: 'level', change: 1, minutes: 5, conditions: [] }), [['condition/conditions', 'unknown_field']]);
  });

  it('requires attr on value leaves and checks its format', () => {
    for (const kind of ['threshold', 'duration', 'rate', 'window', 'anomaly']) {
      const e = conditionErrors({ kind });
      assert.ok(e.some(([f, r]) => f === 'condition/attr' && r === 'required'), kind);
    }
    assert.deepEqual(conditionErrors(threshold({ attr: 'pm2.5' })), [['condition/attr', 'bad_format']]);
    assert.deepEqual(conditionErrors(threshold({ attr: '1st' })), [['condition/attr', 'bad_format']]);
    assert.deepEqual(conditionErrors(threshold({ attr: "level'--" })), [['condition/attr', 'bad_format']]);
    assert.deepEqual(conditionErrors(threshold({ attr: 'a'.repeat(33) })), [['condition/attr', 'too_long']]);
    assert.deepEqual(conditionErrors(threshold({ attr: 3 })), [['condition/attr', 'wrong_type']]);
    assert.deepEqual(conditionErrors({ kind: 'absence', factor: 3, attr: 'bad attr' }), [['condition/attr', 'bad_format']]);
  });

  it('threshold: requires op, raise and clear as finite numbers', () => {
    assert.deepEqual(conditionErrors(threshold({ op: '==' })), [['condition/op', 'bad_value']]);
    assert.deepEqual(conditionErrors(threshold({ op: undefined })), [['condition/op', 'required']]);
    assert.deepEqual(conditionErrors(threshold({ raise: '3' })), [['condition/raise', 'wrong_type']]);
    assert.deepEqual(conditionErrors(threshold({ raise: Number.POSITIVE_INFINITY })), [['condition/raise', 'wrong_type']]);
    assert.deepEqual(conditionErrors(threshold({ clear: undefined })), [['condition/clear', 'required']]);
  });

  it('threshold: the clear level must lie on the safe side of the raise level', () => {
    assert.deepEqual(conditionErrors(threshold({ op: '>', raise: 3, clear: 3.1 })), [['condition/clear', 'out_of_range']]);
    assert.deepEqual(conditionErrors(threshold({ op: '>=', raise: 3, clear: 4 })), [['condition/clear', 'out_of_range']]);
    assert.deepEqual(conditionErrors(threshold({ op: '<', raise: 1, clear: 0.9 })), [['condition/clear', 'out_of_range']]);
    assert.deepEqual(conditionErrors(threshold({ op: '<=', raise: 1, clear: 0 })), [['condition/clear', 'out_of_range']]);
    // No band at all is allowed.
    for (const op of ['>', '>=', '<', '<=']) okCondition(threshold({ op, raise: 3, clear: 3 }));
  });

  it('duration: needs minutes or readings, not both, in range', () => {
    const d = (over: Raw): Raw => ({ kind: 'duration', attr: 'level', op: '>', value: 3, ...over });
    assert.deepEqual(conditionErrors(d({})), [['condition/minutes', 'required']]);
    assert.deepEqual(conditionErrors(d({ minutes: 10, readings: 3 })), [['condition/readings', 'conflict']]);
    assert.deepEqual(conditionErrors(d({ minutes: 0 })), [['condition/minutes', 'out_of_range']]);
    assert.deepEqual(conditionErrors(d({ minutes: MAX_WINDOW_MINUTES + 1 })), [['condition/minutes', 'out_of_range']]);
    assert.deepEqual(conditionErrors(d({ readings: 1 })), [['condition/readings', 'out_of_range']]);
    assert.deepEqual(conditionErrors(d({ readings: 2.5 })), [['condition/readings', 'out_of_range']]);
    assert.deepEqual(conditionErrors(d({ readings: 1001 })), [['condition/readings', 'out_of_range']]);
    assert.deepEqual(conditionErrors(d({ minutes: 5, value: undefined })), [['condition/value', 'required']]);
    okCondition(d({ minutes: MAX_WINDOW_MINUTES }));
    okCondition(d({ minutes: 1.5 }));
    okCondition(d({ readings: 1000 }));
  });

  it('rate: change is non-zero, minutes in 1..a day', () => {
    const r = (over: Raw): Raw => ({ kind: 'rate', attr: 'level', change: 0.5, minutes: 60, ...over });
    assert.deepEqual(conditionErrors(r({ change: 0 })), [['condition/change', 'out_of_range']]);
    assert.deepEqual(conditionErrors(r({ change: '0.5' })), [['condition/change', 'wrong_type']]);
    assert.deepEqual(conditionErrors(r({ minutes: 0 })), [['condition/minutes', 'out_of_range']]);
    assert.deepEqual(conditionErrors(r({ minutes: MAX_WINDOW_MINUTES + 1 })), [['condition/minutes', 'out_of_range']]);
    assert.deepEqual(conditionErrors(r({ minutes: undefined })), [['condition/minutes', 'required']]);
  });

  it('window: a known aggregate, a span in range and a hysteresis band in the right direction', () => {
    const w = (over: Raw): Raw => ({ kind: 'window', attr: 'rain', agg: 'sum', minutes: 60, op: '>=', raise: 50, clear: 30, ...over });
    assert.deepEqual(conditionErrors(w({ agg: 'median' })), [['condition/agg', 'bad_value']]);
    assert.deepEqual(conditionErrors(w({ agg: undefined })), [['condition/agg', 'required']]);
    assert.deepEqual(conditionErrors(w({ minutes: 0 })), [['condition/minutes', 'out_of_range']]);
    assert.deepEqual(conditionErrors(w({ minutes: MAX_WINDOW_MINUTES + 1 })), [['condition/minutes', 'out_of_range']]);
    assert.deepEqual(conditionErrors(w({ clear: 60 })), [['condition/clear', 'out_of_range']]);
    assert.deepEqual(conditionErrors(w({ op: '<', raise: 5, clear: 4 })), [['condition/clear', 'out_of_range']]);
    for (const agg of ['sum', 'avg', 'max', 'min']) okCondition(w({ agg }));
  });

  it('anomaly: k in 1..100, clearK at most k, minDays and days integers with days ≥ minDays, minScale ≥ 0', () => {
    const a = (over: Raw): Raw => ({ kind: 'anomaly', attr: 'level', k: 4, minDays: 7, ...over });
    assert.deepEqual(conditionErrors(a({ k: 0.5 })), [['condition/k', 'out_of_range']]);
    assert.deepEqual(conditionErrors(a({ k: 101 })), [['condition/k', 'out_of_range']]);
    assert.deepEqual(conditionErrors(a({ clearK: 5 })), [['condition/clearK', 'out_of_range']]);
    assert.deepEqual(conditionErrors(a({ clearK: -1 })), [['condition/clearK', 'out_of_range']]);
    assert.deepEqual(conditionErrors(a({ minDays: 0 })), [['condition/minDays', 'out_of_range']]);
    assert.deepEqual(conditionErrors(a({ minDays: 1.5 })), [['condition/minDays', 'out_of_range']]);
    assert.deepEqual(conditionErrors(a({ minDays: 366 })), [['condition/minDays', 'out_of_range']]);
    assert.deepEqual(conditionErrors(a({ days: 6 })), [['condition/days', 'out_of_range']]);
    assert.deepEqual(conditionErrors(a({ days: 7.5 })), [['condition/days', 'out_of_range']]);
    assert.deepEqual(conditionErrors(a({ minScale: -0.1 })), [['condition/minScale', 'out_of_range']]);
    assert.deepEqual(conditionErrors(a({ minDays: undefined })), [['condition/minDays', 'required']]);
    okCondition(a({ clearK: 4, days: 7, minScale: 0 }));
  });

  it('absence: factor in 1..1000', () => {
    assert.deepEqual(conditionErrors({ kind: 'absence', factor: 0.5 }), [['condition/factor', 'out_of_range']]);
    assert.deepEqual(conditionErrors({ kind: 'absence', factor: 1001 }), [['condition/factor', 'out_of_range']]);
    assert.deepEqual(conditionErrors({ kind: 'absence' }), [['condition/factor', 'required']]);
  });

  it('a leaf may narrow to a device type, which must be known', () => {
    const c = okCondition(threshold({ deviceType: 'river_level' }));
    assert.equal(leavesOf(c)[0]!.deviceType, 'river_level');
    assert.deepEqual(conditionErrors(threshold({ deviceType: 'tide_gauge' })), [['condition/deviceType', 'bad_value']]);
  });
});

describe('validateRule: composite conditions', () => {
  const rainWindow: Raw = { kind: 'window', attr: 'rain', deviceType: 'rain_gauge', agg: 'sum', minutes: 60, op: '>=', raise: 50, clear: 30 };
  const riverRate: Raw = { kind: 'rate', attr: 'level', deviceType: 'river_level', change: 0.3, minutes: 60 };

  it('accepts all/any of leaves and nested composites', () => {
    const c = { kind: 'all', conditions: [rainWindow, { kind: 'any', conditions: [riverRate, threshold({ deviceType: 'river_level' })] }] };
    assert.deepEqual(okCondition(c), c);
  });

  it('reports errors in nested conditions by their path', () => {
    const c = { kind: 'all', conditions: [rainWindow, { kind: 'any', conditions: [riverRate, threshold({ op: '!' })] }] };
    assert.deepEqual(conditionErrors(c), [['condition/conditions/1/conditions/1/op', 'bad_value']]);
  });

  it('refuses an empty, missing or non-array list of conditions', () => {
    assert.deepEqual(conditionErrors({ kind: 'all', conditions: [] }), [['condition/conditions', 'bad_length']]);
    assert.deepEqual(conditionErrors({ kind: 'any' }), [['condition/conditions', 'wrong_type']]);
    assert.deepEqual(conditionErrors({ kind: 'any', conditions: { 0: threshold() } }), [['condition/conditions', 'wrong_type']]);
    assert.deepEqual(conditionErrors({ kind: 'any', conditions: [threshold(), 'x'] }), [['condition/conditions/1', 'wrong_type']]);
  });

  it('refuses leaf fields on a composite', () => {
    assert.deepEqual(conditionErrors({ kind: 'all', attr: 'level', conditions: [threshold()] }), [['condition/attr', 'unknown_field']]);
  });

  it(`nests at most ${MAX_DEPTH} composite levels`, () => {
    const nest = (levels: number): Raw => (levels === 0 ? threshold() : { kind: 'all', conditions: [nest(levels - 1)] });
    okCondition(nest(MAX_DEPTH));
    const e = conditionErrors(nest(MAX_DEPTH + 1));
    assert.deepEqual(e, [[`condition${'/conditions/0'.repeat(MAX_DEPTH)}`, 'too_deep']]);
  });

  it(`holds at most ${MAX_CONDITIONS} leaf conditions in the whole tree`, () => {
    const list = (n: number): Raw[] => Array.from({ length: n }, () => threshold());
    assert.equal(leavesOf(okCondition({ kind: 'any', conditions: list(MAX_CONDITIONS) })).length, MAX_CONDITIONS);
    assert.deepEqual(conditionErrors({ kind: 'any', conditions: list(MAX_CONDITIONS + 1) }), [['condition/conditions', 'bad_length']]);
    // Spread over two composites: the 17th leaf is the one refused.
    const e = conditionErrors({ kind: 'any', conditions: [{ kind: 'all', conditions: list(9) }, { kind: 'all', conditions: list(8) }] });
    assert.deepEqual(e, [['condition/conditions/1/conditions/7', 'too_many']]);
  });
});

describe('validateRule: severitySteps', () => {
  it('sorts the steps by value', () => {
    const r = value(
      validateRule(
        base({
          severitySteps: [
            { value: 4, severity: 'extreme' },
            { value: 3.5, severity: 'critical' },
          ],
        }),
      ),
    );
    assert.deepEqual(r.severitySteps, [
      { value: 3.5, severity: 'critical' },
      { value: 4, severity: 'extreme' },
    ]);
  });

  it('refuses bad step lists and bad steps, by position', () => {
    assert.deepEqual(errs(validateRule(base({ severitySteps: [] }))), [['severitySteps', 'bad_length']]);
    assert.deepEqual(errs(validateRule(base({ severitySteps: { value: 4, severity: 'extreme' } }))), [['severitySteps', 'bad_length']]);
    const six = Array.from({ length: SEVERITIES.length + 1 }, (_, i) => ({ value: i, severity: 'major' }));
    assert.deepEqual(errs(validateRule(base({ severitySteps: six }))), [['severitySteps', 'bad_length']]);
    assert.deepEqual(errs(validateRule(base({ severitySteps: [{ value: 4, severity: 'extreme' }, 'critical', { value: '5', severity: 'x', note: 1 }] }))), [
      ['severitySteps/1', 'wrong_type'],
      ['severitySteps/2/note', 'unknown_field'],
      ['severitySteps/2/value', 'wrong_type'],
      ['severitySteps/2/severity', 'bad_value'],
    ]);
  });

  it('needs a first condition with a value (not an absence)', () => {
    const r = base({ condition: { kind: 'any', conditions: [{ kind: 'absence', factor: 3 }, threshold()] }, severitySteps: [{ value: 4, severity: 'extreme' }] });
    assert.deepEqual(errs(validateRule(r)), [['severitySteps', 'bad_value']]);
    const swapped = base({ condition: { kind: 'any', conditions: [threshold(), { kind: 'absence', factor: 3 }] }, severitySteps: [{ value: 4, severity: 'extreme' }] });
    assert.ok(validateRule(swapped).ok);
  });
});

describe('passes and isUpward', () => {
  it('compares on the alarming side of the limit', () => {
    assert.equal(passes('>', 3.1, 3), true);
    assert.equal(passes('>', 3, 3), false);
    assert.equal(passes('>=', 3, 3), true);
    assert.equal(passes('>=', 2.9, 3), false);
    assert.equal(passes('<', 0.9, 1), true);
    assert.equal(passes('<', 1, 1), false);
    assert.equal(passes('<=', 1, 1), true);
    assert.equal(passes('<=', 1.1, 1), false);
  });

  it('calls > and >= upward, < and <= downward', () => {
    assert.deepEqual((['>', '>=', '<', '<='] as const).map(isUpward), [true, true, false, false]);
  });
});

describe('leavesOf, isComposite and lookbackMinutes', () => {
  const t = threshold() as unknown as Condition;
  const d = { kind: 'duration', attr: 'level', op: '>', value: 3, minutes: 45 } as Condition;
  const dr = { kind: 'duration', attr: 'level', op: '>', value: 3, readings: 5 } as Condition;
  const r = { kind: 'rate', attr: 'level', change: 1, minutes: 90 } as Condition;
  const w = { kind: 'window', attr: 'rain', agg: 'sum', minutes: 180, op: '>', raise: 50, clear: 30 } as Condition;
  const a = { kind: 'anomaly', attr: 'level', k: 4, minDays: 7 } as Condition;
  const ab = { kind: 'absence', factor: 3 } as Condition;

  it('lists the leaves depth first', () => {
    const c: Condition = { kind: 'all', conditions: [d, { kind: 'any', conditions: [r, w] }, t] };
    assert.deepEqual(leavesOf(c), [d, r, w, t]);
    assert.deepEqual(leavesOf(t), [t]);
    assert.equal(isComposite(c), true);
    assert.equal(isComposite(t), false);
  });

  it('looks back over the longest duration, rate or window span', () => {
    assert.equal(lookbackMinutes({ kind: 'any', conditions: [d, r, { kind: 'all', conditions: [w, t] }] }), 180);
    assert.equal(lookbackMinutes(d), 45);
    assert.equal(lookbackMinutes(r), 90);
  });

  it('needs no lookback for thresholds, anomalies, absences and durations by readings count', () => {
    for (const c of [t, a, ab, dr]) assert.equal(lookbackMinutes(c), 0, c.kind);
    assert.equal(lookbackMinutes({ kind: 'all', conditions: [t, a, ab] }), 0);
  });
});

describe('severityFor', () => {
  const rule = (condition: unknown, steps?: { value: number; severity: string }[]): Pick<RuleDefinition, 'severity' | 'severitySteps' | 'condition'> =>
    ({ severity: 'major', condition, ...(steps && { severitySteps: steps }) }) as Pick<RuleDefinition, 'severity' | 'severitySteps' | 'condition'>;
  const steps = [
    { value: 3.5, severity: 'critical' },
    { value: 4, severity: 'extreme' },
  ];

  it('is the rule severity without steps or without a value', () => {
    assert.equal(severityFor(rule(threshold()), 99), 'major');
    assert.equal(severityFor(rule(threshold(), steps), undefined), 'major');
  });

  it('raises the severity with the value for upward comparators (steps inclusive)', () => {
    const r = rule(threshold(), steps);
    assert.equal(severityFor(r, 3.2), 'major');
    assert.equal(severityFor(r, 3.5), 'critical');
    assert.equal(severityFor(r, 3.9), 'critical');
    assert.equal(severityFor(r, 4), 'extreme');
    assert.equal(severityFor(r, 10), 'extreme');
  });

  it('raises the severity as the value falls for downward comparators', () => {
    const r = rule(threshold({ op: '<', raise: 10, clear: 12 }), [
      { value: 5, severity: 'critical' },
      { value: 2, severity: 'extreme' },
    ]);
    assert.equal(severityFor(r, 9), 'major');
    assert.equal(severityFor(r, 5), 'critical');
    assert.equal(severityFor(r, 1), 'extreme');
  });

  it('never lowers the rule severity', () => {
    const r = rule(threshold(), [{ value: 3.5, severity: 'info' }]);
    assert.equal(severityFor(r, 5), 'major');
  });

  it('does not depend on the order of the steps', () => {
    const r = rule(threshold(), [...steps].reverse());
    assert.equal(severityFor(r, 4.2), 'extreme');
    assert.equal(severityFor(r, 3.7), 'critical');
  });

  it('follows the sign of a rate change and treats anomaly scores as upward', () => {
    const fall = rule({ kind: 'rate', attr: 'level', change: -0.5, minutes: 60 }, [{ value: -1, severity: 'critical' }]);
    assert.equal(severityFor(fall, -0.6), 'major');
    assert.equal(severityFor(fall, -1.2), 'critical');
    const rise = rule({ kind: 'rate', attr: 'level', change: 0.5, minutes: 60 }, [{ value: 1, severity: 'critical' }]);
    assert.equal(severityFor(rise, 1.2), 'critical');
    const anomaly = rule({ kind: 'anomaly', attr: 'level', k: 4, minDays: 7 }, [{ value: 8, severity: 'critical' }]);
    assert.equal(severityFor(anomaly, 9), 'critical');
    assert.equal(severityFor(anomaly, 5), 'major');
  });

  it('uses the first leaf of a composite', () => {
    const c = { kind: 'all', conditions: [threshold({ op: '<', raise: 1, clear: 2 }), threshold()] };
    assert.equal(severityFor(rule(c, [{ value: 0.5, severity: 'critical' }]), 0.4), 'critical');
    assert.equal(severityFor(rule(c, [{ value: 0.5, severity: 'critical' }]), 5), 'major');
  });

  it('ranks severities from info to extreme', () => {
    assert.deepEqual(SEVERITIES.map(severityRank), [0, 1, 2, 3, 4]);
  });
});
