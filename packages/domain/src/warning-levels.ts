import type { Bilingual } from './text.ts';
import { ID_PATTERN, checkBilingual, checkKnownKeys, checkText, fieldPath, isFiniteNumber, isObject } from './check.ts';
import type { FieldError } from './errors.ts';
import { type Checked, fail, fieldError, ok } from './result.ts';

/**
 * Hydro-meteorological warning levels (source: shared/reference/warning-levels.md, "the reference"
 * below; line numbers are of that file):
 * - flood alarm levels BĐ1–BĐ3 per river station (QĐ 05/2020/QĐ-TTg),
 * - rainfall intensity classes per 12 h / 24 h (KTTV forecast terms),
 * - Đà Nẵng street-flooding depth bands (a product choice, not an official classification),
 * - disaster risk levels 1–5 and their map colours (QĐ 18/2021/QĐ-TTg, Art. 4), the heavy-rain
 *   (Điều 44) and flood (Điều 45) levels as far as the reference has read them, and the +1/+2 rule
 *   for combined hazards.
 *
 * Every threshold is configuration (`WarningThresholds`, shipped as
 * packages/server/presets/warning-thresholds.json and checked by `validateWarningThresholds`), each
 * value tagged `verified` / `derived` / `unverified` as the reference marks it; the admin UI must
 * show `derived` and `unverified` values as such until they are confirmed. Where the reference does
 * not determine a risk level, the functions say so (`determined: false`) instead of guessing: show
 * the level of the official bulletin then.
 *
 * Pure: no I/O, no clock. Water levels are metres on each station's own datum (not comparable
 * between stations, and may be negative).
 */

// ---------------------------------------------------------------------------------------------
// Tags, names
// ---------------------------------------------------------------------------------------------

/** How a value is known (reference line 5). */
export const EVIDENCE_STATUSES = ['verified', 'derived', 'unverified'] as const;
export type EvidenceStatus = (typeof EVIDENCE_STATUSES)[number];

/** Where a configured value comes from. */
export interface Tagged {
  status: EvidenceStatus;
  /** The evidence, as the reference gives it, e.g. `0.87+0.13 [S13]; 1.37−0.37 [S12]`. */
  note: string;
  /** Keys of `WarningThresholds.sources`. */
  sources?: string[];
}

// ---------------------------------------------------------------------------------------------
// Flood alarm levels (cấp báo động lũ), QĐ 05/2020/QĐ-TTg
// ---------------------------------------------------------------------------------------------

/** A configured water level (metres, station datum) with its evidence. */
export interface LevelValue extends Tagged {
  m: number;
}

/** A notable observed peak of a station. */
export interface FloodPeak extends Tagged {
  m: number;
  /** `YYYY`, `YYYY-MM-DD` or `YYYY-MM-DDTHH:mm+07:00` (hour of the bulletin). */
  when: string;
  /** The historic flood (lũ lịch sử: highest peak observed or surveyed, QĐ 18/2021 Điều 5.25a). */
  record: boolean;
}

/** Area class (khu vực) of a station for the flood risk level (QĐ 18/2021 Điều 45). */
export type FloodRiskArea = 1 | 2 | 3 | 4;

export interface FloodStation {
  /** Stable id, e.g. `cau-lau` (the demo's river_level keys use the same ids). */
  id: string;
  /** River as named in bulletins, e.g. `Thu Bồn`. */
  river: string;
  /** Station name, e.g. `Câu Lâu`. */
  station: string;
  /** Other names bulletins use for the same station (reference line 28). */
  aliases?: string[];
  /** Province / city (after the 2025 mergers). */
  province: string;
  /** The decision the levels follow, e.g. `QĐ 05/2020/QĐ-TTg`. */
  decision: string;
  bd1: LevelValue;
  bd2: LevelValue;
  bd3: LevelValue;
  peaks?: FloodPeak[];
  /**
   * Area class for Điều 45. Absent for every shipped station: the reference did not find them
   * (line 59) and says not to compute the flood risk level until they are read from the decision.
   */
  riskArea?: FloodRiskArea;
  /**
   * Ids of the river_level devices that measure this station's water level (installation
   * configuration): their `level` readings get the derived `alarm_level` (and `risk_level`) of
   * this station. A device belongs to one station at most.
   */
  devices?: string[];
  note?: string;
}

/** The three alarm levels as plain numbers (m). */
export interface AlarmLevels {
  bd1: number;
  bd2: number;
  bd3: number;
}

export type FloodAlarmLevel = 0 | 1 | 2 | 3;

export interface FloodLevelResult {
  /** 0: below BĐ1. There is no BĐ4 (QĐ 05/2020 Art. 3, reference line 9). */
  level: FloodAlarmLevel;
  /** Only at level 3: metres above BĐ3 ("trên BĐ3 X m"), rounded to the millimetre; 0 at BĐ3. */
  aboveBd3M?: number;
}

const isAlarmLevels = (t: AlarmLevels | FloodStation): t is AlarmLevels => typeof t.bd1 === 'number';

/** The alarm levels of a configured station (or the levels themselves). */
export function alarmLevels(t: AlarmLevels | FloodStation): AlarmLevels {
  return isAlarmLevels(t) ? t : { bd1: t.bd1.m, bd2: t.bd2.m, bd3: t.bd3.m };
}

/** Rounds metres to the millimetre (removes float noise such as 5.62 − 4 = 1.6200000000000001). */
export const roundMm = (m: number): number => Math.round(m * 1000) / 1000;

function assertFinite(name: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`${name} must be a finite number, got ${v}`);
}

