import { DEVICE_TYPES, type FieldError, seriesAttributes, validateRule } from '@haidang/domain';

export const LEAF_KINDS = ['threshold', 'duration', 'rate', 'window', 'anomaly', 'absence'] as const;
export type LeafKind = (typeof LEAF_KINDS)[number];
export type ConditionKind = LeafKind | 'all' | 'any';

/** A rule as the form edits it: the API's definition (docs/rules.md), fields kept as they are. */
export type RuleDraft = Record<string, unknown> & { condition: Record<string, unknown> };

/** Fields the API adds to a saved rule that are not part of its definition. */
const VIEW_ONLY = ['version', 'activeFrom', 'createdBy', 'createdAt', 'updatedAt'];

/** A new leaf of a kind with sensible defaults (the attribute kept when switching kinds). */
export function newCondition(kind: ConditionKind, attr = ''): Record<string, unknown> {
  switch (kind) {
    case 'threshold':
      return { kind, attr, op: '>=', raise: 0, clear: 0 };
    case 'duration':
      return { kind, attr, op: '>=', value: 0, minutes: 30 };
    case 'rate':
      return { kind, attr, change: 1, minutes: 60 };
    case 'window':
      return { kind, attr, agg: 'sum', minutes: 180, op: '>=', raise: 0, clear: 0 };
    case 'anomaly':
      return { kind, attr, k: 5, minDays: 7 };
    case 'absence':
      return { kind, factor: 3 };
    case 'all':
    case 'any':
      return { kind, conditions: [newCondition('threshold', attr)] };
  }
}

/** A blank rule for a unit: a threshold on one attribute, per device, enabled. */
export const emptyRule = (unitCode: string, deviceType = 'flood_depth'): RuleDraft => ({
  name: { vi: '', en: '' },
  unitCode,
  sector: null,
  deviceType,
  per: 'device',
  condition: newCondition('threshold', DEVICE_TYPES[deviceType]?.attributes[0]?.name ?? ''),
  severity: 'minor',
  route: 'area',
  reopenMinutes: 30,
  enabled: true,
});

/** The editable definition of a saved rule (its id kept; the version travels separately). */
export function draftOf(view: Record<string, unknown>): { draft: RuleDraft; version: number } {
  const draft: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(view)) if (!VIEW_ONLY.includes(k) && v !== undefined) draft[k] = v;
  return { draft: draft as RuleDraft, version: view.version as number };
}

/** `obj` with the value at `path` replaced (objects and arrays copied along the way). */
export function setAt<T>(obj: T, path: readonly (string | number)[], value: unknown): T {
  if (path.length === 0) return value as T;
  const [head, ...rest] = path;
  const copy = (Array.isArray(obj) ? [...obj] : { ...(obj as object) }) as Record<string | number, unknown>;
  copy[head!] = setAt(copy[head!], rest, value);
  if (value === undefined && rest.length === 0) delete copy[head!];
  return copy as T;
}

/** The field path of a form control as the domain names it: `condition/conditions/1/raise`. */
export const fieldPath = (path: readonly (string | number)[]): string => path.join('/');

/** The problems of a draft, as the server would answer them (the domain's own validation). */
export function draftErrors(draft: RuleDraft): FieldError[] {
  const r = validateRule(draft);
  return r.ok ? [] : r.errors;
}

/** The problems of one field (exactly), for the message under its control. */
export const errorsOf = (errors: readonly FieldError[], path: readonly (string | number)[]): FieldError[] => errors.filter((e) => e.field === fieldPath(path));

/** Attributes a rule on this device type can watch: measured and derived (VN_AQI, rain sums, BĐ levels…). */
export function attributeChoices(deviceType: string | undefined): string[] {
  if (!deviceType || !DEVICE_TYPES[deviceType]) return [...new Set(Object.keys(DEVICE_TYPES).flatMap((t) => attributeChoices(t)))].sort();
  return seriesAttributes({ type: deviceType, attributes: DEVICE_TYPES[deviceType]!.attributes });
}
