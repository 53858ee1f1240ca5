import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Checked } from './result.ts';
import {
  RISK_LEVEL_INFO,
  alarmLevels,
  combinedRiskLevel,
  findStation,
  floodLevel,
  floodLevelLabel,
  floodRiskLevel,
  heavyRainBand,
  heavyRainRiskLevel,
  rainfallClass,
  stationFloodRiskLevel,
  urbanFloodDepthClass,
  validateWarningThresholds,
  type FloodRiskInput,
  type HeavyRainInput,
  type RiskAssessment,
  type WarningThresholds,
} from './warning-levels.ts';

type Raw = Record<string, unknown>;

const PRESET_URL = new URL('../../server/presets/warning-thresholds.json', import.meta.url);
const readPreset = (): Raw => JSON.parse(readFileSync(PRESET_URL, 'utf8')) as Raw;

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

const thresholds = (): WarningThresholds => value(validateWarningThresholds(readPreset()));
const tag = { status: 'derived', note: 'test' };
/** A small valid configuration. */
const base = (): Raw => ({
  id: 'test',
  name: { vi: 'Thử', en: 'Test' },
  source: 'unit tests',
  sources: { S1: 'https://example.org/s1' },
  floodStations: [
    { id: 'a', river: 'Sông A', station: 'A', province: 'P', decision: 'QĐ 05/2020/QĐ-TTg', bd1: { m: 1, ...tag, sources: ['S1'] }, bd2: { m: 2, ...tag }, bd3: { m: 3, ...tag } },
    { id: 'b', river: 'Sông B', station: 'B', province: 'P', decision: 'QĐ 05/2020/QĐ-TTg', bd1: { m: 10, ...tag }, bd2: { m: 11, ...tag }, bd3: { m: 12, ...tag } },
  ],
  rainfall: {
    '12h': [{ class: 'light', above: 0, ...tag }, { class: 'rain', atLeast: 3, ...tag }],
    '24h': [{ class: 'light', above: 0, ...tag }, { class: 'rain', atLeast: 6, ...tag }],
  },
  urbanFloodDepth: [{ class: 'shallow', above: 0, ...tag }, { class: 'moderate', atLeast: 0.2, ...tag }],
  riskColours: [1, 2, 3, 4, 5].map((level) => ({ level, hex: '#123456', ...tag })),
});
const stations = (p: Raw): Raw[] => p.floodStations as Raw[];
const patchStation = (i: number, patch: Raw): Raw => {
  const p = base();
  stations(p)[i] = { ...stations(p)[i]!, ...patch };
  return p;
};

const determined = (a: RiskAssessment): number => {
  if (!a.determined) assert.fail(`expected a level, got ${JSON.stringify(a)}`);
  return a.level;
};
const reason = (a: RiskAssessment): string => {
  if (a.determined) assert.fail(`expected no level, got ${a.level} (${a.clause})`);
  return a.reason;
};