/**
 * The flood alarm level reached by water level `waterLevelM` at a station: BĐn is reached when
 * H ≥ BĐn (Điều 45 writes its bands as "BĐ1 ≤ H < BĐ2"). At level 3, `aboveBd3M` is H − BĐ3.
 * E.g. Câu Lâu (BĐ3 4.00 m) at 5.62 m → `{ level: 3, aboveBd3M: 1.62 }`.
 * Throws a RangeError on a non-finite level (a caller bug; readings are validated before).
 */
export function floodLevel(thresholds: AlarmLevels | FloodStation, waterLevelM: number): FloodLevelResult {
  assertFinite('waterLevelM', waterLevelM);
  const { bd1, bd2, bd3 } = alarmLevels(thresholds);
  if (waterLevelM >= bd3) return { level: 3, aboveBd3M: roundMm(waterLevelM - bd3) };
  if (waterLevelM >= bd2) return { level: 2 };
  if (waterLevelM >= bd1) return { level: 1 };
  return { level: 0 };
}

const formatM = (m: number, decimalComma: boolean): string => {
  const s = String(roundMm(m));
  return decimalComma ? s.replace('.', ',') : s;
};

/** Display text: `dưới BĐ1`, `BĐ2`, `trên BĐ3 1,62 m` / `below alarm level 1`, `1.62 m above alarm level 3`. */
export function floodLevelLabel(r: FloodLevelResult): Bilingual {
  if (r.level === 0) return { vi: 'dưới BĐ1', en: 'below alarm level 1' };
  if (r.level === 3 && r.aboveBd3M !== undefined && r.aboveBd3M > 0) {
    return { vi: `trên BĐ3 ${formatM(r.aboveBd3M, true)} m`, en: `${formatM(r.aboveBd3M, false)} m above alarm level 3` };
  }
  return { vi: `BĐ${r.level}`, en: `alarm level ${r.level}` };
}

// ---------------------------------------------------------------------------------------------
// Class bounds (rainfall, street-flooding depth)
// ---------------------------------------------------------------------------------------------

/**
 * The lower bound of a class: exactly one of `atLeast` (value ≥ bound) or `above` (value > bound).
 * A value belongs to the last class whose bound it reaches; a value that reaches none (0 mm of
 * rain, a dry street) has no class.
 */
export interface ClassBound<C extends string> extends Tagged {
  class: C;
  atLeast?: number;
  above?: number;
}

const boundValue = (b: { atLeast?: number; above?: number }): number => (b.atLeast ?? b.above)!;
const reaches = (b: { atLeast?: number; above?: number }, v: number): boolean =>
  b.atLeast !== undefined ? v >= b.atLeast : v > b.above!;

function classify<C extends string>(bounds: readonly ClassBound<C>[], v: number): C | undefined {
  let found: C | undefined;
  for (const b of bounds) if (reaches(b, v)) found = b.class;
  return found;
}

// ---------------------------------------------------------------------------------------------
// Rainfall intensity classes (KTTV forecast terms), reference lines 65–75
// ---------------------------------------------------------------------------------------------

/**
 * In increasing order. The configured bounds (WarningThresholds.rainfall) are lower bounds. The
 * table's ranges overlap or leave gaps (12 h: "3–8" and "8–25" both hold 8 mm; 24 h: "6–15" and
 * "16–50" leave 15–16 mm, reference lines 71–73), so we read every range as closed at its top, as
 * its explicit rows require ("< 3", "< 6" below; "> 50", "> 100" above): 12 h negligible > 0,
 * light ≥ 0.3, rain ≥ 3, moderate > 8, heavy > 25, very heavy > 50; 24 h light > 0, rain ≥ 6,
 * moderate > 15, heavy > 50, very heavy > 100. The bounds this choice decides are `unverified`.
 */
export const RAINFALL_CLASSES = ['negligible', 'light', 'rain', 'moderate', 'heavy', 'very_heavy'] as const;
export type RainfallClassId = (typeof RAINFALL_CLASSES)[number];

/** The KTTV terms (vi, verbatim from the reference table) and their English forecast terms. */
export const RAINFALL_CLASS_NAMES: Record<RainfallClassId, Bilingual> = {
  negligible: { vi: 'Mưa nhỏ, không đáng kể', en: 'Trace of rain' },
  light: { vi: 'Mưa nhỏ', en: 'Light rain' },
  rain: { vi: 'Mưa', en: 'Rain' },
  moderate: { vi: 'Mưa vừa', en: 'Moderate rain' },
  heavy: { vi: 'Mưa to', en: 'Heavy rain' },
  very_heavy: { vi: 'Mưa rất to', en: 'Very heavy rain' },
};

/** The accumulation periods the reference tabulates (no 1 h or 3 h classes are given). */
export const RAINFALL_PERIODS = ['12h', '24h'] as const;
export type RainfallPeriod = (typeof RAINFALL_PERIODS)[number];

export type RainfallBound = ClassBound<RainfallClassId>;

export interface RainfallClassResult {
  /** `none`: no rain (0 mm). Not a KTTV class; the table starts at "< 0.3 mm" / "< 6 mm". */
  class: RainfallClassId | 'none';
  name: Bilingual;
}

const NO_RAIN: Bilingual = { vi: 'Không mưa', en: 'No rain' };

/**
 * The KTTV rainfall class of `mm` accumulated over `period`, with the configured bounds
 * (`WarningThresholds.rainfall`). Throws a RangeError on a negative or non-finite amount.
 */
export function rainfallClass(
  bounds: WarningThresholds['rainfall'],
  period: RainfallPeriod,
  mm: number,
): RainfallClassResult {
  assertFinite('mm', mm);
  if (mm < 0) throw new RangeError(`mm must not be negative, got ${mm}`);
  const c = classify(bounds[period], mm);
  return c === undefined ? { class: 'none', name: NO_RAIN } : { class: c, name: RAINFALL_CLASS_NAMES[c] };
}

