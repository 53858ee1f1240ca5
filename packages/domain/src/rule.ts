import { checkBilingual, checkKnownKeys, checkText, fieldPath, isFiniteNumber, isObject } from './check.ts';
import { ID_PATTERN } from './device.ts';
import { DEVICE_TYPES, SECTORS, type Sector } from './device-types.ts';
import type { FieldError } from './errors.ts';
import { UNIT_CODE_PATTERN } from './org.ts';
import { type Checked, fail, fieldError, ok } from './result.ts';
import type { Bilingual } from './text.ts';

/**
 * Warning rules as data: what to watch (devices of a type inside an org subtree and sector), the
 * condition that raises an alert and the one that clears it, how severe it is and who owns it.
 * A rule is JSON, validated here; the engine (rule-eval.ts) evaluates it incrementally.
 */

export const SEVERITIES = ['info', 'minor', 'major', 'critical', 'extreme'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_NAMES: Record<Severity, Bilingual> = {
  info: { vi: 'Thông tin', en: 'Info' },
  minor: { vi: 'Nhẹ', en: 'Minor' },
  major: { vi: 'Đáng kể', en: 'Major' },
  critical: { vi: 'Nghiêm trọng', en: 'Critical' },
  extreme: { vi: 'Đặc biệt nghiêm trọng', en: 'Extreme' },
};
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export const COMPARATORS = ['>', '>=', '<', '<='] as const;
export type Comparator = (typeof COMPARATORS)[number];
export const AGGREGATES = ['sum', 'avg', 'max', 'min'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/** Which series a leaf watches: an attribute of the rule's devices, optionally narrowed to a type. */
interface LeafBase {
  attr: string;
  /** Narrows the rule's devices to this type (composite rules over several kinds of sensor). */
  deviceType?: string;
}

/** Raise when the value passes `raise`; clear only when it is back beyond `clear` (hysteresis). */
export interface ThresholdCondition extends LeafBase {
  kind: 'threshold';
  op: Comparator;
  raise: number;
  clear: number;
}

/** Raise when every reading for `minutes` (or `readings` in a row) passes `value`; clear at the first that does not. */
export interface DurationCondition extends LeafBase {
  kind: 'duration';
  op: Comparator;
  value: number;
  minutes?: number;
  readings?: number;
}

/** Raise when the value rose by at least `change` (or, negative, fell by at least |change|) within `minutes`. */
export interface RateCondition extends LeafBase {
  kind: 'rate';
  change: number;
  minutes: number;
}

/** An aggregate over a sliding window of `minutes` (e.g. rainfall sum over 3 h) with hysteresis. */
export interface WindowCondition extends LeafBase {
  kind: 'window';
  agg: Aggregate;
  minutes: number;
  op: Comparator;
  raise: number;
  clear: number;
}

/**
 * A value far from the series' own history for the same local hour of day: robust z-score
 * |x − median| / (1.4826 · MAD) over the hourly means of the last `days` days. Raises above `k`,
 * clears below `clearK` (default 0.7·k); silent until `minDays` days of history exist.
 */
export interface AnomalyCondition extends LeafBase {
  kind: 'anomaly';
  k: number;
  clearK?: number;
  minDays: number;
  days?: number;
  /** Smallest spread used, in the attribute's unit, so a flat history does not make every change an anomaly. */
  minScale?: number;
}

/** A device silent for more than `factor` × its expected period is offline; back online at its next reading. */
export interface AbsenceCondition {
  kind: 'absence';
  factor: number;
  /** Watch this attribute's series; default: any attribute of the device. */
  attr?: string;
  deviceType?: string;
}

export interface CompositeCondition {
  kind: 'all' | 'any';
  conditions: Condition[];
}

export type LeafCondition = ThresholdCondition | DurationCondition | RateCondition | WindowCondition | AnomalyCondition | AbsenceCondition;
export type Condition = LeafCondition | CompositeCondition;

/** Where an alert goes: the operation center of the place, or the sector OC of the rule's sector. */
export const ROUTES = ['area', 'sector'] as const;
export type Route = (typeof ROUTES)[number];

export interface SeverityStep {
  /** From this value of the rule's first leaf (in the direction of its comparator), this severity. */
  value: number;
  severity: Severity;
}

export interface RuleDefinition {
  name: Bilingual;
  description?: Bilingual;
  /** The org subtree the rule watches and belongs to. */
  unitCode: string;
  /** Only devices of this sector (null/absent: every sector). */
  sector?: Sector | null;
  /** Which devices: of this type and/or these ids (inside the subtree and sector). */
  deviceType?: string;
  devices?: string[];
  /** `device`: one alert subject per device; `area`: the rule's whole area is one subject (composites across devices). */
  per: 'device' | 'area';
  condition: Condition;
  severity: Severity;
  severitySteps?: SeverityStep[];
  route: Route;
  /** A subject that fires again within this many minutes of its alert resolving reopens it. */
  reopenMinutes: number;
  enabled: boolean;
}

export interface Rule extends RuleDefinition {
  id: string;
  version: number;
}

export const RULE_ID_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
/** Longest window, duration or rate span: a day (restart replays this much history). */
export const MAX_WINDOW_MINUTES = 24 * 60;
export const MAX_CONDITIONS = 16;
export const MAX_DEPTH = 3;
const MAX_RULE_DEVICES = 1000;

const ATTR_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const RULE_KEYS = new Set(['id', 'name', 'description', 'unitCode', 'sector', 'deviceType', 'devices', 'per', 'condition', 'severity', 'severitySteps', 'route', 'reopenMinutes', 'enabled']);
const LEAF_KEYS: Record<LeafCondition['kind'], ReadonlySet<string>> = {
  threshold: new Set(['kind', 'attr', 'deviceType', 'op', 'raise', 'clear']),
  duration: new Set(['kind', 'attr', 'deviceType', 'op', 'value', 'minutes', 'readings']),
  rate: new Set(['kind', 'attr', 'deviceType', 'change', 'minutes']),
  window: new Set(['kind', 'attr', 'deviceType', 'agg', 'minutes', 'op', 'raise', 'clear']),
  anomaly: new Set(['kind', 'attr', 'deviceType', 'k', 'clearK', 'minDays', 'days', 'minScale']),
  absence: new Set(['kind', 'attr', 'deviceType', 'factor']),
};

/** true when `value` is on the alarming side of `limit`. */
export function passes(op: Comparator, value: number, limit: number): boolean {
  switch (op) {
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
  }
}

/** Upward comparators alarm on high values; the clear level must lie on the safe side of the raise level. */
export const isUpward = (op: Comparator): boolean => op === '>' || op === '>=';

function num(errors: FieldError[], o: Record<string, unknown>, at: string, key: string, opts: { min?: number; max?: number; integer?: boolean; optional?: boolean } = {}): number | undefined {
  const field = fieldPath(at, key);
  const v = o[key];
  if (v === undefined && opts.optional) return undefined;
  if (!isFiniteNumber(v)) {
    errors.push(fieldError(field, v === undefined ? 'required' : 'wrong_type', `${field} must be a finite number`));
    return undefined;
  }
  if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max) || (opts.integer && !Number.isInteger(v))) {
    const range = `${opts.min ?? '-∞'}..${opts.max ?? '∞'}`;
    errors.push(fieldError(field, 'out_of_range', `${field} must be ${opts.integer ? 'an integer ' : ''}in ${range}`));
    return undefined;
  }
  return v;
}

