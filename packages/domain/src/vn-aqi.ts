/**
 * VN_AQI, the Vietnamese air quality index of Decision 1459/QĐ-TCMT (Tổng cục Môi trường,
 * 12/11/2019; replaces QĐ 878/QĐ-TCMT of 2011). Section numbers below are those of the decision's
 * guideline ("Hướng dẫn kỹ thuật tính toán và công bố VN_AQI").
 *
 * Inputs are 1-hour mean concentrations in µg/m³ for EVERY parameter, CO included (Table 2 is in
 * µg/m³: 10 000 µg/m³ = 10 mg/m³). Converting sensor units (ppb, ppm, mg/m³) and computing hourly
 * means from raw readings is the caller's job. A negative, NaN or infinite value, `null` and
 * `undefined` all mean "no data for that hour"; nothing here throws.
 *
 * Where the decision is silent, the choice made here is marked "CHOICE" in a comment.
 */
import type { Bilingual } from './text.ts';

/** The six parameters of VN_AQI (§2.1.b). */
export const AQI_PARAMS = ['pm25', 'pm10', 'o3', 'co', 'so2', 'no2'] as const;
export type AqiParam = (typeof AQI_PARAMS)[number];

/** The breakpoint columns of Table 2: O3 has one for 1-h means and one for 8-h means. */
export type AqiTable = 'o3_1h' | 'o3_8h' | 'co' | 'so2' | 'no2' | 'pm10' | 'pm25';

/** Table 2, column Ii: the index at each breakpoint level i = 1..8. */
export const AQI_LEVELS: readonly number[] = [0, 50, 100, 150, 200, 300, 400, 500];

/**
 * Table 2 (§2.2.1.b, "Các giá trị BPi đối với các thông số", µg/m³): BPi for i = 1..8, paired with
 * AQI_LEVELS. The last value is the "≥" row: a concentration at or above it has index 500.
 * O3 (8h) stops at level 6 (400 µg/m³ → 300): above it the 8-h mean is not used (§2.2.2.b).
 * Averaging: PM hourly = NowCast of 1-h means, PM daily = 24-h mean; O3 hourly = 1-h mean (o3_1h),
 * O3 daily = max 1-h mean (o3_1h) and max 8-h mean (o3_8h); CO, SO2, NO2 hourly = 1-h mean,
 * daily = max 1-h mean of the day (§2.2.1, §2.2.2).
 */
export const AQI_BREAKPOINTS: Readonly<Record<AqiTable, readonly number[]>> = {
  o3_1h: [0, 160, 200, 300, 400, 800, 1000, 1200],
  o3_8h: [0, 100, 120, 170, 210, 400],
  co: [0, 10000, 30000, 45000, 60000, 90000, 120000, 150000],
  so2: [0, 125, 350, 550, 800, 1600, 2100, 2630],
  no2: [0, 100, 200, 700, 1200, 2350, 3100, 3850],
  pm10: [0, 50, 150, 250, 350, 420, 500, 600],
  pm25: [0, 25, 50, 80, 150, 250, 350, 500],
};

/** What concentration an index was computed from. */
export type AqiBasis = 'nowcast' | '1h' | 'max1h' | 'max8h' | '24h';

/** The index of one parameter (AQIx) for one hour or one day. */
export interface AqiResult {
  param: AqiParam;
  /** The breakpoint column used. */
  table: AqiTable;
  basis: AqiBasis;
  /** The concentration fed to the formula, µg/m³ (NowCast, 1-h mean, daily max or 24-h mean). */
  concentration: number;
  /** Unrounded index, 0..500. */
  exact: number;
  /** Index rounded to an integer, half up (§2.2.1.c and §2.2.2.c: "làm tròn thành số nguyên"). */
  value: number;
  /** The concentration is above the top breakpoint (the "≥" row of Table 2): the index is held at 500. */
  capped: boolean;
}

/** Hourly means one NowCast looks back over (§1.3.5, §2.2.1.a). */
export const NOWCAST_HOURS = 12;
/**
 * CHOICE (the decision is silent on data completeness of daily values): a daily index needs at
 * least this many valid hourly means among the 24 of the day (75 %, as US EPA and WHO practice).
 */
export const DAILY_MIN_HOURS = 18;
/** CHOICE (same silence): an 8-hour O3 mean needs at least this many valid hours of its 8 (75 %). */
export const O3_8H_MIN_HOURS = 6;

