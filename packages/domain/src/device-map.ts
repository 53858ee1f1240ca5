import type { ScopeFilter } from './access.ts';
import { SEVERITIES, type Severity, severityRank } from './rule.ts';

/**
 * What the operator console's overview map shows of a device: a state (its marker's colour) and a
 * few values. Pure: the map service gathers devices, latest values, active alerts and the rule
 * engine's offline set, and asks here.
 */

/**
 * The attributes shown on the map for each device type (measured or derived, docs/derived-series.md),
 * most telling first: the popup and the marker label use them in this order. A type not listed
 * (custom devices) shows no values on the map; its latest values stay readable at /api/v1/latest.
 */
export const MAP_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  air_quality: ['aqi', 'pm25'], // hourly VN_AQI (derived) and the PM2.5 reading
  rain_gauge: ['rain_1h', 'rain_24h', 'rain_class'], // rain sums and class (derived)
  flood_depth: ['depth', 'depth_class'], // street flooding and its band (derived)
  river_level: ['level', 'alarm_level', 'risk_level'], // water level, BĐ1–3 and disaster risk level (derived)
  traffic: ['speed'],
  wastewater: ['cod'],
};

/** The map attributes of a device type; none for a type the table does not list. */
export const mapAttributesOf = (type: string): readonly string[] => (Object.hasOwn(MAP_ATTRIBUTES, type) ? MAP_ATTRIBUTES[type]! : []);

export const DEVICE_MAP_STATES = ['ok', 'warning', 'alert', 'offline'] as const;
export type DeviceMapState = (typeof DEVICE_MAP_STATES)[number];

/** Severities from which an active alert makes a device `alert` on the map; below them, `warning`. */
const ALERT_FROM: Severity = 'major';

/**
 * A device's state on the map: `offline` when the rule engine considers it offline (whatever its
 * alerts); else `alert` when its most severe active alert is major, critical or extreme, `warning`
 * when it is info or minor, `ok` without an active alert.
 */
export function deviceMapState(offline: boolean, worst: Severity | null): DeviceMapState {
  if (offline) return 'offline';
  if (worst === null) return 'ok';
  return severityRank(worst) >= severityRank(ALERT_FROM) ? 'alert' : 'warning';
}

/** The more severe of two severities (null: none). */
export const moreSevere = (a: Severity | null, b: Severity | null): Severity | null =>
  a === null ? b : b === null ? a : severityRank(b) > severityRank(a) ? b : a;

/** A count per severity, every severity present (0 when none). */
export const severityCounts = (): Record<Severity, number> => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;

/**
 * Whether a unit lies within a scope filter, for showing the unit itself (its area on the map): a
 * unit is in scope when one of the filter's scopes covers it, whatever that scope's sector (a
 * sector operator city-wide sees the city's areas, and only its sector's records in them).
 */
export const filterCoversUnit = (f: ScopeFilter, unitCode: string): boolean =>
  f.kind === 'all' || (f.kind === 'some' && f.scopes.some((s) => s.unitCodes.has(unitCode)));
