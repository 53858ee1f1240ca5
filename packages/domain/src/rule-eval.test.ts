import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Sector } from './device-types.ts';
import { EVIDENCE_READINGS, RuleRuntime, bindRule, type EvalContext, type RuleDevice, type Subject, type Transition } from './rule-eval.ts';
import type { RobustBaseline } from './robust-stats.ts';
import type { Condition, Rule } from './rule.ts';

const MIN = 60_000;
const T0 = Date.parse('2025-10-01T00:00:00Z');
/** The instant `m` minutes after T0. */
const at = (m: number): number => T0 + m * MIN;

const dev = (id: string, type: string, series: Record<string, [seriesId: number, periodS: number]>, unitCode = '20236', sector: Sector = 'environment'): RuleDevice => ({
  id,
  type,
  unitCode,
  sector,
  series: Object.fromEntries(Object.entries(series).map(([a, [seriesId, periodS]]) => [a, { seriesId, periodS }])),
});

const rule = (condition: Condition, over: Partial<Rule> = {}): Rule => ({
  id: 'r-test',
  version: 3,
  name: { vi: 'Thử', en: 'Test' },
  unitCode: '48',
  sector: null,
  per: 'device',
  condition,
  severity: 'major',
  route: 'area',
  reopenMinutes: 30,
  enabled: true,
  ...over,
});

const ctx = (over: Partial<EvalContext> = {}): EvalContext => ({
  baseline: () => undefined,
  suppressed: () => false,
  offline: () => false,
  ...over,
});

const runtime = (r: Rule, devices: RuleDevice[], inArea: (unitCode: string) => boolean = () => true): RuleRuntime => new RuleRuntime(r, bindRule(r, devices, inArea));

/** Feeds [minute, value] readings to one series; the transition kinds per reading ('-' for none). */
function trace(rt: RuleRuntime, seriesId: number, points: [number, number][], c: EvalContext = ctx()): string[] {
  return points.map(([m, v]) => {
    const out = rt.onReading({ seriesId, ts: at(m), value: v }, c);
    assert.ok(out.length <= 1, 'one transition per subject');
    return out[0]?.kind ?? '-';
  });
}
/** Feeds one reading and returns its only transition (or undefined). */
function one(rt: RuleRuntime, seriesId: number, m: number, v: number, c: EvalContext = ctx()): Transition | undefined {
  const out = rt.onReading({ seriesId, ts: at(m), value: v }, c);
  assert.ok(out.length <= 1);
  return out[0];
}
function raised(t: Transition | undefined): Extract<Transition, { kind: 'raise' }> {
  assert.equal(t?.kind, 'raise', `expected a raise, got ${JSON.stringify(t)}`);
  return t as Extract<Transition, { kind: 'raise' }>;
}
const near = (a: number | undefined, b: number, eps = 1e-9): void => assert.ok(a !== undefined && Math.abs(a - b) < eps, `${a} ≈ ${b}`);

// Fixtures: river-level stations (5-min period), rain gauges (5-min increments), a traffic counter.
const river1 = dev('dn-rl-1', 'river_level', { level: [1, 300] });
const river2 = dev('dn-rl-2', 'river_level', { level: [2, 300] }, '20239');
const rain1 = dev('dn-rg-1', 'rain_gauge', { rain: [10, 300] });
const traffic1 = dev('dn-tf-1', 'traffic', { speed: [30, 60], vehicles: [31, 60] }, '20236', 'transport');

const levelAbove = (raise = 3, clear = 2.5): Condition => ({ kind: 'threshold', attr: 'level', op: '>', raise, clear });