// ---------------------------------------------------------------------------------------------
// Street-flooding depth (ngập úng đô thị), reference lines 78–83
// ---------------------------------------------------------------------------------------------

/**
 * Product bands, not an official classification (reference line 83: "a product choice … label
 * them so [unverified]"). Show the bulletin's own depth range verbatim when there is one.
 */
export const URBAN_FLOOD_DEPTH_CLASSES = ['shallow', 'moderate', 'deep', 'very_deep'] as const;
export type UrbanFloodDepthClassId = (typeof URBAN_FLOOD_DEPTH_CLASSES)[number];

export const URBAN_FLOOD_DEPTH_NAMES: Record<UrbanFloodDepthClassId, Bilingual> = {
  shallow: { vi: 'Ngập nhẹ (dưới 0,2 m)', en: 'Shallow (below 0.2 m)' },
  moderate: { vi: 'Ngập vừa (0,2–0,5 m)', en: 'Moderate (0.2–0.5 m)' },
  deep: { vi: 'Ngập sâu (0,5–1,0 m)', en: 'Deep (0.5–1.0 m)' },
  very_deep: { vi: 'Ngập rất sâu (trên 1,0 m)', en: 'Very deep (above 1.0 m)' },
};

export type UrbanFloodDepthBound = ClassBound<UrbanFloodDepthClassId>;

export interface UrbanFloodDepthResult {
  /** `none`: dry (depth 0). */
  class: UrbanFloodDepthClassId | 'none';
  name: Bilingual;
}

/**
 * The street-flooding band of a depth in metres, with the configured bounds. The names are the
 * defaults' and describe the shipped bounds; an installation that changes the bounds should show
 * the bounds, not the names. Throws a RangeError on a negative or non-finite depth.
 */
export function urbanFloodDepthClass(bounds: readonly UrbanFloodDepthBound[], depthM: number): UrbanFloodDepthResult {
  assertFinite('depthM', depthM);
  if (depthM < 0) throw new RangeError(`depthM must not be negative, got ${depthM}`);
  const c = classify(bounds, depthM);
  return c === undefined ? { class: 'none', name: { vi: 'Không ngập', en: 'Not flooded' } } : { class: c, name: URBAN_FLOOD_DEPTH_NAMES[c] };
}

// ---------------------------------------------------------------------------------------------
// Disaster risk levels (cấp độ rủi ro thiên tai), QĐ 18/2021/QĐ-TTg
// ---------------------------------------------------------------------------------------------

export const RISK_LEVELS = [1, 2, 3, 4, 5] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface RiskLevelInfo {
  level: RiskLevel;
  /** Degree of risk (reference line 40: low, medium, high, very high, catastrophic). */
  name: Bilingual;
  /** Map colour as the decision names it (Phụ lục XII; reference line 40). */
  colour: Bilingual;
}

/**
 * Names and colours of the five levels. The English terms and colour names are the reference's
 * (line 40, [verified]); the Vietnamese wording is ours (the reference quotes no Vietnamese names).
 * The colours' RGB values were not read [unverified]: they are configuration
 * (`WarningThresholds.riskColours`).
 */
export const RISK_LEVEL_INFO: Record<RiskLevel, RiskLevelInfo> = {
  1: { level: 1, name: { vi: 'Rủi ro thấp', en: 'Low' }, colour: { vi: 'xanh dương nhạt', en: 'light blue' } },
  2: { level: 2, name: { vi: 'Rủi ro trung bình', en: 'Medium' }, colour: { vi: 'vàng nhạt', en: 'light yellow' } },
  3: { level: 3, name: { vi: 'Rủi ro cao', en: 'High' }, colour: { vi: 'da cam', en: 'orange' } },
  4: { level: 4, name: { vi: 'Rủi ro rất cao', en: 'Very high' }, colour: { vi: 'đỏ', en: 'red' } },
  5: { level: 5, name: { vi: 'Thảm họa', en: 'Catastrophic' }, colour: { vi: 'tím', en: 'purple' } },
};

/** Display colour of a level (configuration; the shipped hex values are placeholders). */
export interface RiskColour extends Tagged {
  level: RiskLevel;
  /** `#rrggbb`. */
  hex: string;
}

/**
 * The outcome of a risk-level rule. `determined: false` when the input is below every level
 * (`below_level_1`) or falls where the reference has not read the decision (`not_in_reference`)
 * or lacks an input (`area_unknown`): show the official bulletin's level then.
 */
export type RiskAssessment =
  | { determined: true; level: RiskLevel; /** E.g. `Điều 45.1.b`. */ clause: string }
  | { determined: false; reason: 'below_level_1' | 'not_in_reference' | 'area_unknown'; note: string };

const level = (l: RiskLevel, clause: string): RiskAssessment => ({ determined: true, level: l, clause });
const unknown = (note: string): RiskAssessment => ({ determined: false, reason: 'not_in_reference', note });

/**
 * The +1 / +2 rule (QĐ 18/2021 Art. 4; reference line 41): with two or more simultaneous or
 * consecutive hazards the level may be raised by 1, or by 2 if serious damage to people or
 * property is likely; at most 5. The raise is a decision of the issuing authority, hence an input.
 * The reference does not say what is raised; we raise the highest single-hazard level (our choice).
 * Refuses a raise with fewer than two hazards, an unknown level or raise.
 */