function oneOf<T extends string>(errors: FieldError[], o: Record<string, unknown>, at: string, key: string, allowed: readonly T[], optional = false): T | undefined {
  const field = fieldPath(at, key);
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    errors.push(fieldError(field, v === undefined ? 'required' : 'bad_value', `${field} must be one of ${allowed.join(', ')}`));
    return undefined;
  }
  return v as T;
}

function checkDeviceType(errors: FieldError[], o: Record<string, unknown>, at: string): string | undefined {
  const t = checkText(errors, o, at, 'deviceType', { max: 64, pattern: ID_PATTERN, optional: true });
  if (t !== undefined && !Object.hasOwn(DEVICE_TYPES, t)) errors.push(fieldError(fieldPath(at, 'deviceType'), 'bad_value', `unknown device type ${t}; known: ${Object.keys(DEVICE_TYPES).join(', ')}`));
  return t;
}

function checkHysteresis(errors: FieldError[], at: string, op: Comparator | undefined, raise: number | undefined, clear: number | undefined): void {
  if (op === undefined || raise === undefined || clear === undefined) return;
  if (isUpward(op) ? clear > raise : clear < raise) {
    errors.push(fieldError(fieldPath(at, 'clear'), 'out_of_range', `clear must be ${isUpward(op) ? 'at most' : 'at least'} raise (${raise}) for ${op}`));
  }
}