describe('bindRule', () => {
  const all = [river1, river2, rain1, traffic1, dev('dn-rl-9', 'river_level', { level: [9, 300] }, '20300')];
  const inDistrict = (u: string): boolean => u === '20236' || u === '20239';

  it('binds one subject per device of the rule type inside the area', () => {
    const subjects = bindRule(rule(levelAbove(), { deviceType: 'river_level' }), all, inDistrict).map((s) => s.subject);
    assert.deepEqual(subjects, [
      { key: 'device:dn-rl-1', kind: 'device', deviceId: 'dn-rl-1', unitCode: '20236', sector: 'environment' },
      { key: 'device:dn-rl-2', kind: 'device', deviceId: 'dn-rl-2', unitCode: '20239', sector: 'environment' },
    ]);
  });

  it('narrows to the rule sector and to the devices list', () => {
    const speed: Condition = { kind: 'threshold', attr: 'speed', op: '<', raise: 10, clear: 20 };
    assert.deepEqual(
      bindRule(rule(speed, { sector: 'transport' }), all, () => true).map((s) => s.subject.key),
      ['device:dn-tf-1'],
    );
    assert.deepEqual(bindRule(rule(speed, { sector: 'environment' }), all, () => true), []);
    assert.deepEqual(
      bindRule(rule(levelAbove(), { devices: ['dn-rl-2', 'dn-rl-9', 'nope'] }), all, () => true).map((s) => s.subject.key),
      ['device:dn-rl-2', 'device:dn-rl-9'],
    );
  });

  it('skips devices without the series every leaf watches', () => {
    // No deviceType: every device in the area is considered; only those with `level` are bound.
    assert.deepEqual(
      bindRule(rule(levelAbove()), all, inDistrict).map((s) => s.subject.key),
      ['device:dn-rl-1', 'device:dn-rl-2'],
    );
    const both: Condition = { kind: 'any', conditions: [levelAbove(), { kind: 'threshold', attr: 'rain', op: '>', raise: 10, clear: 5 }] };
    assert.deepEqual(bindRule(rule(both), all, () => true), [], 'no device has both level and rain');
  });

  it('narrows a leaf to its own device type', () => {
    const c: Condition = { kind: 'threshold', attr: 'level', deviceType: 'rain_gauge', op: '>', raise: 3, clear: 2 };
    assert.deepEqual(bindRule(rule(c), all, () => true), []);
  });

  it('binds an area rule as one subject over every device of the area', () => {
    const c: Condition = {
      kind: 'all',
      conditions: [
        { kind: 'window', attr: 'rain', deviceType: 'rain_gauge', agg: 'sum', minutes: 60, op: '>=', raise: 50, clear: 30 },
        { kind: 'rate', attr: 'level', deviceType: 'river_level', change: 0.3, minutes: 30 },
      ],
    };
    const [s, ...rest] = bindRule(rule(c, { per: 'area', unitCode: '492', sector: 'environment' }), all, inDistrict);
    assert.equal(rest.length, 0);
    assert.deepEqual(s!.subject, { key: 'area:492', kind: 'area', deviceId: null, unitCode: '492', sector: 'environment' });
    const rt = new RuleRuntime(rule(c, { per: 'area', unitCode: '492' }), [s!]);
    assert.deepEqual(rt.seriesIds().sort((a, b) => a - b), [1, 2, 10]);
  });

  it('binds no area subject when a leaf finds no series in the area', () => {
    const c: Condition = { kind: 'all', conditions: [levelAbove(), { kind: 'threshold', attr: 'rain', op: '>', raise: 10, clear: 5 }] };
    assert.deepEqual(bindRule(rule(c, { per: 'area' }), [river1, river2], () => true), []);
    assert.equal(bindRule(rule(c, { per: 'area' }), [river1, rain1], () => true).length, 1);
  });

  it('binds a device-wide absence leaf to every series of the device', () => {
    const rt = runtime(rule({ kind: 'absence', factor: 3 }), [traffic1, river1]);
    assert.deepEqual(rt.seriesIds().sort((a, b) => a - b), [1, 30, 31]);
    assert.deepEqual(rt.subjectList().map((s) => s.key), ['device:dn-tf-1', 'device:dn-rl-1']);
  });

  it('a runtime ignores readings of series it does not watch', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    assert.deepEqual(rt.onReading({ seriesId: 99, ts: at(0), value: 100 }, ctx()), []);
  });
});

describe('RuleRuntime: threshold with hysteresis', () => {
  it('raises past the raise level, stays raised while the value still passes the clear level, clears when it does not', () => {
    const rt = runtime(rule(levelAbove(3, 2.5)), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 2.9], // below
        [5, 3], // at the raise level: '>' is strict
        [10, 3.1], // raise
        [15, 2.8], // between clear and raise: still raised
        [20, 2.6], // still > clear
        [25, 2.5], // exactly the clear level: no longer '>' it, so clear
        [30, 2.9], // between again, from below: not raised
        [35, 3.2],
      ]),
      ['-', '-', 'raise', 'repeat', 'repeat', 'clear', '-', 'raise'],
    );
  });

  it('works downward for < comparators', () => {
    const c: Condition = { kind: 'threshold', attr: 'speed', op: '<=', raise: 10, clear: 20 };
    const rt = runtime(rule(c), [traffic1]);
    assert.deepEqual(
      trace(rt, 30, [
        [0, 35],
        [1, 10],
        [2, 18],
        [3, 20],
        [4, 21],
        [5, 12],
      ]),
      ['-', 'raise', 'repeat', 'repeat', 'clear', '-'],
    );
  });

  it('reports the subject, instant, value and rule severity on a raise and the value on a clear', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    const r = raised(one(rt, 1, 10, 3.4));
    assert.equal(r.subject.key, 'device:dn-rl-1');
    assert.equal(r.ts, at(10));
    assert.equal(r.value, 3.4);
    assert.equal(r.severity, 'major');
    assert.equal(rt.isFiring('device:dn-rl-1'), true);
    const c = one(rt, 1, 15, 2);
    assert.deepEqual(c && { kind: c.kind, ts: c.ts, value: c.value }, { kind: 'clear', ts: at(15), value: 2 });
    assert.equal(rt.isFiring('device:dn-rl-1'), false);
  });

  it('keeps subjects apart: one device raising does not touch another', () => {
    const rt = runtime(rule(levelAbove()), [river1, river2]);
    assert.equal(one(rt, 1, 0, 4)?.subject.key, 'device:dn-rl-1');
    assert.equal(one(rt, 2, 0, 1), undefined);
    assert.equal(rt.isFiring('device:dn-rl-2'), false);
    assert.equal(one(rt, 2, 5, 5)?.kind, 'raise');
  });
});

