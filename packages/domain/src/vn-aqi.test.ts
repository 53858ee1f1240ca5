import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AQI_BANDS,
  AQI_BREAKPOINTS,
  AQI_LEVELS,
  aqiBand,
  aqiDaily,
  aqiHourly,
  aqiOf,
  aqiOverall,
  nowCast,
  o3Max8h,
  subIndex,
  type AqiResult,
  type AqiTable,
} from './vn-aqi.ts';

/** The value of a result that must exist. */
function val(r: AqiResult | undefined): number {
  assert.ok(r, 'expected an index');
  return r.value;
}
const close = (actual: number | undefined, expected: number, eps = 1e-9): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < eps, `expected ${expected} ± ${eps}, got ${actual}`);
};

/** §2.3.a: PM2.5 hourly means 09:00 → 20:00, i.e. most recent last (c12 … c1). */
const PM25_EXAMPLE = [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6];

/** §2.2.2.a: O3 hourly means, 18:00 … 00:00 of the previous day, then 01:00 … 00:00 of the day. */
const O3_PRECEDING = [15.7, 14.2, 17.7, 18.9, 19.3, 15.7, 19.7];
const O3_DAY = [
  22.6, 27.1, 29.0, 31.9, 25.3, 34.7, 35.2, 41.6, 45.7, 49.2, 55.8, 69.6, 78.3, 91.5, 97.7, 81.2, 71.8, 43.5, 34.3, 21.5, 20.5, 19.4,
  20.4, 21.3,
];

describe('VN_AQI: worked examples of QĐ 1459/QĐ-TCMT (§2.3)', () => {
  it('NowCast of the PM2.5 series is 20.3 µg/m³ (w* = 16.5 / 26.9 = 0.61)', () => {
    const nc = nowCast(PM25_EXAMPLE);
    assert.ok(nc !== undefined);
    assert.equal(Math.round(nc * 10) / 10, 20.3);
    close(nc, 20.2657650072368, 1e-9);
  });

  it('hourly PM2.5 index from that series is 41', () => {
    const r = aqiHourly('pm25', PM25_EXAMPLE);
    assert.equal(val(r), 41);
    assert.equal(r!.basis, 'nowcast');
    assert.equal(r!.table, 'pm25');
  });

  it('hourly: O3 136.1 → 43, PM2.5 NowCast 20.3 → 41', () => {
    const o3 = aqiHourly('o3', [136.1]);
    assert.equal(val(o3), 43);
    assert.equal(o3!.table, 'o3_1h');
    close(o3!.exact, 42.53125);
    assert.equal(val(aqiOf('pm25', 'nowcast', 20.3)), 41);
  });

  it('hourly: NO2 118.7 → 59, not the 60 the decision prints', () => {
    // The decision writes (100 − 50) / (200 − 100) × (118.7 − 100) + 50 = 60, but that is 59.35,
    // which rounds to 59. Rounding up (ceiling) would explain 60 but contradicts its own daily
    // example NO2 130.8 → 65.4 → 65; half-up rounding fits every other example, so 60 is a slip.
    const no2 = aqiHourly('no2', [118.7]);
    close(no2!.exact, 59.35);
    assert.equal(val(no2), 59);
  });

  it('hourly overall of the example is 59 (the decision says 60, through the NO2 slip above)', () => {
    const all = aqiOverall([aqiHourly('o3', [136.1]), aqiHourly('no2', [118.7]), aqiHourly('pm25', PM25_EXAMPLE)]);
    assert.ok(all);
    assert.equal(all.value, 59);
    assert.deepEqual(all.dominant, ['no2']);
    assert.equal(all.band.name.vi, 'Trung bình');
  });

  it('daily: O3 8 h 89.3 → 45, O3 1 h 114.6 → 36, NO2 130.8 → 65, PM2.5 55.7 → 110, AQI^d = 110', () => {
    const o3by8h = aqiOf('o3', 'max8h', 89.3);
    const o3by1h = aqiOf('o3', 'max1h', 114.6);
    const no2 = aqiOf('no2', 'max1h', 130.8);
    const pm25 = aqiOf('pm25', '24h', 55.7);
    assert.equal(o3by8h!.table, 'o3_8h');
    assert.equal(val(o3by8h), 45); // 44.65
    assert.equal(val(o3by1h), 36); // 35.81
    assert.equal(val(no2), 65); // 65.4
    assert.equal(val(pm25), 110); // 109.5, rounded half up
    const all = aqiOverall([o3by8h, o3by1h, no2, pm25]);
    assert.equal(all!.value, 110);
    assert.deepEqual(all!.dominant, ['pm25']);
    assert.equal(all!.band.name.en, 'Poor');
  });

  it('highest 8-hour O3 mean of the §2.2.2.a table is 74.4 (window 10:00 → 17:00)', () => {
    const m = o3Max8h(O3_DAY, O3_PRECEDING);
    assert.equal(Math.round(m! * 10) / 10, 74.4);
    close(m!, (49.2 + 55.8 + 69.6 + 78.3 + 91.5 + 97.7 + 81.2 + 71.8) / 8);
  });
});