function checkLeaf(errors: FieldError[], c: Record<string, unknown>, at: string, kind: LeafCondition['kind']): LeafCondition | undefined {
  const before = errors.length;
  checkKnownKeys(errors, c, at, LEAF_KEYS[kind]);
  const deviceType = checkDeviceType(errors, c, at);
  const attr = checkText(errors, c, at, 'attr', { max: 32, pattern: ATTR_PATTERN, optional: kind === 'absence' });
  const base = { ...(deviceType !== undefined && { deviceType }) };
  let out: LeafCondition | undefined;
  switch (kind) {
    case 'threshold': {
      const op = oneOf(errors, c, at, 'op', COMPARATORS);
      const raise = num(errors, c, at, 'raise');
      const clear = num(errors, c, at, 'clear');
      checkHysteresis(errors, at, op, raise, clear);
      out = { kind, attr: attr!, ...base, op: op!, raise: raise!, clear: clear! };
      break;
    }
    case 'duration': {
      const op = oneOf(errors, c, at, 'op', COMPARATORS);
      const value = num(errors, c, at, 'value');
      const minutes = num(errors, c, at, 'minutes', { min: 1, max: MAX_WINDOW_MINUTES, optional: true });
      const readings = num(errors, c, at, 'readings', { min: 2, max: 1000, integer: true, optional: true });
      if (c.minutes === undefined && c.readings === undefined) errors.push(fieldError(fieldPath(at, 'minutes'), 'required', `${at}: give minutes or readings`));
      if (c.minutes !== undefined && c.readings !== undefined) errors.push(fieldError(fieldPath(at, 'readings'), 'conflict', `${at}: give minutes or readings, not both`));
      out = { kind, attr: attr!, ...base, op: op!, value: value!, ...(minutes !== undefined && { minutes }), ...(readings !== undefined && { readings }) };
      break;
    }
    case 'rate': {
      const change = num(errors, c, at, 'change');
      if (change === 0) errors.push(fieldError(fieldPath(at, 'change'), 'out_of_range', `${at}/change must not be 0 (positive: a rise, negative: a fall)`));
      const minutes = num(errors, c, at, 'minutes', { min: 1, max: MAX_WINDOW_MINUTES });
      out = { kind, attr: attr!, ...base, change: change!, minutes: minutes! };
      break;
    }
    case 'window': {
      const agg = oneOf(errors, c, at, 'agg', AGGREGATES);
      const minutes = num(errors, c, at, 'minutes', { min: 1, max: MAX_WINDOW_MINUTES });
      const op = oneOf(errors, c, at, 'op', COMPARATORS);
      const raise = num(errors, c, at, 'raise');
      const clear = num(errors, c, at, 'clear');
      checkHysteresis(errors, at, op, raise, clear);
      out = { kind, attr: attr!, ...base, agg: agg!, minutes: minutes!, op: op!, raise: raise!, clear: clear! };
      break;
    }
    case 'anomaly': {
      const k = num(errors, c, at, 'k', { min: 1, max: 100 });
      const clearK = num(errors, c, at, 'clearK', { min: 0.1, max: 100, optional: true });
      if (k !== undefined && clearK !== undefined && clearK > k) errors.push(fieldError(fieldPath(at, 'clearK'), 'out_of_range', `${at}/clearK must be at most k`));
      const minDays = num(errors, c, at, 'minDays', { min: 1, max: 365, integer: true });
      const days = num(errors, c, at, 'days', { min: 1, max: 365, integer: true, optional: true });
      if (minDays !== undefined && days !== undefined && days < minDays) errors.push(fieldError(fieldPath(at, 'days'), 'out_of_range', `${at}/days must be at least minDays`));
      const minScale = num(errors, c, at, 'minScale', { min: 0, optional: true });
      out = {
        kind, attr: attr!, ...base, k: k!, minDays: minDays!,
        ...(clearK !== undefined && { clearK }), ...(days !== undefined && { days }), ...(minScale !== undefined && { minScale }),
      };
      break;
    }
    case 'absence': {
      const factor = num(errors, c, at, 'factor', { min: 1, max: 1000 });
      out = { kind, ...base, ...(attr !== undefined && { attr }), factor: factor! };
      break;
    }
  }
  return errors.length === before ? out : undefined;
}