describe('RuleRuntime: duration', () => {
  it('raises when every reading for the given minutes passes, clears at the first that does not', () => {
    const rt = runtime(rule({ kind: 'duration', attr: 'level', op: '>=', value: 3, minutes: 10 }), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 3], // run starts
        [5, 3.1],
        [10, 3.2], // 10 minutes passing
        [15, 3.5],
        [20, 2.9], // clear, run reset
        [25, 3],
        [30, 3],
        [35, 3],
      ]),
      ['-', '-', 'raise', 'repeat', 'clear', '-', '-', 'raise'],
    );
  });

  it('restarts the run after a reading that does not pass', () => {
    const rt = runtime(rule({ kind: 'duration', attr: 'level', op: '>', value: 3, minutes: 10 }), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 4],
        [5, 3], // not > 3
        [10, 4],
        [15, 4],
        [20, 4],
      ]),
      ['-', '-', '-', '-', 'raise'],
    );
  });

  it('counts consecutive readings when given readings', () => {
    const rt = runtime(rule({ kind: 'duration', attr: 'level', op: '<', value: 0.5, readings: 3 }), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 0.4],
        [1, 0.3],
        [2, 0.6],
        [3, 0.4],
        [4, 0.4],
        [5, 0.2],
        [6, 0.1],
        [7, 0.5],
      ]),
      ['-', '-', '-', '-', '-', 'raise', 'repeat', 'clear'],
    );
  });
});

describe('RuleRuntime: rate of change', () => {
  it('raises on a rise of at least `change` within the span, with the rise as its value', () => {
    const rt = runtime(rule({ kind: 'rate', attr: 'level', change: 0.5, minutes: 30 }), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 1.0],
        [5, 1.2],
        [10, 1.3],
      ]),
      ['-', '-', '-'],
    );
    const r = raised(one(rt, 1, 15, 1.55));
    near(r.value, 0.55);
  });

  it('measures the rise from the lowest reading in the span, not the first', () => {
    const rt = runtime(rule({ kind: 'rate', attr: 'level', change: 0.5, minutes: 30 }), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 1.4],
        [5, 1.0],
        [10, 1.5],
      ]),
      ['-', '-', 'raise'],
    );
  });

  it('raises on a fall of at least |change| for a negative change', () => {
    const rt = runtime(rule({ kind: 'rate', attr: 'level', change: -0.5, minutes: 30 }), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 2.0],
        [5, 2.2],
        [10, 1.9],
        [15, 1.7],
      ]),
      ['-', '-', '-', 'raise'],
    );
    const rt2 = runtime(rule({ kind: 'rate', attr: 'level', change: -0.5, minutes: 30 }), [river1]);
    trace(rt2, 1, [[0, 2.2]]);
    near(raised(one(rt2, 1, 5, 1.6)).value, -0.6);
  });

  it('forgets readings that left the span', () => {
    const rt = runtime(rule({ kind: 'rate', attr: 'level', change: 0.5, minutes: 15 }), [river1]);
    // The low of 1.0 is 20 minutes old when 1.6 arrives: no rise within 15 minutes.
    assert.deepEqual(
      trace(rt, 1, [
        [0, 1.0],
        [20, 1.6],
      ]),
      ['-', '-'],
    );
  });

  it('compares with a reading exactly `minutes` old (a rate over one reporting period works)', () => {
    const rt = runtime(rule({ kind: 'rate', attr: 'level', change: 0.5, minutes: 60 }), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 2.0],
        [60, 2.6],
      ]),
      ['-', 'raise'],
    );
    const rt2 = runtime(rule({ kind: 'rate', attr: 'level', change: 0.5, minutes: 15 }), [river1]);
    assert.deepEqual(
      trace(rt2, 1, [
        [0, 1.0],
        [5, 1.2],
        [10, 1.4],
        [15, 1.6], // 0.6 above the reading 15 minutes earlier
      ]),
      ['-', '-', '-', 'raise'],
    );
  });

  it('clears once the rise has left the span', () => {
    const rt = runtime(rule({ kind: 'rate', attr: 'level', change: 0.5, minutes: 15 }), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 1.0],
        [10, 1.6],
        [20, 1.6],
      ]),
      ['-', 'raise', 'clear'],
    );
  });
});