type Hour = number | null | undefined;

const valid = (v: Hour): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * Half-up rounding to an integer. The tiny epsilon keeps binary noise (109.49999999999997 for the
 * decision's 109.5) from rounding down; indices are non-negative.
 */
const roundIndex = (x: number): number => Math.floor(x + 0.5 + 1e-9);

/**
 * Formula 1 / Formula 2 (§2.2.1.b): AQIx = (I[i+1] − I[i]) / (BP[i+1] − BP[i]) × (Cx − BP[i]) + I[i]
 * with BP[i] ≤ Cx ≤ BP[i+1]. Continuous: at a breakpoint both segments give the same index
 * (PM2.5 25 → 50, and 25.1 → 50.2, not the US-EPA-style jump to 51).
 * Above the top breakpoint: index 500, `capped` (Table 2's last row is "≥"). O3 8 h above 400:
 * undefined (§2.2.2.b: the 8-h mean is then not used). Bad concentration: undefined.
 */
export function subIndex(table: AqiTable, concentration: number): { exact: number; value: number; capped: boolean } | undefined {
  if (!valid(concentration)) return undefined;
  const bp = AQI_BREAKPOINTS[table];
  const top = bp[bp.length - 1]!;
  if (concentration > top) {
    if (table === 'o3_8h') return undefined;
    return { exact: 500, value: 500, capped: true };
  }
  for (let i = 0; i < bp.length - 1; i++) {
    const lo = bp[i]!;
    const hi = bp[i + 1]!;
    if (concentration <= hi) {
      const iLo = AQI_LEVELS[i]!;
      const iHi = AQI_LEVELS[i + 1]!;
      const exact = ((iHi - iLo) / (hi - lo)) * (concentration - lo) + iLo;
      return { exact, value: roundIndex(exact), capped: false };
    }
  }
  return undefined; // unreachable: concentration ≤ top
}

function result(param: AqiParam, table: AqiTable, basis: AqiBasis, concentration: number): AqiResult | undefined {
  const s = subIndex(table, concentration);
  return s && { param, table, basis, concentration, ...s };
}

/**
 * NowCast (§2.2.1.a) of PM2.5 or PM10 from hourly means, most recent LAST (only the last 12 count):
 * c1 is the current hour, c12 eleven hours before it.
 * - At least 2 of c1, c2, c3 must be present, else undefined ("không có dữ liệu").
 * - w* = Cmin / Cmax over the present values; w = w* if w* > 1/2, else w = 1/2.
 * - w > 1/2: NowCast = Σ w^(i−1)·ci / Σ w^(i−1), a missing ci having weight 0.
 * - w = 1/2, all 12 hours present: NowCast = Σ (1/2)^i·ci, the decision's formula as written.
 * - w = 1/2 with a missing hour: CHOICE — the normalised form Σ w^(i−1)·ci / Σ w^(i−1) with the
 *   missing weight set to 0, which is what the decision's note "ci missing → w^(i−1) = 0" refers to
 *   (the unnormalised sum would count a missing hour as 0 µg/m³). Both forms differ by 0.02 % when
 *   nothing is missing.
 * - All present values 0 (w* is 0/0): NowCast 0.
 * The result is not rounded (the decision shows it to 0.1 µg/m³ but states no rounding).
 */
export function nowCast(hours: readonly Hour[]): number | undefined {
  const last = hours.slice(-NOWCAST_HOURS);
  // c[0] is c1, the current hour.
  const c: (number | undefined)[] = [];
  for (let i = 0; i < NOWCAST_HOURS; i++) {
    const v = last[last.length - 1 - i];
    c.push(valid(v) ? v : undefined);
  }
  if (c.slice(0, 3).filter((v) => v !== undefined).length < 2) return undefined;
  const present = c.filter((v): v is number => v !== undefined);
  const cMax = Math.max(...present);
  if (cMax === 0) return 0;
  const wStar = Math.min(...present) / cMax;
  const w = wStar > 0.5 ? wStar : 0.5;
  const complete = present.length === NOWCAST_HOURS;
  if (w === 0.5 && complete) return c.reduce<number>((s, ci, i) => s + 0.5 ** (i + 1) * ci!, 0);
  let num = 0;
  let den = 0;
  c.forEach((ci, i) => {
    if (ci === undefined) return;
    num += w ** i * ci;
    den += w ** i;
  });
  return num / den;
}

/**
 * Hourly index of one parameter (AQIx^h, §2.2.1) from its hourly means, most recent LAST.
 * PM2.5 and PM10 use the NowCast of the last 12 hours (Formula 2); O3 (O3 1-h column), CO, SO2 and
 * NO2 use the current hour only, the last element (Formula 1). Undefined when there is no data.
 */
export function aqiHourly(param: AqiParam, hours: readonly Hour[]): AqiResult | undefined {
  if (param === 'pm25' || param === 'pm10') {
    const nc = nowCast(hours);
    return nc === undefined ? undefined : result(param, param, 'nowcast', nc);
  }
  const c = hours[hours.length - 1];
  if (!valid(c)) return undefined;
  return result(param, param === 'o3' ? 'o3_1h' : param, '1h', c);
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * Highest 8-hour rolling mean of O3 over a day (§2.2.2.a): one mean ending at each hour of the
 * day, each the mean of that hour and the 7 before it, so the first ones reach into the previous
 * day (`preceding`). A window needs O3_8H_MIN_HOURS valid hours. Undefined if no window qualifies.
 */
export function o3Max8h(day: readonly Hour[], preceding: readonly Hour[] = []): number | undefined {
  const before = preceding.slice(-7);
  const series = [...Array<Hour>(7 - before.length).fill(null), ...before, ...day];
  let best: number | undefined;
  for (let end = 7; end < series.length; end++) {
    const window = series.slice(end - 7, end + 1).filter(valid);
    if (window.length < O3_8H_MIN_HOURS) continue;
    const m = mean(window);
    if (best === undefined || m > best) best = m;
  }
  return best;
}

/**
 * Daily index of one parameter (AQIx^d, §2.2.2), Formula 1 on:
 * - PM2.5, PM10: the 24-hour mean;
 * - SO2, NO2, CO: the highest 1-hour mean of the day;
 * - O3: the higher of the index of the highest 1-hour mean (O3 1-h column) and the index of the
 *   highest 8-hour mean (O3 8-h column), the latter left out when it is above 400 µg/m³. CHOICE: the
 *   decision says "Cx is the larger of the two means", but the two use different columns; its
 *   worked example computes both indices and takes the larger, which is what is done here.
 * `day` is the 24 hourly means of the day, 01:00 → 00:00 of the next day (most recent last);
 * `preceding` the hourly means before it (the last 7 are used, for O3's 8-hour means only).
 * Undefined when fewer than DAILY_MIN_HOURS of the day's hours are valid.
 */
export function aqiDaily(param: AqiParam, day: readonly Hour[], preceding: readonly Hour[] = []): AqiResult | undefined {
  const hours = day.slice(-24);
  const present = hours.filter(valid);
  if (present.length < DAILY_MIN_HOURS) return undefined;
  if (param === 'pm25' || param === 'pm10') return result(param, param, '24h', mean(present));
  const max1h = Math.max(...present);
  if (param !== 'o3') return result(param, param, 'max1h', max1h);
  const by1h = result('o3', 'o3_1h', 'max1h', max1h);
  const m8 = o3Max8h(hours, preceding);
  const by8h = m8 === undefined ? undefined : result('o3', 'o3_8h', 'max8h', m8);
  return by8h && by1h && by8h.exact > by1h.exact ? by8h : (by1h ?? by8h);
}

/** The breakpoint column of a parameter for a basis: O3 8-hour means use O3 (8h), other O3 values O3 (1h). */
export const tableOf = (param: AqiParam, basis: AqiBasis): AqiTable =>
  param === 'o3' ? (basis === 'max8h' ? 'o3_8h' : 'o3_1h') : param;

/**
 * Index of a concentration averaged elsewhere (a NowCast, a 24-hour mean, a daily maximum…), µg/m³,
 * e.g. the inputs of the decision's worked examples (§2.3). Undefined for a bad concentration.
 */
export function aqiOf(param: AqiParam, basis: AqiBasis, concentration: number): AqiResult | undefined {
  return result(param, tableOf(param, basis), basis, concentration);
}

/** The overall index of one station for one hour or one day. */
export interface AqiOverall {
  /** max of the parameters' indices, an integer (§2.2.1.c, §2.2.2.c). */
  value: number;
  /** Parameters whose index equals `value` (to highlight, Table 3). */
  dominant: AqiParam[];
  band: AqiBand;
  /** The parameters that had an index, in the order given. */
  params: AqiResult[];
}

/**
 * Overall AQI^h or AQI^d: the maximum of the parameters' indices. Undefined unless at least one
 * of PM10 and PM2.5 has an index (§2.1.b: "bắt buộc phải có tối thiểu 01 trong 02 thông số PM10,
 * PM2.5"); the other parameters are each optional.
 */
export function aqiOverall(results: readonly (AqiResult | undefined)[]): AqiOverall | undefined {
  const params = results.filter((r): r is AqiResult => r !== undefined);
  if (!params.some((r) => r.param === 'pm25' || r.param === 'pm10')) return undefined;
  const value = Math.max(...params.map((r) => r.value));
  const dominant = [...new Set(params.filter((r) => r.value === value).map((r) => r.param))];
  return { value, dominant, band: aqiBand(value)!, params };
}

/** One band of Table 1, with Tables 4 (health effects) and 5 (recommended activities). */
export interface AqiBand {
  level: 1 | 2 | 3 | 4 | 5 | 6;
  min: number;
  max: number;
  /** Air quality ("Chất lượng không khí"). */
  name: Bilingual;
  colour: Bilingual & { rgb: readonly [number, number, number]; hex: string };
  /** Table 4, effect on health. */
  health: Bilingual;
  /** Table 5, recommended activities for the general public and for sensitive groups (the elderly, children, people with respiratory or cardiovascular disease). */
  advice: { general: Bilingual; sensitive: Bilingual };
}

const HAZARDOUS_ADVICE: Bilingual = {
  vi: 'Mọi người nên ở trong nhà, đóng cửa ra vào và cửa sổ. Nếu cần thiết phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn.',
  en: 'Everyone should stay indoors with doors and windows closed. If going out is necessary, wear a standard-compliant mask.',
};

/**
 * Table 1 (§1.4), Table 4 and Table 5 (§3). Names, colours and RGB codes are the decision's; the
 * Vietnamese texts of Tables 4–5 are from the hand-checked transcription of the decision in
 * qnguyenle075/hcmc-air-quality (data/processed/qd_1459_vn_aqi.md). The English texts are our
 * translation, not an official one. In Table 5 the Hazardous row is one merged cell for both groups.
 */
export const AQI_BANDS: readonly AqiBand[] = [
  {
    level: 1,
    min: 0,
    max: 50,
    name: { vi: 'Tốt', en: 'Good' },
    colour: { vi: 'Xanh', en: 'Green', rgb: [0, 228, 0], hex: '#00E400' },
    health: { vi: 'Chất lượng không khí tốt, không ảnh hưởng tới sức khỏe', en: 'Air quality is good; no effect on health.' },
    advice: {
      general: { vi: 'Tự do thực hiện các hoạt động ngoài trời', en: 'Outdoor activities as usual.' },
      sensitive: { vi: 'Tự do thực hiện các hoạt động ngoài trời', en: 'Outdoor activities as usual.' },
    },
  },
  {
    level: 2,
    min: 51,
    max: 100,
    name: { vi: 'Trung bình', en: 'Moderate' },
    colour: { vi: 'Vàng', en: 'Yellow', rgb: [255, 255, 0], hex: '#FFFF00' },
    health: {
      vi: 'Chất lượng không khí ở mức chấp nhận được. Tuy nhiên, đối với những người nhạy cảm (người già, trẻ em, người mắc các bệnh hô hấp, tim mạch…) có thể chịu những tác động nhất định tới sức khỏe.',
      en: 'Air quality is acceptable. However, sensitive people (the elderly, children, people with respiratory or cardiovascular disease…) may experience some health effects.',
    },
    advice: {
      general: { vi: 'Tự do thực hiện các hoạt động ngoài trời', en: 'Outdoor activities as usual.' },
      sensitive: {
        vi: 'Nên theo dõi các triệu chứng như ho hoặc khó thở, nhưng vẫn có thể hoạt động bên ngoài.',
        en: 'Watch for symptoms such as coughing or shortness of breath, but outdoor activities are still possible.',
      },
    },
  },
  {
    level: 3,
    min: 101,
    max: 150,
    name: { vi: 'Kém', en: 'Poor' },
    colour: { vi: 'Da cam', en: 'Orange', rgb: [255, 126, 0], hex: '#FF7E00' },
    health: {
      vi: 'Những người nhạy cảm gặp phải các vấn đề về sức khỏe, những người bình thường ít ảnh hưởng.',
      en: 'Sensitive people experience health problems; the general public is little affected.',
    },
    advice: {
      general: {
        vi: 'Những người thấy có triệu chứng đau mắt, ho hoặc đau họng… nên cân nhắc giảm các hoạt động ngoài trời. Đối với học sinh, có thể hoạt động bên ngoài, nhưng nên giảm bớt việc tập thể dục kéo dài.',
        en: 'People with sore eyes, a cough or a sore throat… should consider reducing outdoor activities. Pupils may be active outdoors but should cut down on prolonged exercise.',
      },
      sensitive: {
        vi: 'Nên giảm các hoạt động mạnh và giảm thời gian hoạt động ngoài trời. Những người mắc bệnh hen suyễn có thể cần sử dụng thuốc thường xuyên hơn.',
        en: 'Reduce strenuous activities and time spent outdoors. People with asthma may need to use their medication more often.',
      },
    },
  },
  {
    level: 4,
    min: 151,
    max: 200,
    name: { vi: 'Xấu', en: 'Bad' },
    colour: { vi: 'Đỏ', en: 'Red', rgb: [255, 0, 0], hex: '#FF0000' },
    health: {
      vi: 'Những người bình thường bắt đầu có các ảnh hưởng tới sức khỏe, nhóm người nhạy cảm có thể gặp những vấn đề sức khỏe nghiêm trọng hơn.',
      en: 'The general public begins to experience health effects; sensitive groups may experience more serious health problems.',
    },
    advice: {
      general: {
        vi: 'Mọi người nên giảm các hoạt động mạnh khi ở ngoài trời, tránh tập thể dục kéo dài và nghỉ ngơi nhiều hơn trong nhà.',
        en: 'Everyone should reduce strenuous outdoor activities, avoid prolonged exercise and rest more indoors.',
      },
      sensitive: {
        vi: 'Nên ở trong nhà và giảm hoạt động mạnh. Nếu cần thiết phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn.',
        en: 'Stay indoors and reduce strenuous activities. If going out is necessary, wear a standard-compliant mask.',
      },
    },
  },
  {
    level: 5,
    min: 201,
    max: 300,
    name: { vi: 'Rất xấu', en: 'Very bad' },
    colour: { vi: 'Tím', en: 'Purple', rgb: [143, 63, 151], hex: '#8F3F97' },
    health: {
      vi: 'Cảnh báo hưởng tới sức khỏe: mọi người bị ảnh hưởng tới sức khỏe nghiêm trọng hơn.',
      en: 'Health warning: everyone may experience more serious health effects.',
    },
    advice: {
      general: {
        vi: 'Mọi người hạn chế tối đa các hoạt động ngoài trời và chuyển tất cả các hoạt động vào trong nhà. Nếu cần thiết phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn.',
        en: 'Everyone should keep outdoor activities to a minimum and move all activities indoors. If going out is necessary, wear a standard-compliant mask.',
      },
      sensitive: { vi: 'Nên ở trong nhà và giảm hoạt động mạnh.', en: 'Stay indoors and reduce strenuous activities.' },
    },
  },
  {
    level: 6,
    min: 301,
    max: 500,
    name: { vi: 'Nguy hại', en: 'Hazardous' },
    colour: { vi: 'Nâu', en: 'Maroon', rgb: [126, 0, 35], hex: '#7E0023' },
    health: {
      vi: 'Cảnh báo khẩn cấp về sức khỏe: Toàn bộ dân số bị ảnh hưởng tới sức khỏe tới mức nghiêm trọng.',
      en: 'Health emergency: the entire population is seriously affected.',
    },
    advice: { general: HAZARDOUS_ADVICE, sensitive: HAZARDOUS_ADVICE },
  },
];

/**
 * The band of an index (Table 1). A non-integer is first rounded half up (the bands are integer
 * ranges: 50.4 is Good, 50.5 Moderate); above 500 is Hazardous. Negative or NaN: undefined.
 */
export function aqiBand(value: number): AqiBand | undefined {
  if (!valid(value)) return undefined;
  const v = roundIndex(value);
  return AQI_BANDS.find((b) => v <= b.max) ?? AQI_BANDS[AQI_BANDS.length - 1];
}