function checkCondition(errors: FieldError[], c: unknown, at: string, depth: number, count: { n: number }): Condition | undefined {
  if (!isObject(c)) {
    errors.push(fieldError(at, c === undefined ? 'required' : 'wrong_type', `${at} must be an object with a kind`));
    return undefined;
  }
  const kind = oneOf(errors, c, at, 'kind', ['threshold', 'duration', 'rate', 'window', 'anomaly', 'absence', 'all', 'any'] as const);
  if (kind === undefined) return undefined;
  if (kind !== 'all' && kind !== 'any') {
    if (++count.n > MAX_CONDITIONS) {
      errors.push(fieldError(at, 'too_many', `a rule has at most ${MAX_CONDITIONS} conditions`));
      return undefined;
    }
    return checkLeaf(errors, c, at, kind);
  }
  checkKnownKeys(errors, c, at, new Set(['kind', 'conditions']));
  if (depth >= MAX_DEPTH) {
    errors.push(fieldError(at, 'too_deep', `conditions nest at most ${MAX_DEPTH} levels`));
    return undefined;
  }
  const list = c.conditions;
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_CONDITIONS) {
    errors.push(fieldError(fieldPath(at, 'conditions'), Array.isArray(list) ? 'bad_length' : 'wrong_type', `${fieldPath(at, 'conditions')} must be an array of 1 to ${MAX_CONDITIONS} conditions`));
    return undefined;
  }
  const before = errors.length;
  const conditions = list.map((x, i) => checkCondition(errors, x, fieldPath(fieldPath(at, 'conditions'), i), depth + 1, count));
  return errors.length === before ? { kind, conditions: conditions as Condition[] } : undefined;
}

export const isComposite = (c: Condition): c is CompositeCondition => c.kind === 'all' || c.kind === 'any';

/** The leaves of a condition, depth first (the first one drives severity steps and evidence values). */
export function leavesOf(c: Condition): LeafCondition[] {
  return isComposite(c) ? c.conditions.flatMap(leavesOf) : [c];
}

/** The longest history a condition looks back over, in minutes (what a restart must replay). */
export function lookbackMinutes(c: Condition): number {
  return Math.max(
    0,
    ...leavesOf(c).map((l) => {
      switch (l.kind) {
        case 'duration':
          return l.minutes ?? 0;
        case 'rate':
        case 'window':
          return l.minutes;
        default:
          return 0;
      }
    }),
  );
}