describe('RuleRuntime: sliding windows', () => {
  it('sums 5-minute rainfall increments over the last 60 minutes, with hysteresis', () => {
    const c: Condition = { kind: 'window', attr: 'rain', agg: 'sum', minutes: 60, op: '>=', raise: 50, clear: 30 };
    const rt = runtime(rule(c), [rain1]);
    const points: [number, number][] = [
      [5, 10],
      [10, 10],
      [15, 10],
      [20, 10],
      [25, 10], // 50 mm in the hour
      [30, 0],
      [60, 0],
      [65, 0], // the 10 mm at :05 left the hour: 40
      [70, 0], // 30: exactly the clear level, still raised
      [75, 0], // 20
    ];
    assert.deepEqual(trace(rt, 10, points), ['-', '-', '-', '-', 'raise', 'repeat', 'repeat', 'repeat', 'repeat', 'clear']);
  });

  it('gives the window aggregate as the value', () => {
    const c: Condition = { kind: 'window', attr: 'rain', agg: 'sum', minutes: 60, op: '>=', raise: 50, clear: 30 };
    const rt = runtime(rule(c), [rain1]);
    trace(rt, 10, [
      [0, 20],
      [5, 20],
    ]);
    assert.equal(raised(one(rt, 10, 10, 15)).value, 55);
    assert.equal(one(rt, 10, 65, 0)?.value, 15, 'the readings at :00 and :05 left the window');
  });

  it('does not drift: a window back to one reading sums to exactly that reading', () => {
    const c: Condition = { kind: 'window', attr: 'rain', agg: 'sum', minutes: 60, op: '>=', raise: 0.35, clear: 0.3 };
    const rt = runtime(rule(c), [rain1]);
    trace(rt, 10, [
      [0, 0.1],
      [5, 0.2],
      [10, 0.1], // 0.4 (in floating point, 0.4000000000000001)
    ]);
    const t = one(rt, 10, 200, 0.3);
    assert.equal(t?.kind, 'repeat');
    assert.equal(t?.value, 0.3);
  });

  it('averages over the window', () => {
    const c: Condition = { kind: 'window', attr: 'level', agg: 'avg', minutes: 20, op: '>', raise: 3, clear: 2 };
    const rt = runtime(rule(c), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 2],
        [5, 3],
        [10, 4.2], // avg 3.07
        [15, 2], // avg 2.8: in the band
        [20, 0], // window (0, 20]: 3, 4.2, 2, 0 → 2.3
        [25, 0], // 4.2, 2, 0, 0 → 1.55
      ]),
      ['-', '-', 'raise', 'repeat', 'repeat', 'clear'],
    );
  });

  it('takes the maximum over the window until the peak leaves it', () => {
    const c: Condition = { kind: 'window', attr: 'level', agg: 'max', minutes: 30, op: '>', raise: 4, clear: 3 };
    const rt = runtime(rule(c), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 5],
        [10, 2],
        [25, 2],
        [29, 2],
        [30, 2], // the 5 at :00 is 30 minutes old: out
      ]),
      ['raise', 'repeat', 'repeat', 'repeat', 'clear'],
    );
  });

  it('takes the minimum over the window for downward rules', () => {
    const c: Condition = { kind: 'window', attr: 'speed', agg: 'min', minutes: 10, op: '<', raise: 5, clear: 15 };
    const rt = runtime(rule(c), [traffic1]);
    assert.deepEqual(
      trace(rt, 30, [
        [0, 40],
        [1, 4],
        [5, 50],
        [11, 50], // the 4 at :01 left the window: min 50
      ]),
      ['-', 'raise', 'repeat', 'clear'],
    );
  });
});

describe('RuleRuntime: anomaly', () => {
  const b = (median: number, mad: number, days: number): RobustBaseline => ({ median, mad, days });
  const anomaly = (over: Partial<Extract<Condition, { kind: 'anomaly' }>> = {}): Condition => ({ kind: 'anomaly', attr: 'vehicles', k: 4, minDays: 7, ...over });
  /** A value with robust z-score z against median 40, MAD 5. */
  const z = (score: number): number => 40 + score * 1.4826 * 5;

  it('is silent before minDays of history, and without a baseline', () => {
    const rt = runtime(rule(anomaly()), [traffic1]);
    assert.deepEqual(trace(rt, 31, [[0, 500]], ctx({ baseline: () => b(40, 5, 6) })), ['-']);
    assert.deepEqual(trace(rt, 31, [[1, 500]], ctx()), ['-']);
    assert.deepEqual(trace(rt, 31, [[2, 500]], ctx({ baseline: () => b(40, 5, 7) })), ['raise']);
  });

  it('raises above k and clears below clearK (default 0.7·k)', () => {
    const rt = runtime(rule(anomaly()), [traffic1]);
    const c = ctx({ baseline: () => b(40, 5, 14) });
    assert.deepEqual(
      trace(
        rt,
        31,
        [
          [0, z(3.9)],
          [1, z(4.1)],
          [2, z(3)], // ≥ 2.8: still anomalous
          [3, z(2.7)],
          [4, z(3.5)], // not past k again
          [5, 40 - 5 * 1.4826 * 4.5], // far below is anomalous too
        ],
        c,
      ),
      ['-', 'raise', 'repeat', 'clear', '-', 'raise'],
    );
  });

  it('uses an explicit clearK', () => {
    const rt = runtime(rule(anomaly({ clearK: 1 })), [traffic1]);
    const c = ctx({ baseline: () => b(40, 5, 14) });
    assert.deepEqual(
      trace(
        rt,
        31,
        [
          [0, z(5)],
          [1, z(1.5)],
          [2, z(0.9)],
        ],
        c,
      ),
      ['raise', 'repeat', 'clear'],
    );
  });

  it('reports the score as the value and the baseline in the evidence', () => {
    const rt = runtime(rule(anomaly()), [traffic1]);
    const seen: [number, number][] = [];
    const r = raised(one(rt, 31, 0, z(6), ctx({ baseline: (sid, ts) => (seen.push([sid, ts]), b(40, 5, 14)) })));
    near(r.value, 6);
    assert.deepEqual(seen, [[31, at(0)]], 'the baseline is asked for the series and the instant of the reading');
    assert.deepEqual(r.evidence.leaves[0]!.baseline, b(40, 5, 14));
  });

  it('floors the spread at minScale, so a flat history does not make every change an anomaly', () => {
    const flat = ctx({ baseline: () => b(40, 0, 14) });
    const strict = runtime(rule(anomaly()), [traffic1]);
    assert.deepEqual(trace(strict, 31, [[0, 41]], flat), ['raise'], 'MAD 0: any change is infinitely anomalous');
    const floored = runtime(rule(anomaly({ minScale: 2 })), [traffic1]);
    assert.deepEqual(
      trace(
        floored,
        31,
        [
          [0, 41],
          [1, 47],
          [2, 49],
        ],
        flat,
      ),
      ['-', '-', 'raise'],
    );
  });

  it('ends an episode when the history becomes too short to judge', () => {
    const rt = runtime(rule(anomaly()), [traffic1]);
    assert.equal(one(rt, 31, 0, z(6), ctx({ baseline: () => b(40, 5, 14) }))?.kind, 'raise');
    assert.equal(one(rt, 31, 1, z(6), ctx({ baseline: () => undefined }))?.kind, 'clear');
  });
});