export function combinedRiskLevel(levels: readonly RiskLevel[], raise: 0 | 1 | 2): Checked<RiskLevel> {
  const errors: FieldError[] = [];
  if (levels.length === 0) errors.push(fieldError('levels', 'empty', 'at least one hazard level is needed'));
  levels.forEach((l, i) => {
    if (!(RISK_LEVELS as readonly number[]).includes(l)) errors.push(fieldError(`levels/${i}`, 'bad_value', 'a risk level is 1 to 5'));
  });
  if (raise !== 0 && raise !== 1 && raise !== 2) errors.push(fieldError('raise', 'bad_value', 'raise must be 0, 1 or 2'));
  else if (raise > 0 && levels.length < 2) {
    errors.push(fieldError('raise', 'single_hazard', 'a level is raised only for two or more simultaneous or consecutive hazards'));
  }
  if (errors.length > 0) return fail(errors);
  return ok(Math.min(5, Math.max(...levels) + raise) as RiskLevel);
}

// --- Điều 44: heavy rain (mưa lớn), reference lines 44–50 ------------------------------------

/** Terrain classes of Điều 44. */
export type RainTerrain = 'midland_mountain' | 'delta_coastal';
/** Spatial extent of Điều 44: one province or several. */
export type RainExtent = 'one_province' | 'several_provinces';
/** The rainfall bands Điều 44 uses (reference line 46): 100–200, >200–400, >400 mm per 24 h. */
export type HeavyRainBand = '100-200' | '200-400' | '400+';

/**
 * The Điều 44 band of a 24-h amount (or of a 12-h amount: 50–100 mm/12 h counts as the 100–200
 * band, reference line 47). Undefined below 100 mm/24 h (50 mm/12 h). Above 100 mm/12 h the
 * reference gives no 12-h band (line 46): undefined; pass the 24-h amount.
 */
export function heavyRainBand(mm: number, period: RainfallPeriod = '24h'): HeavyRainBand | undefined {
  assertFinite('mm', mm);
  if (period === '12h') return mm >= 50 && mm <= 100 ? '100-200' : undefined;
  if (mm > 400) return '400+';
  if (mm > 200) return '200-400';
  if (mm >= 100) return '100-200';
  return undefined;
}

export interface HeavyRainInput {
  /** Forecast rainfall (mm) over `period`. */
  mm: number;
  period: RainfallPeriod;
  /** How many days the rain lasts. */
  days: number;
  terrain: RainTerrain;
  extent: RainExtent;
}

/**
 * Heavy-rain risk level (Điều 44; 4 levels, no level 5). Only the clauses the reference has read
 * are applied:
 * - level 1: 100–200 mm/24 h or 50–100 mm/12 h lasting 1–2 days, any terrain (line 47; the
 *   excerpt names no extent, so any extent);
 * - level 4: >200–400 mm/24 h for more than 4 days in midland/mountain areas, or >400 mm/24 h for
 *   more than 2 days in midland/mountain or more than 4 days in delta/coastal areas, over several
 *   provinces (line 48).
 * Levels 2 and 3 are [unverified] (line 49): every other case is `not_in_reference`.
 */
export function heavyRainRiskLevel(input: HeavyRainInput): RiskAssessment {
  assertFinite('days', input.days);
  const band = heavyRainBand(input.mm, input.period);
  if (band === undefined) {
    if (input.period === '12h' && input.mm > 100) return unknown('no 12-h band above 100 mm in the reference; use the 24-h amount');
    return { determined: false, reason: 'below_level_1', note: 'below the lowest band of Điều 44 (100 mm/24 h, 50 mm/12 h)' };
  }
  const several = input.extent === 'several_provinces';
  const mountain = input.terrain === 'midland_mountain';
  if (several && band === '200-400' && mountain && input.days > 4) return level(4, 'Điều 44.4.a');
  if (several && band === '400+' && ((mountain && input.days > 2) || (!mountain && input.days > 4))) return level(4, 'Điều 44.4.b');
  if (band === '100-200' && input.days >= 1 && input.days <= 2) return level(1, 'Điều 44.1');
  return unknown('levels 2 and 3 of Điều 44 (and the rest of level 1) are not in the reference: show the bulletin level');
}

// --- Điều 45: flood, inundation (lũ, ngập lụt), reference lines 52–59 -------------------------

/** Whether the forecast concerns one river basin or several. */
export type BasinExtent = 'one_basin' | 'several_basins';

export interface FloodRiskInput {
  /** Alarm levels of the station. */
  levels: AlarmLevels;
  /** Forecast flood water level H (m). */
  waterLevelM: number;
  /** Area class (khu vực) of the station. */
  area: FloodRiskArea;
  basins: BasinExtent;
}

/**
 * Flood risk level (Điều 45) from H, the station's area class and the basin extent. Applied as the
 * reference reads them: levels 1 and 2 fully ([verified], lines 54–55); level 3 only clause (a),
 * BĐ2 ≤ H < BĐ3 + 0.3 m at khu vực 4 (line 56), and only on one basin: the excerpt names no basin
 * extent, and since several basins raise the level elsewhere (2.d against 1.a) applying it to
 * several basins could understate (our choice). Everything at or above BĐ3 that clause 2.c does
 * not cover (levels 3.b, 4, 5: lines 56–58) is `not_in_reference`. H below BĐ1 is below level 1
 * (every clause starts at BĐ1 or higher).
 */