/** Validates a rule definition (as created or replaced through the API). `id` is checked when present. */
export function validateRule(input: unknown): Checked<RuleDefinition & { id?: string }> {
  if (!isObject(input)) return fail([fieldError('', 'wrong_type', 'a rule must be a JSON object')]);
  const errors: FieldError[] = [];
  checkKnownKeys(errors, input, '', RULE_KEYS);
  const id = checkText(errors, input, '', 'id', { max: 64, pattern: RULE_ID_PATTERN, optional: true });
  const name = checkBilingual(errors, input, '', 'name', 200);
  const description = input.description === undefined ? undefined : checkBilingual(errors, input, '', 'description', 2000);
  const unitCode = checkText(errors, input, '', 'unitCode', { max: 32, pattern: UNIT_CODE_PATTERN });
  const sector = input.sector === null ? null : oneOf(errors, input, '', 'sector', SECTORS, true);
  const deviceType = checkDeviceType(errors, input, '');
  let devices: string[] | undefined;
  if (input.devices !== undefined) {
    if (!Array.isArray(input.devices) || input.devices.length === 0 || input.devices.length > MAX_RULE_DEVICES) {
      errors.push(fieldError('devices', 'bad_length', `devices must be an array of 1 to ${MAX_RULE_DEVICES} device ids`));
    } else {
      input.devices.forEach((d, i) => {
        if (typeof d !== 'string' || !ID_PATTERN.test(d)) errors.push(fieldError(`devices/${i}`, 'bad_format', `devices/${i} must be a device id`));
      });
      devices = [...new Set(input.devices as string[])];
    }
  }
  const per = oneOf(errors, input, '', 'per', ['device', 'area'] as const, true) ?? 'device';
  const condition = checkCondition(errors, input.condition, 'condition', 0, { n: 0 });
  const severity = oneOf(errors, input, '', 'severity', SEVERITIES);
  let severitySteps: SeverityStep[] | undefined;
  if (input.severitySteps !== undefined) {
    const raw = input.severitySteps;
    if (!Array.isArray(raw) || raw.length < 1 || raw.length > SEVERITIES.length) {
      errors.push(fieldError('severitySteps', 'bad_length', `severitySteps must be an array of 1 to ${SEVERITIES.length} steps`));
    } else {
      const steps: SeverityStep[] = [];
      raw.forEach((s, i) => {
        const at = `severitySteps/${i}`;
        if (!isObject(s)) return void errors.push(fieldError(at, 'wrong_type', `${at} must be {value, severity}`));
        checkKnownKeys(errors, s, at, new Set(['value', 'severity']));
        const value = num(errors, s, at, 'value');
        const sev = oneOf(errors, s, at, 'severity', SEVERITIES);
        if (value !== undefined && sev !== undefined) steps.push({ value, severity: sev });
      });
      severitySteps = steps;
    }
  }
  const route = oneOf(errors, input, '', 'route', ROUTES, true) ?? 'area';
  if (route === 'sector' && !sector) errors.push(fieldError('route', 'bad_value', 'route "sector" needs the rule to have a sector'));
  const reopenMinutes = num(errors, input, '', 'reopenMinutes', { min: 0, max: 7 * 24 * 60, optional: true }) ?? 30;
  let enabled = true;
  if (input.enabled !== undefined) {
    if (typeof input.enabled !== 'boolean') errors.push(fieldError('enabled', 'wrong_type', 'enabled must be true or false'));
    else enabled = input.enabled;
  }
  if (condition) {
    const leaves = leavesOf(condition);
    if (per === 'device' && !deviceType && !devices && leaves.some((l) => l.kind !== 'absence' && !l.deviceType)) {
      // Without a type every device of the area would be watched for an attribute most do not have: say so.
      errors.push(fieldError('deviceType', 'required', 'give deviceType (on the rule or on each condition) or a devices list'));
    }
    if (severitySteps && leaves[0]!.kind === 'absence') errors.push(fieldError('severitySteps', 'bad_value', 'severitySteps need a first condition with a value'));
  }
  if (errors.length) return fail(errors);
  return ok({
    ...(id !== undefined && { id }),
    name: name!,
    ...(description && { description }),
    unitCode: unitCode!,
    sector: sector ?? null,
    ...(deviceType !== undefined && { deviceType }),
    ...(devices && { devices }),
    per,
    condition: condition!,
    severity: severity!,
    ...(severitySteps && { severitySteps: [...severitySteps].sort((a, b) => a.value - b.value) }),
    route,
    reopenMinutes,
    enabled,
  });
}

/** The severity for a value: the rule's, raised by the highest step the value has passed. */
export function severityFor(rule: Pick<RuleDefinition, 'severity' | 'severitySteps' | 'condition'>, value: number | undefined): Severity {
  let s = rule.severity;
  if (!rule.severitySteps || value === undefined) return s;
  const first = leavesOf(rule.condition)[0]!;
  const up = !('op' in first) ? ('change' in first ? first.change > 0 : true) : isUpward(first.op);
  for (const step of rule.severitySteps) {
    if ((up ? value >= step.value : value <= step.value) && severityRank(step.severity) > severityRank(s)) s = step.severity;
  }
  return s;
}