describe('RuleRuntime: absence', () => {
  // river1: 5-minute period; factor 3 → offline after 15 minutes of silence.
  const absence = (over: Partial<Extract<Condition, { kind: 'absence' }>> = {}): Condition => ({ kind: 'absence', attr: 'level', factor: 3, ...over });

  it('goes offline after factor × period of silence and back online at the next reading', () => {
    const rt = runtime(rule(absence()), [river1]);
    assert.deepEqual(trace(rt, 1, [[0, 2]]), ['-']);
    assert.deepEqual(rt.tick(at(15), ctx()), [], 'exactly 15 minutes: not yet');
    const [r, ...more] = rt.tick(at(15) + 1, ctx());
    assert.equal(more.length, 0);
    assert.equal(raised(r).subject.key, 'device:dn-rl-1');
    assert.equal(r!.value, 15 * 60 + 0.001, 'seconds of silence');
    assert.deepEqual(rt.absentDevices(), ['dn-rl-1']);
    assert.deepEqual(rt.tick(at(30), ctx()), [], 'no repeats while silent');
    const c = one(rt, 1, 31, 2);
    assert.deepEqual(c && { kind: c.kind, value: c.value }, { kind: 'clear', value: 0 });
    assert.deepEqual(rt.absentDevices(), []);
    assert.deepEqual(rt.tick(at(40), ctx()), []);
  });

  it('says nothing of a series never heard from, until seen() gives its last reading', () => {
    const rt = runtime(rule(absence()), [river1]);
    assert.deepEqual(rt.tick(at(1000), ctx()), []);
    rt.seen(1, at(900));
    assert.deepEqual(rt.tick(at(915), ctx()), []);
    assert.equal(rt.tick(at(916), ctx())[0]?.kind, 'raise');
  });

  it('startSilence() counts silence from now for series never heard from, and leaves the others', () => {
    const rt = runtime(rule(absence()), [river1, river2]);
    rt.seen(2, at(0));
    rt.startSilence(at(100));
    assert.deepEqual(
      rt.tick(at(16), ctx()).map((t) => [t.kind, t.subject.key]),
      [['raise', 'device:dn-rl-2']],
    );
    assert.deepEqual(rt.tick(at(115), ctx()), []);
    assert.deepEqual(
      rt.tick(at(116), ctx()).map((t) => [t.kind, t.subject.key]),
      [['raise', 'device:dn-rl-1']],
    );
  });

  it('seen() does not make value leaves skip readings', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    rt.seen(1, at(100));
    assert.deepEqual(trace(rt, 1, [[50, 4]]), ['raise']);
  });

  it('seen() never moves the last reading back', () => {
    const rt = runtime(rule(absence()), [river1]);
    trace(rt, 1, [[100, 2]]);
    rt.seen(1, at(0));
    assert.deepEqual(rt.tick(at(110), ctx()), []);
  });

  it('watches a device as a whole without attr: silent only when every series is', () => {
    // traffic1: speed and vehicles every 60 s; factor 3 → offline after 3 minutes.
    const rt = runtime(rule({ kind: 'absence', factor: 3 }), [traffic1]);
    trace(rt, 30, [[0, 40]]);
    trace(rt, 31, [[2, 10]]);
    assert.deepEqual(rt.tick(at(4), ctx()), [], 'vehicles was heard 2 minutes ago');
    assert.equal(rt.tick(at(5) + 1, ctx())[0]?.kind, 'raise');
    assert.deepEqual(rt.absentDevices(), ['dn-tf-1']);
  });

  it('a device-wide absence ends with a reading on any one series', () => {
    const rt = runtime(rule({ kind: 'absence', factor: 3 }), [traffic1]);
    trace(rt, 30, [[0, 40]]);
    trace(rt, 31, [[0, 10]]);
    assert.equal(rt.tick(at(10), ctx())[0]?.kind, 'raise');
    assert.deepEqual(trace(rt, 31, [[11, 12]]), ['clear']);
    assert.deepEqual(rt.absentDevices(), []);
    assert.deepEqual(rt.tick(at(12), ctx()), []);
  });

  it('uses the longest period of the device for a device-wide absence', () => {
    const mixed = dev('dn-mx-1', 'air_quality', { pm25: [40, 60], no2: [41, 600] });
    const rt = runtime(rule({ kind: 'absence', factor: 2 }), [mixed]);
    trace(rt, 40, [[0, 20]]);
    assert.deepEqual(rt.tick(at(20), ctx()), [], '2 × 600 s = 20 minutes');
    assert.equal(rt.tick(at(20) + 1, ctx())[0]?.kind, 'raise');
  });

  it('raises one area alert while any device of the area is silent', () => {
    const rt = runtime(rule(absence(), { per: 'area' }), [river1, river2]);
    trace(rt, 1, [[0, 2]]);
    trace(rt, 2, [[10, 2]]);
    const [r] = rt.tick(at(16), ctx());
    assert.equal(raised(r).subject.key, 'area:48');
    assert.deepEqual(rt.absentDevices(), ['dn-rl-1']);
    assert.equal(rt.tick(at(26), ctx())[0]?.kind, 'repeat', 'a second device going silent');
    assert.deepEqual(rt.absentDevices().sort(), ['dn-rl-1', 'dn-rl-2']);
    assert.deepEqual(trace(rt, 1, [[27, 2]]), ['repeat'], 'dn-rl-2 is still silent');
    assert.deepEqual(trace(rt, 2, [[28, 2]]), ['clear']);
  });

  it('is not silenced by the device being offline (that is what it reports)', () => {
    const rt = runtime(rule(absence()), [river1]);
    trace(rt, 1, [[0, 2]]);
    const offline = ctx({ offline: () => true });
    assert.equal(rt.tick(at(20), offline)[0]?.kind, 'raise');
    assert.deepEqual(trace(rt, 1, [[21, 2]], offline), ['clear']);
  });

  it('raises a suppressed absence once the suppression ends and the device is still silent', () => {
    const rt = runtime(rule(absence()), [river1]);
    trace(rt, 1, [[0, 2]]);
    const until = at(60);
    const maintenance = ctx({ suppressed: (_s, ts) => ts < until });
    assert.deepEqual(rt.tick(at(20), maintenance), []);
    assert.deepEqual(rt.tick(at(40), maintenance), []);
    const [r] = rt.tick(at(61), maintenance);
    assert.equal(raised(r).ts, at(61));
    assert.deepEqual(rt.tick(at(62), maintenance), [], 'raised once');
  });
});