export function floodRiskLevel(input: FloodRiskInput): RiskAssessment {
  assertFinite('waterLevelM', input.waterLevelM);
  const { bd1, bd2, bd3 } = input.levels;
  const h = input.waterLevelM;
  const { area } = input;
  if (h < bd1) return { determined: false, reason: 'below_level_1', note: 'H below BĐ1' };
  const overBd3 = roundMm(h - bd3); // compared with 0.3 and 1.0 m without float noise
  if (input.basins === 'one_basin') {
    if (h < bd2) return area === 4 ? level(2, 'Điều 45.2.a') : level(1, 'Điều 45.1.a');
    if (h < bd3) {
      if (area === 1) return level(1, 'Điều 45.1.b');
      if (area === 4) return level(3, 'Điều 45.3.a');
      return level(2, 'Điều 45.2.b');
    }
    if ((area === 1 || area === 2) && overBd3 < 1) return level(2, 'Điều 45.2.c');
    if (area === 4 && overBd3 < 0.3) return level(3, 'Điều 45.3.a');
    return unknown('H ≥ BĐ3 here falls under Điều 45 levels 3.b–5, not in the reference: show the bulletin level');
  }
  if (area === 1 && h < bd3) return level(2, 'Điều 45.2.d');
  if ((area === 2 || area === 3) && h < bd2) return level(2, 'Điều 45.2.d');
  return unknown('this case on several basins is not in the reference: show the bulletin level');
}

/**
 * `floodRiskLevel` for a configured station: `area_unknown` while the station has no `riskArea`
 * (the case of every shipped station; reference line 59: "Do not compute the flood risk level for
 * Đà Nẵng stations; display the level stated in the official bulletin").
 */
export function stationFloodRiskLevel(station: FloodStation, waterLevelM: number, basins: BasinExtent): RiskAssessment {
  if (station.riskArea === undefined) {
    return { determined: false, reason: 'area_unknown', note: `the area class (khu vực) of ${station.station} is not known: show the bulletin level` };
  }
  return floodRiskLevel({ levels: alarmLevels(station), waterLevelM, area: station.riskArea, basins });
}

// ---------------------------------------------------------------------------------------------
// Configuration and its validator
// ---------------------------------------------------------------------------------------------

export interface WarningThresholds {
  /** Id, e.g. `vn-2025`. */
  id: string;
  name: Bilingual;
  /** What the defaults rest on (the reference document). */
  source: string;
  /** Evidence keys (`S1`…, `kttv-ag`…) → URL and description. */
  sources: Record<string, string>;
  floodStations: FloodStation[];
  rainfall: Record<RainfallPeriod, RainfallBound[]>;
  urbanFloodDepth: UrbanFloodDepthBound[];
  riskColours: RiskColour[];
}

export const THRESHOLDS_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const STATION_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SOURCE_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const WHEN_PATTERN = /^\d{4}(-\d{2}-\d{2}(T\d{2}:\d{2}\+07:00)?)?$/;
const HEX_PATTERN = /^#[0-9a-fA-F]{6}$/;
const MAX_NAME = 200;
const MAX_TEXT = 2000;

const TOP_KEYS = new Set(['id', 'name', 'source', 'sources', 'floodStations', 'rainfall', 'urbanFloodDepth', 'riskColours']);
const TAG_KEYS = ['status', 'note', 'sources'];
const LEVEL_KEYS = new Set(['m', ...TAG_KEYS]);
const PEAK_KEYS = new Set(['m', 'when', 'record', ...TAG_KEYS]);
const STATION_KEYS = new Set(['id', 'river', 'station', 'aliases', 'province', 'decision', 'bd1', 'bd2', 'bd3', 'peaks', 'riskArea', 'devices', 'note']);
const BOUND_KEYS = new Set(['class', 'atLeast', 'above', ...TAG_KEYS]);
const COLOUR_KEYS = new Set(['level', 'hex', ...TAG_KEYS]);

function checkNumber(errors: FieldError[], obj: Record<string, unknown>, at: string, key: string, opts: { min?: number } = {}): number | undefined {
  const field = fieldPath(at, key);
  const v = obj[key];
  if (v === undefined || v === null) {
    errors.push(fieldError(field, 'required', `${field} is required`));
    return undefined;
  }
  if (!isFiniteNumber(v)) {
    errors.push(fieldError(field, 'not_a_number', `${field} must be a finite number`));
    return undefined;
  }
  if (opts.min !== undefined && v < opts.min) {
    errors.push(fieldError(field, 'out_of_range', `${field} must be at least ${opts.min}`));
    return undefined;
  }
  return v;
}

/** An array at `obj[key]` (required unless `optional`), else undefined after reporting. */
function checkArray(errors: FieldError[], obj: Record<string, unknown>, at: string, key: string, optional = false): unknown[] | undefined {
  const field = fieldPath(at, key);
  const v = obj[key];
  if (v === undefined || v === null) {
    if (!optional) errors.push(fieldError(field, 'required', `${field} is required`));
    return undefined;
  }
  if (!Array.isArray(v)) {
    errors.push(fieldError(field, 'wrong_type', `${field} must be an array`));
    return undefined;
  }
  return v;
}

/** `status`, `note` and optional `sources` (keys of the top-level `sources`, when readable). */
function checkTag(errors: FieldError[], obj: Record<string, unknown>, at: string, sourceKeys: Set<string> | undefined): Tagged | undefined {
  const before = errors.length;
  const sf = fieldPath(at, 'status');
  let status: EvidenceStatus | undefined;
  if (obj.status === undefined || obj.status === null) errors.push(fieldError(sf, 'required', `${sf} is required`));
  else if (typeof obj.status !== 'string' || !(EVIDENCE_STATUSES as readonly string[]).includes(obj.status)) {
    errors.push(fieldError(sf, 'unknown_status', `status must be one of ${EVIDENCE_STATUSES.join(', ')}`));
  } else status = obj.status as EvidenceStatus;
  const note = checkText(errors, obj, at, 'note', { max: MAX_TEXT });
  const list = checkArray(errors, obj, at, 'sources', true);
  let sources: string[] | undefined;
  if (list) {
    sources = [];
    list.forEach((s, i) => {
      const f = fieldPath(fieldPath(at, 'sources'), i);
      if (typeof s !== 'string') errors.push(fieldError(f, 'wrong_type', `${f} must be a source key`));
      else if (sourceKeys && !sourceKeys.has(s)) errors.push(fieldError(f, 'unknown_source', `no source has key ${s}`));
      else sources!.push(s);
    });
  }
  if (errors.length !== before) return undefined;
  const tag: Tagged = { status: status!, note: note! };
  if (sources) tag.sources = sources;
  return tag;
}