describe('VN_AQI: interpolation and breakpoints', () => {
  it('every breakpoint of every column gives exactly its level', () => {
    for (const [table, bps] of Object.entries(AQI_BREAKPOINTS) as [AqiTable, readonly number[]][]) {
      bps.forEach((bp, i) => {
        const s = subIndex(table, bp);
        assert.ok(s, `${table} ${bp}`);
        assert.equal(s.exact, AQI_LEVELS[i], `${table} at ${bp}`);
        assert.equal(s.capped, false);
      });
    }
  });

  it('is continuous: just above a breakpoint stays on the same index (no US-EPA jump to 51)', () => {
    assert.equal(val(aqiOf('pm25', '24h', 25)), 50);
    close(aqiOf('pm25', '24h', 25.1)!.exact, 50.2);
    assert.equal(val(aqiOf('pm25', '24h', 25.1)), 50);
    close(aqiOf('pm25', '24h', 50.1)!.exact, 100 + (50 / 30) * 0.1);
    assert.equal(val(aqiOf('pm25', '24h', 50.1)), 100);
    assert.equal(val(aqiOf('pm10', '24h', 50.9)), 50); // 50.45
    assert.equal(val(aqiOf('pm10', '24h', 51)), 51); // 50.5, half up
    assert.equal(val(aqiOf('co', 'max1h', 10000)), 50);
    assert.equal(val(aqiOf('co', 'max1h', 10100)), 50); // 50.25
    assert.equal(val(aqiOf('so2', 'max1h', 2100.5)), 400); // 400.09
  });

  it('0 µg/m³ is index 0', () => {
    assert.equal(val(aqiHourly('so2', [0])), 0);
  });

  it('above the top breakpoint ("≥" row): 500, flagged as capped', () => {
    const at = aqiOf('pm10', '24h', 600);
    assert.equal(val(at), 500);
    assert.equal(at!.capped, false);
    for (const [param, c] of [
      ['pm25', 500.1],
      ['pm10', 900],
      ['co', 200000],
      ['so2', 2630.01],
      ['no2', 5000],
      ['o3', 1500],
    ] as const) {
      const r = aqiHourly(param, param === 'pm25' || param === 'pm10' ? [c, c, c] : [c]);
      assert.equal(val(r), 500, param);
      assert.equal(r!.capped, true, param);
      assert.equal(r!.exact, 500);
    }
  });

  it('O3 8 h stops at 400 µg/m³ → 300; above it there is no 8-hour index', () => {
    assert.equal(val(aqiOf('o3', 'max8h', 400)), 300);
    assert.equal(aqiOf('o3', 'max8h', 400.1), undefined);
    assert.equal(subIndex('o3_8h', 1000), undefined);
  });

  it('bad concentrations are missing, never an error', () => {
    for (const bad of [-1, -0.001, NaN, Infinity, -Infinity]) {
      assert.equal(subIndex('pm25', bad), undefined);
      assert.equal(aqiHourly('no2', [bad]), undefined);
      assert.equal(aqiOf('pm25', '24h', bad), undefined);
    }
    assert.equal(aqiHourly('no2', []), undefined);
    assert.equal(aqiHourly('no2', [50, null]), undefined, 'current hour missing');
    assert.equal(aqiHourly('co', [50, undefined]), undefined);
  });

  it('CO is in µg/m³ like the other parameters: 5 mg/m³ = 5000 µg/m³ → 25', () => {
    assert.equal(val(aqiHourly('co', [5000])), 25);
  });
});