describe('RuleRuntime: composite conditions', () => {
  const rising: Condition = { kind: 'rate', attr: 'level', change: 0.3, minutes: 30 };

  it('all within one device: both leaves must hold', () => {
    const rt = runtime(rule({ kind: 'all', conditions: [levelAbove(3, 2.5), rising] }), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 3.1], // above, not rising
        [5, 3.2],
        [10, 3.5], // above and up 0.4
        [15, 3.5],
        [45, 3.5], // still above, no longer rising
      ]),
      ['-', '-', 'raise', 'repeat', 'clear'],
    );
  });

  it('any within one device: either leaf suffices', () => {
    const rt = runtime(rule({ kind: 'any', conditions: [levelAbove(3, 2.5), rising] }), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 1.0],
        [5, 1.4], // rising
        [40, 1.4], // neither
        [45, 3.1], // above (and rising)
        [80, 2.9], // in the band: still above
        [85, 2.0],
      ]),
      ['-', 'raise', 'clear', 'raise', 'repeat', 'clear'],
    );
  });

  it('all across the devices of an area: heavy rain on a gauge and a rising river', () => {
    const c: Condition = {
      kind: 'all',
      conditions: [
        { kind: 'window', attr: 'rain', deviceType: 'rain_gauge', agg: 'sum', minutes: 60, op: '>=', raise: 50, clear: 30 },
        { kind: 'rate', attr: 'level', deviceType: 'river_level', change: 0.3, minutes: 30 },
      ],
    };
    const rt = runtime(rule(c, { per: 'area', unitCode: '492', sector: 'environment' }), [rain1, river1, river2]);
    assert.deepEqual(trace(rt, 1, [[0, 1.0]]), ['-']);
    assert.deepEqual(
      trace(rt, 10, [
        [5, 30],
        [10, 25],
      ]),
      ['-', '-'],
      'rain alone',
    );
    const r = raised(one(rt, 1, 15, 1.5));
    assert.equal(r.subject.key, 'area:492');
    assert.equal(r.subject.deviceId, null);
    assert.equal(r.value, 55, 'the value of the first leaf: the rainfall');
    assert.deepEqual(
      r.evidence.leaves.map((l) => [l.leaf, l.deviceId, l.attr, l.holds]),
      [
        [0, 'dn-rg-1', 'rain', true],
        [1, 'dn-rl-1', 'level', true],
      ],
    );
    // The other river station rising too does not raise again.
    assert.deepEqual(
      trace(rt, 2, [
        [16, 1.0],
        [17, 1.5],
      ]),
      ['repeat', 'repeat'],
    );
    // Rain stops; once the hour holds less than 30 mm, the alert clears.
    assert.deepEqual(
      trace(rt, 10, [
        [20, 0],
        [66, 0],
      ]),
      ['repeat', 'clear'],
    );
  });

  it('counts leaves across nested composites in order', () => {
    // any(all(level > 3, rising), level > 5)
    const c: Condition = { kind: 'any', conditions: [{ kind: 'all', conditions: [levelAbove(3, 2.5), rising] }, levelAbove(5, 4.5)] };
    const rt = runtime(rule(c), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 3.1],
        [60, 3.2], // above 3, not rising, below 5
        [120, 5.1], // above 5 (and rising)
        [180, 5.1], // above 5 only
        [240, 4.0], // neither
      ]),
      ['-', '-', 'raise', 'repeat', 'clear'],
    );
  });
});