describe('floodLevel: BĐ1–BĐ3', () => {
  const levels = { bd1: 2, bd2: 3, bd3: 4 }; // Câu Lâu
  for (const [h, level] of [
    [-0.5, 0],
    [1.99, 0],
    [2, 1],
    [2.99, 1],
    [3, 2],
    [3.99, 2],
  ] as const) {
    it(`${h} m → level ${level}, no "trên BĐ3"`, () => assert.deepEqual(floodLevel(levels, h), { level }));
  }

  it('exactly at BĐ3 → level 3, 0 m above', () => assert.deepEqual(floodLevel(levels, 4), { level: 3, aboveBd3M: 0 }));

  it('Câu Lâu 5.62 m (record of 30/10/2025) → BĐ3 + 1.62 m, without float noise', () => {
    const r = floodLevel(findStation(thresholds(), 'cau-lau')!, 5.62);
    assert.deepEqual(r, { level: 3, aboveBd3M: 1.62 });
    assert.deepEqual(floodLevelLabel(r), { vi: 'trên BĐ3 1,62 m', en: '1.62 m above alarm level 3' });
  });

  it('far above BĐ3 (Ái Nghĩa 10.56 m → 1.56, Cẩm Lệ 3.20 m → 0.70)', () => {
    const t = thresholds();
    assert.deepEqual(floodLevel(findStation(t, 'ai-nghia')!, 10.56), { level: 3, aboveBd3M: 1.56 });
    assert.deepEqual(floodLevel(findStation(t, 'cam-le')!, 3.2), { level: 3, aboveBd3M: 0.7 });
  });

  it('labels below BĐ1, at BĐn and at BĐ3', () => {
    assert.deepEqual(floodLevelLabel({ level: 0 }), { vi: 'dưới BĐ1', en: 'below alarm level 1' });
    assert.deepEqual(floodLevelLabel({ level: 2 }), { vi: 'BĐ2', en: 'alarm level 2' });
    assert.deepEqual(floodLevelLabel({ level: 3, aboveBd3M: 0 }), { vi: 'BĐ3', en: 'alarm level 3' });
  });

  it('refuses a non-finite water level', () => {
    assert.throws(() => floodLevel(levels, Number.NaN), RangeError);
    assert.throws(() => floodLevel(levels, Number.POSITIVE_INFINITY), RangeError);
  });
});

describe('rainfallClass: KTTV classes per 12 h and 24 h', () => {
  const cases: [period: '12h' | '24h', mm: number, cls: string][] = [
    ['12h', 0, 'none'],
    ['12h', 0.1, 'negligible'],
    ['12h', 0.29, 'negligible'],
    ['12h', 0.3, 'light'],
    ['12h', 2.9, 'light'],
    ['12h', 3, 'rain'],
    ['12h', 8, 'rain'],
    ['12h', 8.1, 'moderate'],
    ['12h', 25, 'moderate'],
    ['12h', 25.1, 'heavy'],
    ['12h', 50, 'heavy'],
    ['12h', 50.1, 'very_heavy'],
    ['24h', 0, 'none'],
    ['24h', 0.1, 'light'],
    ['24h', 5.9, 'light'],
    ['24h', 6, 'rain'],
    ['24h', 15, 'rain'],
    ['24h', 15.5, 'moderate'],
    ['24h', 16, 'moderate'],
    ['24h', 50, 'moderate'],
    ['24h', 50.5, 'heavy'],
    ['24h', 51, 'heavy'],
    ['24h', 100, 'heavy'],
    ['24h', 100.1, 'very_heavy'],
    ['24h', 800, 'very_heavy'],
  ];
  for (const [period, mm, cls] of cases) {
    it(`${mm} mm / ${period} → ${cls}`, () => assert.equal(rainfallClass(thresholds().rainfall, period, mm).class, cls));
  }

  it('gives the KTTV names', () => {
    const r = thresholds().rainfall;
    assert.deepEqual(rainfallClass(r, '24h', 120).name, { vi: 'Mưa rất to', en: 'Very heavy rain' });
    assert.deepEqual(rainfallClass(r, '12h', 0.2).name, { vi: 'Mưa nhỏ, không đáng kể', en: 'Trace of rain' });
    assert.deepEqual(rainfallClass(r, '24h', 30).name.vi, 'Mưa vừa');
    assert.deepEqual(rainfallClass(r, '24h', 0).name, { vi: 'Không mưa', en: 'No rain' });
  });

  it('refuses a negative or non-finite amount', () => {
    const r = thresholds().rainfall;
    assert.throws(() => rainfallClass(r, '24h', -1), RangeError);
    assert.throws(() => rainfallClass(r, '24h', Number.NaN), RangeError);
  });
});

describe('urbanFloodDepthClass: product bands', () => {
  for (const [d, cls] of [
    [0, 'none'],
    [0.05, 'shallow'],
    [0.19, 'shallow'],
    [0.2, 'moderate'],
    [0.49, 'moderate'],
    [0.5, 'deep'],
    [1.0, 'deep'],
    [1.01, 'very_deep'],
  ] as const) {
    it(`${d} m → ${cls}`, () => assert.equal(urbanFloodDepthClass(thresholds().urbanFloodDepth, d).class, cls));
  }
  it('refuses a negative depth', () => assert.throws(() => urbanFloodDepthClass(thresholds().urbanFloodDepth, -0.1), RangeError));
});