describe('VN_AQI: NowCast', () => {
  it('uses only the last 12 hours', () => {
    close(nowCast([1000, 1000, ...PM25_EXAMPLE]), nowCast(PM25_EXAMPLE)!);
  });

  it('a steady series gives its value', () => {
    close(nowCast(Array<number>(12).fill(40)), 40, 1e-12);
  });

  it('w* ≤ 1/2, all 12 hours: the decision’s formula Σ (1/2)^i·ci, as written (not normalised)', () => {
    // c1 = 100, c2..c12 = 10: w* = 0.1 → w = 1/2.
    const hours = [...Array<number>(11).fill(10), 100];
    const expected = 100 / 2 + 10 * (0.5 - 0.5 ** 12);
    close(nowCast(hours), expected, 1e-12);
    close(nowCast(hours), 54.99755859375, 1e-12);
  });

  it('w* exactly 1/2 takes w = 1/2', () => {
    const hours = [...Array<number>(11).fill(20), 10]; // Cmin / Cmax = 0.5
    close(nowCast(hours), 10 / 2 + 20 * (0.5 - 0.5 ** 12), 1e-12);
  });

  it('w* ≤ 1/2 with a missing hour: normalised, the missing weight set to 0', () => {
    // c1 = 100, c2 missing, c3..c12 = 10.
    const hours: (number | null)[] = [...Array<number>(10).fill(10), null, 100];
    let num = 100;
    let den = 1;
    for (let i = 2; i < 12; i++) {
      num += 0.5 ** i * 10;
      den += 0.5 ** i;
    }
    close(nowCast(hours), num / den, 1e-12);
  });

  it('w* > 1/2 with missing hours: those hours weigh 0, Cmin / Cmax over the present ones', () => {
    // c1 = 30, c2 = 24, c3 missing, c4 = 20, c5..c12 missing: w = 20 / 30.
    const w = 2 / 3;
    const expected = (30 + w * 24 + w ** 3 * 20) / (1 + w + w ** 3);
    close(nowCast([20, null, 24, 30]), expected, 1e-12);
    close(nowCast([NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, 20, -5, 24, 30]), expected, 1e-12);
  });

  it('needs 2 of c1, c2, c3; otherwise no NowCast and no hourly PM index', () => {
    const older = Array<number>(9).fill(30);
    assert.notEqual(nowCast([...older, 30, null, 30]), undefined, 'c2 missing');
    assert.notEqual(nowCast([...older, null, 30, 30]), undefined, 'c3 missing');
    assert.notEqual(nowCast([...older, 30, 30, null]), undefined, 'c1 missing');
    assert.equal(nowCast([...older, 30, null, null]), undefined, 'c1 and c2 missing');
    assert.equal(nowCast([...older, null, 30, null]), undefined, 'c1 and c3 missing');
    assert.equal(nowCast([...older, null, null, 30]), undefined, 'c2 and c3 missing');
    assert.equal(aqiHourly('pm10', [...older, null, null, 30]), undefined);
    assert.equal(nowCast([]), undefined);
    assert.equal(nowCast([30]), undefined, 'one hour only');
    close(nowCast([20, 30]), (30 + (2 / 3) * 20) / (1 + 2 / 3), 1e-12);
  });

  it('all zeros gives 0 (Cmin / Cmax is 0 / 0)', () => {
    assert.equal(nowCast([0, 0, 0]), 0);
    assert.equal(val(aqiHourly('pm25', [0, 0, 0])), 0);
  });
});

describe('VN_AQI: daily', () => {
  it('O3: max of the 1-hour index and the 8-hour index (§2.2.2.a example day)', () => {
    // max 1 h 97.7 → 30.5; max 8 h 74.4 → 37.2 on the O3 (8h) column.
    const r = aqiDaily('o3', O3_DAY, O3_PRECEDING);
    assert.equal(val(r), 37);
    assert.equal(r!.basis, 'max8h');
    assert.equal(r!.table, 'o3_8h');
    assert.equal(val(aqiOf('o3', 'max1h', 97.7)), 31);
  });

  it('O3: the 1-hour index wins when higher', () => {
    const day = Array<number>(24).fill(50);
    day[12] = 300; // 8-hour max (300 + 7 × 50) / 8 = 81.25 → 40.6; 1-hour 300 → 150
    const r = aqiDaily('o3', day);
    assert.equal(val(r), 150);
    assert.equal(r!.basis, 'max1h');
    assert.equal(r!.table, 'o3_1h');
  });

  it('O3: an 8-hour max above 400 µg/m³ is not used; the 1-hour max alone decides', () => {
    // 8-hour max 450 would be off the O3 (8h) column; 1-hour max 450 → 225 on O3 (1h).
    const r = aqiDaily('o3', Array<number>(24).fill(450));
    assert.equal(r!.basis, 'max1h');
    close(r!.exact, 200 + (100 / 400) * 50);
    assert.equal(val(r), 213);
  });

  it('O3: without the previous day, early 8-hour windows need 6 valid hours', () => {
    const day = Array<number>(24).fill(10);
    day[5] = 90; // only in windows ending at 06:00 … 13:00; the first (01:00 … 06:00) has 6 hours
    close(o3Max8h(day), (5 * 10 + 90) / 6);
    assert.equal(o3Max8h(Array<number | null>(24).fill(null)), undefined);
  });

  it('PM: the 24-hour mean of the day', () => {
    const day = [...Array<number>(12).fill(40), ...Array<number>(12).fill(71.4)]; // mean 55.7
    const r = aqiDaily('pm25', day);
    close(r!.concentration, 55.7, 1e-9);
    assert.equal(val(r), 110);
    assert.equal(r!.basis, '24h');
  });

  it('SO2, NO2, CO: the highest 1-hour mean of the day', () => {
    const day = Array<number>(24).fill(20);
    day[8] = 130.8;
    const r = aqiDaily('no2', day);
    assert.equal(val(r), 65);
    assert.equal(r!.basis, 'max1h');
  });

  it('needs 18 valid hours of 24 (a choice: the decision is silent)', () => {
    const day: (number | null)[] = Array<number>(24).fill(30);
    for (let i = 0; i < 6; i++) day[i] = null;
    assert.notEqual(aqiDaily('pm10', day), undefined, '18 hours');
    day[6] = NaN;
    assert.equal(aqiDaily('pm10', day), undefined, '17 hours');
    assert.equal(aqiDaily('so2', []), undefined);
  });
});