describe('RuleRuntime: repeats and severity steps', () => {
  it('repeats with the current value while firing', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    one(rt, 1, 0, 3.2);
    const t = one(rt, 1, 5, 3.6);
    assert.deepEqual(t && { kind: t.kind, ts: t.ts, value: t.value, severity: t.kind === 'repeat' ? t.severity : undefined }, {
      kind: 'repeat',
      ts: at(5),
      value: 3.6,
      severity: 'major',
    });
  });

  it('raises the severity with the value through the steps, and lowers it back', () => {
    const r = rule(levelAbove(), {
      severitySteps: [
        { value: 3.5, severity: 'critical' },
        { value: 4, severity: 'extreme' },
      ],
    });
    const rt = runtime(r, [river1]);
    const sev = (m: number, v: number): string | undefined => {
      const t = one(rt, 1, m, v);
      return t && t.kind !== 'clear' ? `${t.kind}:${t.severity}` : t?.kind;
    };
    assert.equal(sev(0, 3.2), 'raise:major');
    assert.equal(sev(5, 3.6), 'repeat:critical');
    assert.equal(sev(10, 4.3), 'repeat:extreme');
    assert.equal(sev(15, 3.7), 'repeat:critical');
    assert.equal(sev(20, 2), 'clear');
    assert.equal(sev(25, 4.1), 'raise:extreme');
  });

  it('an area subject measures the most alarming value of the series that hold', () => {
    const r = rule(levelAbove(), { per: 'area', severitySteps: [{ value: 4, severity: 'critical' }] });
    const rt = runtime(r, [river1, river2]);
    one(rt, 2, 0, 4.5);
    const t = one(rt, 1, 1, 3.2);
    assert.equal(t?.kind, 'repeat');
    assert.equal(t?.value, 4.5);
    assert.equal(t?.kind === 'repeat' && t.severity, 'critical');
  });
});

describe('RuleRuntime: readings out of order', () => {
  it('ignores a duplicate reading (same instant)', () => {
    const rt = runtime(rule({ kind: 'duration', attr: 'level', op: '>', value: 3, readings: 2 }), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 4],
        [0, 4], // redelivered: must not count as the second reading
        [5, 4],
      ]),
      ['-', '-', 'raise'],
    );
  });

  it('ignores a reading older than the last one seen', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    assert.deepEqual(
      trace(rt, 1, [
        [10, 4],
        [5, 1], // late: would clear
        [15, 3.5],
      ]),
      ['raise', '-', 'repeat'],
    );
    assert.deepEqual(
      trace(rt, 1, [
        [20, 1],
        [12, 5], // late: would raise
      ]),
      ['clear', '-'],
    );
  });

  it('keeps late readings out of windows and evidence', () => {
    const c: Condition = { kind: 'window', attr: 'rain', agg: 'sum', minutes: 60, op: '>=', raise: 50, clear: 30 };
    const rt = runtime(rule(c), [rain1]);
    trace(rt, 10, [
      [10, 40],
      [5, 40],
    ]);
    const r = raised(one(rt, 10, 15, 10));
    assert.equal(r.value, 50);
    assert.deepEqual(
      r.evidence.leaves[0]!.readings.map((x) => x.ts),
      [at(10), at(15)],
    );
  });
});

describe('RuleRuntime: suppression and offline devices', () => {
  it('does not raise while suppressed, and raises after the window if the condition still holds', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    const asked: [string, number][] = [];
    const maintenance = ctx({ suppressed: (s: Subject, ts) => (asked.push([s.key, ts]), ts < at(30)) });
    assert.deepEqual(
      trace(
        rt,
        1,
        [
          [0, 4],
          [10, 4],
          [30, 4],
        ],
        maintenance,
      ),
      ['-', '-', 'raise'],
    );
    assert.deepEqual(asked[0], ['device:dn-rl-1', at(0)]);
  });

  it('does not raise after a suppressed window when the condition has cleared meanwhile', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    const maintenance = ctx({ suppressed: (_s, ts) => ts < at(30) });
    assert.deepEqual(
      trace(
        rt,
        1,
        [
          [0, 4],
          [20, 1],
          [30, 2.9],
        ],
        maintenance,
      ),
      ['-', '-', '-'],
    );
  });

  it('still repeats and clears an alert already raised when a suppression begins', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    one(rt, 1, 0, 4);
    const maintenance = ctx({ suppressed: () => true });
    assert.deepEqual(
      trace(
        rt,
        1,
        [
          [5, 4],
          [10, 1],
        ],
        maintenance,
      ),
      ['repeat', 'clear'],
    );
  });

  it('does not raise value alerts from an offline device, and raises once it is online', () => {
    const rt = runtime(rule(levelAbove()), [river1, river2]);
    let off = true;
    const c = ctx({ offline: (id) => off && id === 'dn-rl-1' });
    assert.deepEqual(trace(rt, 1, [[0, 4]], c), ['-']);
    assert.deepEqual(trace(rt, 2, [[0, 4]], c), ['raise'], 'another device is not affected');
    off = false;
    assert.deepEqual(trace(rt, 1, [[5, 4]], c), ['raise']);
  });

  it('clears an alert of a device that went offline', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    one(rt, 1, 0, 4);
    assert.deepEqual(trace(rt, 1, [[5, 1]], ctx({ offline: () => true })), ['clear']);
  });
});