function checkLevelValue(errors: FieldError[], v: unknown, at: string, sourceKeys: Set<string> | undefined): LevelValue | undefined {
  if (!isObject(v)) {
    errors.push(
      v === undefined || v === null ? fieldError(at, 'required', `${at} is required`) : fieldError(at, 'wrong_type', `${at} must be an object {m, status, note}`),
    );
    return undefined;
  }
  const before = errors.length;
  const m = checkNumber(errors, v, at, 'm');
  const tag = checkTag(errors, v, at, sourceKeys);
  checkKnownKeys(errors, v, at, LEVEL_KEYS);
  return errors.length === before ? { m: m!, ...tag! } : undefined;
}

function checkPeak(errors: FieldError[], v: unknown, at: string, sourceKeys: Set<string> | undefined): FloodPeak | undefined {
  if (!isObject(v)) {
    errors.push(fieldError(at, 'wrong_type', `${at} must be an object {m, when, record, status, note}`));
    return undefined;
  }
  const before = errors.length;
  const m = checkNumber(errors, v, at, 'm');
  const when = checkText(errors, v, at, 'when', { max: 32, pattern: WHEN_PATTERN });
  if (typeof v.record !== 'boolean') errors.push(fieldError(fieldPath(at, 'record'), v.record === undefined ? 'required' : 'wrong_type', `${fieldPath(at, 'record')} must be true or false`));
  const tag = checkTag(errors, v, at, sourceKeys);
  checkKnownKeys(errors, v, at, PEAK_KEYS);
  return errors.length === before ? { m: m!, when: when!, record: v.record as boolean, ...tag! } : undefined;
}

function checkStation(errors: FieldError[], raw: unknown, at: string, sourceKeys: Set<string> | undefined): { id?: string; station?: FloodStation } {
  if (!isObject(raw)) {
    errors.push(fieldError(at, 'wrong_type', `${at} must be an object`));
    return {};
  }
  const before = errors.length;
  const id = checkText(errors, raw, at, 'id', { max: 64, pattern: STATION_ID_PATTERN });
  const river = checkText(errors, raw, at, 'river', { max: MAX_NAME });
  const station = checkText(errors, raw, at, 'station', { max: MAX_NAME });
  const province = checkText(errors, raw, at, 'province', { max: MAX_NAME });
  const decision = checkText(errors, raw, at, 'decision', { max: MAX_NAME });
  const note = checkText(errors, raw, at, 'note', { max: MAX_TEXT, optional: true });

  let aliases: string[] | undefined;
  const aliasList = checkArray(errors, raw, at, 'aliases', true);
  if (aliasList) {
    aliases = [];
    aliasList.forEach((a, i) => {
      const f = fieldPath(fieldPath(at, 'aliases'), i);
      if (typeof a !== 'string' || a.trim() === '' || a.length > MAX_NAME) errors.push(fieldError(f, 'bad_value', `${f} must be a non-blank name`));
      else aliases!.push(a);
    });
  }

  const bd1 = checkLevelValue(errors, raw.bd1, fieldPath(at, 'bd1'), sourceKeys);
  const bd2 = checkLevelValue(errors, raw.bd2, fieldPath(at, 'bd2'), sourceKeys);
  const bd3 = checkLevelValue(errors, raw.bd3, fieldPath(at, 'bd3'), sourceKeys);
  if (bd1 && bd2 && !(bd1.m < bd2.m)) errors.push(fieldError(fieldPath(at, 'bd2/m'), 'not_increasing', `BĐ2 (${bd2.m}) must be above BĐ1 (${bd1.m})`));
  if (bd2 && bd3 && !(bd2.m < bd3.m)) errors.push(fieldError(fieldPath(at, 'bd3/m'), 'not_increasing', `BĐ3 (${bd3.m}) must be above BĐ2 (${bd2.m})`));
  if (bd1 && !bd2 && bd3 && !(bd1.m < bd3.m)) errors.push(fieldError(fieldPath(at, 'bd3/m'), 'not_increasing', `BĐ3 (${bd3.m}) must be above BĐ1 (${bd1.m})`));

  let peaks: FloodPeak[] | undefined;
  const peakList = checkArray(errors, raw, at, 'peaks', true);
  if (peakList) {
    peaks = [];
    let recordAt: string | undefined;
    peakList.forEach((p, i) => {
      const f = fieldPath(fieldPath(at, 'peaks'), i);
      const peak = checkPeak(errors, p, f, sourceKeys);
      if (!peak) return;
      peaks!.push(peak);
      if (peak.record) {
        if (recordAt !== undefined) errors.push(fieldError(fieldPath(f, 'record'), 'multiple_records', `only one peak may be the record; ${recordAt} is`));
        else recordAt = f;
      }
    });
  }

  let devices: string[] | undefined;
  const deviceList = checkArray(errors, raw, at, 'devices', true);
  if (deviceList) {
    devices = [];
    deviceList.forEach((d, i) => {
      const f = fieldPath(fieldPath(at, 'devices'), i);
      if (typeof d !== 'string' || !ID_PATTERN.test(d)) errors.push(fieldError(f, 'bad_format', `${f} must be a device id matching ${ID_PATTERN.source}`));
      else if (devices!.includes(d)) errors.push(fieldError(f, 'duplicate', `device ${d} is listed twice`));
      else devices!.push(d);
    });
  }

  let riskArea: FloodRiskArea | undefined;
  if (raw.riskArea !== undefined && raw.riskArea !== null) {
    if (raw.riskArea === 1 || raw.riskArea === 2 || raw.riskArea === 3 || raw.riskArea === 4) riskArea = raw.riskArea;
    else errors.push(fieldError(fieldPath(at, 'riskArea'), 'bad_value', 'riskArea must be 1, 2, 3 or 4'));
  }
  checkKnownKeys(errors, raw, at, STATION_KEYS);

  if (errors.length !== before) return { id };
  const s: FloodStation = { id: id!, river: river!, station: station!, province: province!, decision: decision!, bd1: bd1!, bd2: bd2!, bd3: bd3! };
  if (aliases) s.aliases = aliases;
  if (peaks) s.peaks = peaks;
  if (riskArea !== undefined) s.riskArea = riskArea;
  if (devices) s.devices = devices;
  if (note !== undefined) s.note = note;
  return { id, station: s };
}