describe('risk levels 1–5 and their colours', () => {
  const expected = [
    [1, 'Low', 'light blue'],
    [2, 'Medium', 'light yellow'],
    [3, 'High', 'orange'],
    [4, 'Very high', 'red'],
    [5, 'Catastrophic', 'purple'],
  ] as const;
  for (const [level, name, colour] of expected) {
    it(`level ${level}: ${name}, ${colour}; a configured display colour marked unverified`, () => {
      const info = RISK_LEVEL_INFO[level];
      assert.equal(info.level, level);
      assert.equal(info.name.en, name);
      assert.equal(info.colour.en, colour);
      assert.ok(info.name.vi.length > 0 && info.colour.vi.length > 0);
      const c = thresholds().riskColours.find((x) => x.level === level)!;
      assert.match(c.hex, /^#[0-9A-F]{6}$/i);
      assert.equal(c.status, 'unverified');
    });
  }
});

describe('combinedRiskLevel: +1 / +2 for combined hazards, at most 5', () => {
  it('without a raise: the highest level', () => assert.equal(value(combinedRiskLevel([2, 3], 0)), 3));
  it('+1', () => assert.equal(value(combinedRiskLevel([2, 3], 1)), 4));
  it('+2 (serious damage likely)', () => assert.equal(value(combinedRiskLevel([1, 3], 2)), 5));
  it('capped at 5', () => {
    assert.equal(value(combinedRiskLevel([4, 2], 2)), 5);
    assert.equal(value(combinedRiskLevel([5, 5], 1)), 5);
  });
  it('a single hazard keeps its level, and is not raised', () => {
    assert.equal(value(combinedRiskLevel([3], 0)), 3);
    assert.deepEqual(errs(combinedRiskLevel([3], 1)), [['raise', 'single_hazard']]);
  });
  it('refuses no hazards, unknown levels and raises', () => {
    assert.deepEqual(errs(combinedRiskLevel([], 0)), [['levels', 'empty']]);
    assert.deepEqual(errs(combinedRiskLevel([2, 6 as 5], 3 as 2)), [
      ['levels/1', 'bad_value'],
      ['raise', 'bad_value'],
    ]);
  });
});

describe('heavyRainRiskLevel (Điều 44)', () => {
  const rain = (over: Partial<HeavyRainInput>): HeavyRainInput => ({ mm: 150, period: '24h', days: 1, terrain: 'delta_coastal', extent: 'one_province', ...over });

  it('bands: 100–200, >200–400, >400 mm/24 h; 50–100 mm/12 h', () => {
    assert.equal(heavyRainBand(99.9), undefined);
    assert.equal(heavyRainBand(100), '100-200');
    assert.equal(heavyRainBand(200), '100-200');
    assert.equal(heavyRainBand(200.1), '200-400');
    assert.equal(heavyRainBand(400), '200-400');
    assert.equal(heavyRainBand(400.1), '400+');
    assert.equal(heavyRainBand(49.9, '12h'), undefined);
    assert.equal(heavyRainBand(50, '12h'), '100-200');
    assert.equal(heavyRainBand(100, '12h'), '100-200');
    assert.equal(heavyRainBand(101, '12h'), undefined);
  });

  it('level 1: 100–200 mm/24 h or 50–100 mm/12 h for 1–2 days, any terrain', () => {
    assert.equal(determined(heavyRainRiskLevel(rain({}))), 1);
    assert.equal(determined(heavyRainRiskLevel(rain({ mm: 200, days: 2, terrain: 'midland_mountain' }))), 1);
    assert.equal(determined(heavyRainRiskLevel(rain({ mm: 60, period: '12h' }))), 1);
  });

  it('level 4 (a): >200–400 mm/24 h for more than 4 days in midland/mountain, several provinces', () => {
    const a = rain({ mm: 300, days: 5, terrain: 'midland_mountain', extent: 'several_provinces' });
    assert.deepEqual(heavyRainRiskLevel(a), { determined: true, level: 4, clause: 'Điều 44.4.a' });
    assert.equal(reason(heavyRainRiskLevel({ ...a, days: 4 })), 'not_in_reference');
    assert.equal(reason(heavyRainRiskLevel({ ...a, extent: 'one_province' })), 'not_in_reference');
  });

  it('level 4 (b): >400 mm/24 h for more than 2 days (midland/mountain) or 4 days (delta/coastal), several provinces', () => {
    const b = rain({ mm: 450, days: 3, terrain: 'midland_mountain', extent: 'several_provinces' });
    assert.equal(determined(heavyRainRiskLevel(b)), 4);
    assert.equal(reason(heavyRainRiskLevel({ ...b, days: 2 })), 'not_in_reference');
    assert.equal(reason(heavyRainRiskLevel({ ...b, terrain: 'delta_coastal' })), 'not_in_reference');
    assert.equal(determined(heavyRainRiskLevel({ ...b, terrain: 'delta_coastal', days: 5 })), 4);
  });

  it('levels 2 and 3 are not computed; below 100 mm is below level 1', () => {
    assert.equal(reason(heavyRainRiskLevel(rain({ days: 3 }))), 'not_in_reference');
    assert.equal(reason(heavyRainRiskLevel(rain({ mm: 300, days: 2 }))), 'not_in_reference');
    assert.equal(reason(heavyRainRiskLevel(rain({ mm: 120, period: '12h' }))), 'not_in_reference');
    assert.equal(reason(heavyRainRiskLevel(rain({ mm: 99 }))), 'below_level_1');
  });
});

describe('floodRiskLevel (Điều 45)', () => {
  const f = (h: number, area: 1 | 2 | 3 | 4, basins: FloodRiskInput['basins'] = 'one_basin'): RiskAssessment =>
    floodRiskLevel({ levels: { bd1: 2, bd2: 3, bd3: 4 }, waterLevelM: h, area, basins });

  it('below BĐ1: below level 1', () => {
    for (const area of [1, 2, 3, 4] as const) assert.equal(reason(f(1.99, area)), 'below_level_1');
  });
  it('level 1: BĐ1 ≤ H < BĐ2 at khu vực 1–3, BĐ2 ≤ H < BĐ3 at khu vực 1 (one basin)', () => {
    for (const area of [1, 2, 3] as const) assert.deepEqual(f(2, area), { determined: true, level: 1, clause: 'Điều 45.1.a' });
    assert.deepEqual(f(3, 1), { determined: true, level: 1, clause: 'Điều 45.1.b' });
  });
  it('level 2: (a) BĐ1–BĐ2 khu vực 4, (b) BĐ2–BĐ3 khu vực 2, 3, (c) BĐ3 to BĐ3 + 1 m khu vực 1, 2', () => {
    assert.equal(determined(f(2.5, 4)), 2);
    assert.equal(determined(f(3.99, 2)), 2);
    assert.equal(determined(f(3, 3)), 2);
    assert.deepEqual(f(4, 1), { determined: true, level: 2, clause: 'Điều 45.2.c' });
    assert.equal(determined(f(4.99, 2)), 2);
    assert.equal(reason(f(5, 2)), 'not_in_reference');
    assert.equal(reason(f(4, 3)), 'not_in_reference');
  });
  it('level 2 (d): several basins, BĐ1–BĐ3 at khu vực 1 or BĐ1–BĐ2 at khu vực 2, 3', () => {
    assert.equal(determined(f(3.5, 1, 'several_basins')), 2);
    assert.equal(determined(f(2.5, 3, 'several_basins')), 2);
    assert.equal(reason(f(3, 2, 'several_basins')), 'not_in_reference');
    assert.equal(reason(f(2, 4, 'several_basins')), 'not_in_reference');
  });
  it('level 3 (a): BĐ2 ≤ H < BĐ3 + 0.3 m at khu vực 4; from BĐ3 + 0.3 m not computed', () => {
    assert.deepEqual(f(3, 4), { determined: true, level: 3, clause: 'Điều 45.3.a' });
    assert.equal(determined(f(4.29, 4)), 3);
    assert.equal(reason(f(4.3, 4)), 'not_in_reference');
  });
  it('BĐ3 + 0.3 m is compared without float noise (BĐ3 2.5 + 0.3 = 2.8)', () => {
    assert.equal(reason(floodRiskLevel({ levels: { bd1: 1, bd2: 2, bd3: 2.5 }, waterLevelM: 2.8, area: 4, basins: 'one_basin' })), 'not_in_reference');
  });
  it('not computed for the shipped stations: their area class is unknown', () => {
    const t = thresholds();
    for (const s of t.floodStations) assert.equal(reason(stationFloodRiskLevel(s, s.bd3.m + 1, 'one_basin')), 'area_unknown');
    const withArea = { ...findStation(t, 'cau-lau')!, riskArea: 1 as const };
    assert.equal(determined(stationFloodRiskLevel(withArea, 2.5, 'one_basin')), 1);
  });
});

describe('packages/server/presets/warning-thresholds.json', () => {
  it('validates', () => {
    const t = thresholds();
    assert.ok(t.floodStations.length >= 9);
  });

  it('holds the Đà Nẵng demo stations with the reference values, all derived', () => {
    const t = thresholds();
    for (const [id, station, river, levels] of [
      ['cam-le', 'Cẩm Lệ', 'Hàn / Cẩm Lệ', [1.0, 2.0, 2.5]],
      ['ai-nghia', 'Ái Nghĩa', 'Vu Gia', [6.5, 8.0, 9.0]],
      ['cau-lau', 'Câu Lâu', 'Thu Bồn', [2.0, 3.0, 4.0]],
    ] as const) {
      const s = findStation(t, id);
      assert.ok(s, id);
      assert.equal(s.station, station);
      assert.equal(s.river, river);
      assert.deepEqual(alarmLevels(s), { bd1: levels[0], bd2: levels[1], bd3: levels[2] });
      for (const k of ['bd1', 'bd2', 'bd3'] as const) assert.equal(s[k].status, 'derived', `${id} ${k}`);
    }
  });

  it('holds the other reference stations and the records', () => {
    const t = thresholds();
    const lv = (id: string): number[] => Object.values(alarmLevels(findStation(t, id)!));
    assert.deepEqual(lv('hoi-khach'), [14.5, 15.5, 16.5]);
    assert.deepEqual(lv('nong-son'), [11, 13, 15]);
    assert.deepEqual(lv('giao-thuy'), [6.5, 7.5, 8.8]);
    assert.deepEqual(lv('hoi-an'), [1, 1.5, 2]);
    assert.deepEqual(lv('tam-ky'), [1.7, 2.2, 2.7]);
    assert.deepEqual(lv('kim-long'), [1, 2, 3.5]);
    assert.deepEqual(lv('phu-an'), [1.4, 1.5, 1.6]);
    assert.equal(findStation(t, 'phu-an')!.bd3.status, 'unverified');
    const record = (id: string) => findStation(t, id)!.peaks!.find((p) => p.record)!;
    assert.deepEqual([record('cau-lau').m, record('cau-lau').status], [5.62, 'verified']);
    assert.deepEqual([record('ai-nghia').m, record('ai-nghia').when], [10.77, '2009']);
    assert.deepEqual([record('hoi-an').m, record('hoi-an').when], [3.4, '1964']);
  });

  it('marks the bounds our reading decides, and every street-depth band, unverified', () => {
    const t = thresholds();
    const st = (p: '12h' | '24h') => Object.fromEntries(t.rainfall[p].map((b) => [b.class, b.status]));
    assert.deepEqual(st('12h'), { negligible: 'unverified', light: 'verified', rain: 'verified', moderate: 'unverified', heavy: 'unverified', very_heavy: 'verified' });
    assert.deepEqual(st('24h'), { light: 'unverified', rain: 'verified', moderate: 'unverified', heavy: 'unverified', very_heavy: 'verified' });
    assert.ok(t.urbanFloodDepth.every((b) => b.status === 'unverified'));
  });
});

describe('validateWarningThresholds: refusals', () => {
  it('accepts the small base and returns it', () => {
    assert.deepEqual(value(validateWarningThresholds(base())), base() as unknown as WarningThresholds);
  });

  it('refuses a non-object', () => {
    assert.deepEqual(errs(validateWarningThresholds([])), [['', 'wrong_type']]);
    assert.deepEqual(errs(validateWarningThresholds(null)), [['', 'wrong_type']]);
  });

  it('reports every missing top-level field and unknown field', () => {
    assert.deepEqual(errs(validateWarningThresholds({ extra: 1 })), [
      ['id', 'required'],
      ['name', 'required'],
      ['source', 'required'],
      ['sources', 'required'],
      ['floodStations', 'required'],
      ['rainfall', 'required'],
      ['urbanFloodDepth', 'required'],
      ['riskColours', 'required'],
      ['extra', 'unknown_field'],
    ]);
  });

  it('refuses levels that do not increase', () => {
    const eq = patchStation(0, { bd2: { m: 1, ...tag } });
    assert.deepEqual(errs(validateWarningThresholds(eq)), [['floodStations/0/bd2/m', 'not_increasing']]);
    const down = patchStation(1, { bd3: { m: 10.5, ...tag } });
    assert.deepEqual(errs(validateWarningThresholds(down)), [['floodStations/1/bd3/m', 'not_increasing']]);
  });

  it('refuses non-finite or missing numbers and unknown tags, each with its path', () => {
    const p = patchStation(0, { bd1: { m: '1', ...tag }, bd2: { m: 2, status: 'official', note: 'x' }, bd3: { status: 'derived', note: '' } });
    assert.deepEqual(errs(validateWarningThresholds(p)), [
      ['floodStations/0/bd1/m', 'not_a_number'],
      ['floodStations/0/bd2/status', 'unknown_status'],
      ['floodStations/0/bd3/m', 'required'],
      ['floodStations/0/bd3/note', 'required'],
    ]);
    // JSON has no NaN, but an object built in code may.
    assert.deepEqual(errs(validateWarningThresholds(patchStation(0, { bd1: { m: Number.NaN, ...tag } }))), [['floodStations/0/bd1/m', 'not_a_number']]);
  });

  it('refuses duplicate station ids, bad ids, unknown sources and unknown fields', () => {
    const p = patchStation(1, { id: 'a', extra: true });
    (stations(p)[0]!.bd1 as Raw).sources = ['S1', 'S9'];
    stations(p).push({ ...stations(base())[1]!, id: 'Bad Id' });
    assert.deepEqual(errs(validateWarningThresholds(p)), [
      ['floodStations/0/bd1/sources/1', 'unknown_source'],
      ['floodStations/1/extra', 'unknown_field'],
      ['floodStations/1/id', 'duplicate'],
      ['floodStations/2/id', 'bad_format'],
    ]);
  });

  it('refuses a second record peak and a bad date', () => {
    const peak = { m: 4, when: '2025-10-30T02:00+07:00', record: true, ...tag };
    const p = patchStation(0, { peaks: [peak, { ...peak, when: '30/10/2025' }, { ...peak }] });
    assert.deepEqual(errs(validateWarningThresholds(p)), [
      ['floodStations/0/peaks/1/when', 'bad_format'],
      ['floodStations/0/peaks/2/record', 'multiple_records'],
    ]);
  });

  it('refuses a bad riskArea', () => {
    assert.deepEqual(errs(validateWarningThresholds(patchStation(0, { riskArea: 5 }))), [['floodStations/0/riskArea', 'bad_value']]);
    assert.equal(value(validateWarningThresholds(patchStation(0, { riskArea: 4 }))).floodStations[0]!.riskArea, 4);
  });

  it('maps devices to stations: ids well formed, each device at one station at most', () => {
    const ok_ = patchStation(0, { devices: ['rl-a-001', 'rl-a-002'] });
    assert.deepEqual(value(validateWarningThresholds(ok_)).floodStations[0]!.devices, ['rl-a-001', 'rl-a-002']);
    const p = patchStation(0, { devices: ['rl-a-001', 'bad id', 'rl-a-001', 7] });
    stations(p)[1]!.devices = ['rl-b-001', 'rl-a-001'];
    assert.deepEqual(errs(validateWarningThresholds(p)), [
      ['floodStations/0/devices/1', 'bad_format'],
      ['floodStations/0/devices/2', 'duplicate'],
      ['floodStations/0/devices/3', 'bad_format'],
    ]);
    const q = patchStation(0, { devices: ['rl-a-001'] });
    stations(q)[1]!.devices = ['rl-b-001', 'rl-a-001'];
    assert.deepEqual(errs(validateWarningThresholds(q)), [['floodStations/1/devices/1', 'duplicate']]);
    assert.deepEqual(errs(validateWarningThresholds(patchStation(0, { devices: 'rl-a-001' }))), [['floodStations/0/devices', 'wrong_type']]);
  });

  it('refuses class bounds out of order, duplicated, not increasing, unknown or without exactly one bound', () => {
    const p = base();
    p.rainfall = {
      '12h': [{ class: 'rain', atLeast: 3, ...tag }, { class: 'light', atLeast: 4, ...tag }],
      '24h': [{ class: 'light', above: 5, ...tag }, { class: 'rain', atLeast: 5, ...tag }, { class: 'rain', atLeast: 9, ...tag }, { class: 'drizzle', above: 10, ...tag }],
      '6h': [],
    };
    p.urbanFloodDepth = [{ class: 'shallow', ...tag }, { class: 'deep', atLeast: 0.5, above: 0.4, ...tag }, { class: 'very_deep', atLeast: -1, ...tag }];
    assert.deepEqual(errs(validateWarningThresholds(p)), [
      ['rainfall/12h/1/class', 'bad_order'],
      ['rainfall/24h/1', 'not_increasing'],
      ['rainfall/24h/2/class', 'duplicate'],
      ['rainfall/24h/3/class', 'unknown_class'],
      ['rainfall/6h', 'unknown_field'],
      ['urbanFloodDepth/0', 'bound_required'],
      ['urbanFloodDepth/1', 'bound_required'],
      ['urbanFloodDepth/2/atLeast', 'out_of_range'],
    ]);
  });

  it('accepts `above x` right after `atLeast x`, refuses empty class lists', () => {
    const p = base();
    (p.urbanFloodDepth as Raw[]).push({ class: 'deep', above: 0.2, ...tag });
    assert.equal(value(validateWarningThresholds(p)).urbanFloodDepth.length, 3);
    const q = base();
    q.urbanFloodDepth = [];
    assert.deepEqual(errs(validateWarningThresholds(q)), [['urbanFloodDepth', 'empty']]);
  });

  it('refuses missing, duplicate and bad risk colours', () => {
    const p = base();
    p.riskColours = [
      { level: 1, hex: '#123456', ...tag },
      { level: 1, hex: 'red', ...tag },
      { level: 6, hex: '#654321', ...tag },
    ];
    assert.deepEqual(errs(validateWarningThresholds(p)), [
      ['riskColours/1/level', 'duplicate'],
      ['riskColours/1/hex', 'bad_format'],
      ['riskColours/2/level', 'bad_value'],
      ['riskColours', 'missing_level'],
    ]);
  });

  it('refuses bad source keys and blank source texts', () => {
    const p = base();
    p.sources = { S1: 'https://example.org/s1', 'bad key': 'x', S2: ' ' };
    assert.deepEqual(errs(validateWarningThresholds(p)), [
      ['sources/bad key', 'bad_format'],
      ['sources/S2', 'required'],
    ]);
  });
});