describe('VN_AQI: overall', () => {
  it('requires PM10 or PM2.5', () => {
    assert.equal(aqiOverall([aqiHourly('o3', [136.1]), aqiHourly('no2', [118.7])]), undefined);
    assert.equal(aqiOverall([]), undefined);
    assert.equal(aqiOverall([aqiHourly('no2', [118.7]), aqiHourly('pm25', [null, null, 20])]), undefined, 'PM2.5 without NowCast');
  });

  it('PM10 alone is enough; undefined parameters are skipped', () => {
    const all = aqiOverall([undefined, aqiOf('pm10', '24h', 100), undefined]);
    assert.equal(all!.value, 75);
    assert.deepEqual(all!.params.map((p) => p.param), ['pm10']);
  });

  it('lists every parameter at the maximum', () => {
    const all = aqiOverall([aqiOf('pm25', '24h', 25), aqiOf('pm10', '24h', 50), aqiOf('so2', 'max1h', 10)]);
    assert.equal(all!.value, 50);
    assert.deepEqual(all!.dominant, ['pm25', 'pm10']);
    assert.equal(all!.band.level, 1);
  });

  it('is 500 and Hazardous above the table', () => {
    const all = aqiOverall([aqiOf('pm25', '24h', 800)]);
    assert.equal(all!.value, 500);
    assert.equal(all!.band.name.en, 'Hazardous');
    assert.equal(all!.params[0]!.capped, true);
  });
});

describe('VN_AQI: bands (Table 1)', () => {
  it('names, colours and RGB codes of the decision', () => {
    assert.deepEqual(
      AQI_BANDS.map((b) => [b.min, b.max, b.name.vi, b.name.en, b.colour.vi, b.colour.en, b.colour.rgb, b.colour.hex]),
      [
        [0, 50, 'Tốt', 'Good', 'Xanh', 'Green', [0, 228, 0], '#00E400'],
        [51, 100, 'Trung bình', 'Moderate', 'Vàng', 'Yellow', [255, 255, 0], '#FFFF00'],
        [101, 150, 'Kém', 'Poor', 'Da cam', 'Orange', [255, 126, 0], '#FF7E00'],
        [151, 200, 'Xấu', 'Bad', 'Đỏ', 'Red', [255, 0, 0], '#FF0000'],
        [201, 300, 'Rất xấu', 'Very bad', 'Tím', 'Purple', [143, 63, 151], '#8F3F97'],
        [301, 500, 'Nguy hại', 'Hazardous', 'Nâu', 'Maroon', [126, 0, 35], '#7E0023'],
      ],
    );
    for (const b of AQI_BANDS) {
      const [r, g, bl] = b.colour.rgb;
      assert.equal(b.colour.hex, `#${[r, g, bl].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join('')}`);
      for (const t of [b.health, b.advice.general, b.advice.sensitive]) assert.ok(t.vi.length > 0 && t.en.length > 0);
    }
  });

  it('band edges', () => {
    const level = (v: number): number | undefined => aqiBand(v)?.level;
    assert.deepEqual([0, 50, 51, 100, 101, 150, 151, 200, 201, 300, 301, 500].map(level), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    assert.equal(level(50.4), 1);
    assert.equal(level(50.5), 2, 'rounded half up first');
    assert.equal(level(750), 6, 'above 500 stays Hazardous');
    assert.equal(level(-1), undefined);
    assert.equal(level(NaN), undefined);
  });

  it('health texts of Tables 4–5', () => {
    assert.equal(aqiBand(10)!.health.vi, 'Chất lượng không khí tốt, không ảnh hưởng tới sức khỏe');
    assert.equal(aqiBand(250)!.advice.sensitive.vi, 'Nên ở trong nhà và giảm hoạt động mạnh.');
    assert.equal(aqiBand(400)!.advice.general, aqiBand(400)!.advice.sensitive);
  });
});