/** A list of class bounds: known classes, each once, in the canonical order, bounds increasing. */
function checkBounds<C extends string>(
  errors: FieldError[],
  obj: Record<string, unknown>,
  at: string,
  key: string,
  classes: readonly C[],
  sourceKeys: Set<string> | undefined,
): ClassBound<C>[] | undefined {
  const list = checkArray(errors, obj, at, key);
  if (!list) return undefined;
  const field = fieldPath(at, key);
  if (list.length === 0) {
    errors.push(fieldError(field, 'empty', `${field} must hold at least one class`));
    return undefined;
  }
  const before = errors.length;
  const out: ClassBound<C>[] = [];
  let prev: { at: string; rank: number; bound?: ClassBound<C> } | undefined;
  list.forEach((raw, i) => {
    const f = fieldPath(field, i);
    if (!isObject(raw)) {
      errors.push(fieldError(f, 'wrong_type', `${f} must be an object {class, atLeast | above, status, note}`));
      return;
    }
    const b4 = errors.length;
    const rank = typeof raw.class === 'string' ? (classes as readonly string[]).indexOf(raw.class) : -1;
    if (raw.class === undefined || raw.class === null) errors.push(fieldError(fieldPath(f, 'class'), 'required', `${fieldPath(f, 'class')} is required`));
    else if (rank < 0) errors.push(fieldError(fieldPath(f, 'class'), 'unknown_class', `class must be one of ${classes.join(', ')}`));
    const hasMin = raw.atLeast !== undefined && raw.atLeast !== null;
    const hasAbove = raw.above !== undefined && raw.above !== null;
    let bound: number | undefined;
    if (hasMin === hasAbove) errors.push(fieldError(f, 'bound_required', `${f} needs exactly one of atLeast and above`));
    else bound = checkNumber(errors, raw, f, hasMin ? 'atLeast' : 'above', { min: 0 });
    const tag = checkTag(errors, raw, f, sourceKeys);
    checkKnownKeys(errors, raw, f, BOUND_KEYS);
    const b: ClassBound<C> | undefined =
      errors.length === b4 ? { class: raw.class as C, ...(hasMin ? { atLeast: bound! } : { above: bound! }), ...tag! } : undefined;
    if (b) out.push(b);
    if (rank >= 0 && prev) {
      if (rank <= prev.rank) {
        errors.push(fieldError(fieldPath(f, 'class'), rank === prev.rank ? 'duplicate' : 'bad_order', `classes must be distinct and in the order ${classes.join(', ')}`));
      } else if (b && prev.bound) {
        const lo = boundValue(prev.bound);
        const hi = boundValue(b);
        // Strictly higher, or equal with `above` after `atLeast` (≥ x then > x): the class in between is just x.
        const increasing = hi > lo || (hi === lo && prev.bound.atLeast !== undefined && b.above !== undefined);
        if (!increasing) errors.push(fieldError(f, 'not_increasing', `${f} must start above ${prev.at}`));
      }
    }
    if (rank >= 0) prev = { at: f, rank, bound: b };
  });
  return errors.length === before ? out : undefined;
}

function checkRainfall(errors: FieldError[], input: Record<string, unknown>, sourceKeys: Set<string> | undefined): WarningThresholds['rainfall'] | undefined {
  const v = input.rainfall;
  if (!isObject(v)) {
    errors.push(
      v === undefined || v === null ? fieldError('rainfall', 'required', 'rainfall is required') : fieldError('rainfall', 'wrong_type', 'rainfall must be an object {12h, 24h}'),
    );
    return undefined;
  }
  const b12 = checkBounds(errors, v, 'rainfall', '12h', RAINFALL_CLASSES, sourceKeys);
  const b24 = checkBounds(errors, v, 'rainfall', '24h', RAINFALL_CLASSES, sourceKeys);
  checkKnownKeys(errors, v, 'rainfall', new Set(RAINFALL_PERIODS));
  return b12 && b24 ? { '12h': b12, '24h': b24 } : undefined;
}