describe('RuleRuntime: seeding after a restart', () => {
  it('a seeded firing subject repeats (not raises) while the condition holds and clears on the next safe reading', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    rt.setFiring('device:dn-rl-1', true);
    assert.equal(rt.isFiring('device:dn-rl-1'), true);
    assert.deepEqual(
      trace(rt, 1, [
        [0, 3.4],
        [5, 2],
      ]),
      ['repeat', 'clear'],
    );
  });

  it('a seeded firing subject clears at once on a safe first reading', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    rt.setFiring('device:dn-rl-1', true);
    assert.deepEqual(trace(rt, 1, [[0, 1]]), ['clear']);
  });

  it('a seeded non-firing subject whose condition holds raises', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    one(rt, 1, 0, 4);
    rt.setFiring('device:dn-rl-1', false);
    assert.deepEqual(trace(rt, 1, [[5, 4]]), ['raise']);
  });

  it('a seeded firing absence subject clears at the next reading, or repeats when the device is still silent', () => {
    const rt = runtime(rule({ kind: 'absence', attr: 'level', factor: 3 }), [river1, river2]);
    rt.seen(1, at(0));
    rt.seen(2, at(0));
    rt.setFiring('device:dn-rl-1', true);
    rt.setFiring('device:dn-rl-2', true);
    assert.deepEqual(trace(rt, 1, [[1, 2]]), ['clear']);
    assert.deepEqual(
      rt.tick(at(16), ctx()).map((t) => [t.kind, t.subject.key]),
      [['repeat', 'device:dn-rl-2']],
    );
  });

  it('ignores an unknown subject', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    rt.setFiring('device:nope', true);
    assert.equal(rt.isFiring('device:nope'), false);
  });
});

describe('RuleRuntime: evidence', () => {
  it('names the rule, its version and condition, and the instant', () => {
    const r = rule(levelAbove(), { id: 'river-bd3', version: 7 });
    const rt = runtime(r, [river1]);
    const e = raised(one(rt, 1, 10, 3.3)).evidence;
    assert.equal(e.ruleId, 'river-bd3');
    assert.equal(e.ruleVersion, 7);
    assert.deepEqual(e.condition, levelAbove());
    assert.equal(e.ts, at(10));
    assert.deepEqual(e.leaves, [{ leaf: 0, deviceId: 'dn-rl-1', attr: 'level', holds: true, value: 3.3, readings: [{ ts: at(10), value: 3.3 }] }]);
  });

  it(`keeps the last ${EVIDENCE_READINGS} readings of the series, oldest first`, () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    const points: [number, number][] = Array.from({ length: 20 }, (_, i) => [i, 1 + i * 0.01]);
    trace(rt, 1, points);
    const e = raised(one(rt, 1, 20, 4)).evidence;
    const readings = e.leaves[0]!.readings;
    assert.equal(readings.length, EVIDENCE_READINGS);
    assert.deepEqual(
      readings.map((x) => x.ts),
      Array.from({ length: EVIDENCE_READINGS }, (_, i) => at(20 - EVIDENCE_READINGS + 1 + i)),
    );
    assert.equal(readings.at(-1)!.value, 4);
  });

  it('shows, for a leaf that does not hold, its freshest series', () => {
    const c: Condition = { kind: 'any', conditions: [levelAbove(3, 2.5), levelAbove(10, 9)] };
    const rt = runtime(rule(c, { per: 'area' }), [river1, river2]);
    one(rt, 2, 0, 1);
    one(rt, 1, 1, 2);
    const e = raised(one(rt, 2, 2, 4)).evidence;
    assert.deepEqual(
      e.leaves.map((l) => [l.leaf, l.deviceId, l.holds, l.value]),
      [
        [0, 'dn-rl-2', true, 4],
        [1, 'dn-rl-2', false, 4],
      ],
    );
  });

  it('lists every series that holds', () => {
    const rt = runtime(rule(levelAbove(), { per: 'area' }), [river1, river2]);
    one(rt, 1, 0, 3.1);
    rt.setFiring('area:48', false);
    const e = raised(one(rt, 2, 1, 3.2)).evidence;
    assert.deepEqual(
      e.leaves.map((l) => [l.deviceId, l.value]),
      [
        ['dn-rl-1', 3.1],
        ['dn-rl-2', 3.2],
      ],
    );
  });

  it('is a copy: later readings do not change a raised alert’s evidence', () => {
    const rt = runtime(rule(levelAbove()), [river1]);
    const e = raised(one(rt, 1, 0, 4)).evidence;
    one(rt, 1, 5, 5);
    assert.deepEqual(e.leaves[0]!.readings, [{ ts: at(0), value: 4 }]);
  });
});