function checkColours(errors: FieldError[], input: Record<string, unknown>, sourceKeys: Set<string> | undefined): RiskColour[] | undefined {
  const list = checkArray(errors, input, '', 'riskColours');
  if (!list) return undefined;
  const before = errors.length;
  const out: RiskColour[] = [];
  const seen = new Map<number, string>();
  list.forEach((raw, i) => {
    const f = fieldPath('riskColours', i);
    if (!isObject(raw)) {
      errors.push(fieldError(f, 'wrong_type', `${f} must be an object {level, hex, status, note}`));
      return;
    }
    const b4 = errors.length;
    let lvl: RiskLevel | undefined;
    if (!(RISK_LEVELS as readonly unknown[]).includes(raw.level)) errors.push(fieldError(fieldPath(f, 'level'), 'bad_value', 'level must be 1 to 5'));
    else {
      lvl = raw.level as RiskLevel;
      const first = seen.get(lvl);
      if (first !== undefined) errors.push(fieldError(fieldPath(f, 'level'), 'duplicate', `level ${lvl} is also ${first}`));
      else seen.set(lvl, f);
    }
    const hex = checkText(errors, raw, f, 'hex', { max: 7, pattern: HEX_PATTERN });
    const tag = checkTag(errors, raw, f, sourceKeys);
    checkKnownKeys(errors, raw, f, COLOUR_KEYS);
    if (errors.length === b4) out.push({ level: lvl!, hex: hex!, ...tag! });
  });
  const missing = RISK_LEVELS.filter((l) => !seen.has(l));
  if (list.every(isObject) && missing.length > 0) errors.push(fieldError('riskColours', 'missing_level', `a colour is needed for level ${missing.join(', ')}`));
  return errors.length === before ? out.sort((a, b) => a.level - b.level) : undefined;
}

function checkSources(errors: FieldError[], input: Record<string, unknown>): Record<string, string> | undefined {
  const v = input.sources;
  if (!isObject(v)) {
    errors.push(
      v === undefined || v === null ? fieldError('sources', 'required', 'sources is required') : fieldError('sources', 'wrong_type', 'sources must be an object {key: url and description}'),
    );
    return undefined;
  }
  const before = errors.length;
  for (const k of Object.keys(v)) {
    if (!SOURCE_KEY_PATTERN.test(k)) errors.push(fieldError(fieldPath('sources', k), 'bad_format', `source key must match ${SOURCE_KEY_PATTERN.source}`));
    else checkText(errors, v, 'sources', k, { max: MAX_TEXT });
  }
  return errors.length === before ? (v as Record<string, string>) : undefined;
}

/**
 * Validates warning thresholds (packages/server/presets/warning-thresholds.json). Pure. Reports
 * every problem as a field error: shape and types, finite numbers, known evidence statuses and
 * source keys, unique station ids, BĐ1 < BĐ2 < BĐ3, at most one record peak per station, device
 * ids well formed and each mapped to one station at most, class bounds in the canonical order and
 * increasing, one colour per risk level 1–5.
 */
export function validateWarningThresholds(input: unknown): Checked<WarningThresholds> {
  if (!isObject(input)) return fail([fieldError('', 'wrong_type', 'warning thresholds must be a JSON object')]);
  const errors: FieldError[] = [];
  const id = checkText(errors, input, '', 'id', { max: 64, pattern: THRESHOLDS_ID_PATTERN });
  const name = checkBilingual(errors, input, '', 'name', MAX_NAME);
  const source = checkText(errors, input, '', 'source', { max: MAX_TEXT });
  const sources = checkSources(errors, input);
  // Source references are only checked against a readable `sources` (else every one would fail).
  const sourceKeys = isObject(input.sources) ? new Set(Object.keys(input.sources)) : undefined;

  const stationList = checkArray(errors, input, '', 'floodStations');
  let stations: FloodStation[] | undefined;
  if (stationList) {
    const before = errors.length;
    const byId = new Map<string, string>();
    const byDevice = new Map<string, string>();
    const read = stationList.map((raw, i) => {
      const at = fieldPath('floodStations', i);
      const r = checkStation(errors, raw, at, sourceKeys);
      if (r.id !== undefined) {
        const first = byId.get(r.id);
        if (first !== undefined) errors.push(fieldError(fieldPath(at, 'id'), 'duplicate', `station id ${r.id} is also ${first}`));
        else byId.set(r.id, at);
      }
      r.station?.devices?.forEach((d, j) => {
        const other = byDevice.get(d);
        if (other !== undefined) errors.push(fieldError(fieldPath(fieldPath(at, 'devices'), j), 'duplicate', `device ${d} is also mapped to station ${other}`));
        else byDevice.set(d, r.station!.id);
      });
      return r.station;
    });
    if (errors.length === before) stations = read as FloodStation[];
  }

  const rainfall = checkRainfall(errors, input, sourceKeys);
  const urbanFloodDepth = checkBounds(errors, input, '', 'urbanFloodDepth', URBAN_FLOOD_DEPTH_CLASSES, sourceKeys);
  const riskColours = checkColours(errors, input, sourceKeys);
  checkKnownKeys(errors, input, '', TOP_KEYS);

  if (errors.length > 0) return fail(errors);
  return ok({
    id: id!,
    name: name!,
    source: source!,
    sources: sources!,
    floodStations: stations!,
    rainfall: rainfall!,
    urbanFloodDepth: urbanFloodDepth!,
    riskColours: riskColours!,
  });
}

/** The station whose `devices` list holds `deviceId`, if any. */
export const stationOfDevice = (t: WarningThresholds, deviceId: string): FloodStation | undefined => t.floodStations.find((s) => s.devices?.includes(deviceId));

/** The station with id `id`, if configured. */
export const findStation = (t: WarningThresholds, id: string): FloodStation | undefined => t.floodStations.find((s) => s.id === id);
