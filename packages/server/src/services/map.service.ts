import {
  attributeSpecOf,
  type DeviceMapState,
  deviceMapState,
  filterAllows,
  filterCoversUnit,
  IocError,
  mapAttributesOf,
  moreSevere,
  type OrgUnitKind,
  scopeConditions,
  type Sector,
  type Severity,
  severityCounts,
} from '@haidang/domain';
import type { AccessPolicy } from './access-policy.ts';
import type { DeviceDirectory, DirectoryEntry } from './device-directory.ts';
import type { LatestValues } from './latest-values.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { ActiveAlertCount, AlertStore, GeoGeometry } from './ports.ts';
import type { RequestContext } from './request-context.ts';

/** Which devices the rule engine currently finds offline (AlertEngine). */
export interface OfflineView {
  isOffline(deviceId: string): boolean;
}

export interface MapDeviceQuery {
  unit?: string;
  type?: string;
  sector?: string;
}

export interface MapValue {
  value: number;
  /** ISO 8601, UTC. */
  ts: string;
  unit: string;
}

/** A GeoJSON Feature (RFC 7946 §3.2) of a device: a Point at [lon, lat]. */
export interface DeviceFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: {
    id: string;
    name: string;
    type: string;
    unitCode: string;
    sector: Sector;
    state: DeviceMapState;
    /** The most severe active (open or acknowledged) alert on the device; null without one. */
    severity: Severity | null;
    activeAlerts: number;
    /** The device type's map attributes (domain MAP_ATTRIBUTES) that have a value. */
    values: Record<string, MapValue>;
  };
}

/** A GeoJSON Feature of an org unit's area. */
export interface UnitFeature {
  type: 'Feature';
  id: string;
  geometry: { type: GeoGeometry['type']; coordinates: unknown[] };
  properties: { code: string; name: { vi: string; en: string }; kind: OrgUnitKind; parent: string | null };
}

export interface FeatureCollection<F> {
  type: 'FeatureCollection';
  features: F[];
}

/** A device's latest value of one attribute. */
export interface DeviceFigure {
  deviceId: string;
  name: string;
  value: number;
  ts: string;
}

export interface RiverStation {
  deviceId: string;
  name: string;
  /** Latest water level (m on the station's datum); null before the first reading. */
  level: number | null;
  /** Latest flood alarm level (0 below BĐ1, 1–3); null when the station is not mapped to one or has none yet. */
  alarmLevel: number | null;
  /** Instant of the latest level; null before the first reading. */
  ts: string | null;
}

/** The overview tiles' figures, in the caller's scope. */
export interface Overview {
  alerts: Record<Severity, number> & { escalated: number };
  devices: { total: number; online: number; offline: number; inAlert: number };
  worstAqi: DeviceFigure | null;
  rainNow: DeviceFigure | null;
  rivers: RiverStation[];
}

export interface MapServiceDeps {
  directory: DeviceDirectory;
  latest: LatestValues;
  units: OrgUnitService;
  access: AccessPolicy;
  alerts: AlertStore;
  offline: OfflineView;
}

/**
 * What the operator console's overview map and tiles read: devices as GeoJSON with their state and
 * a few values, unit areas, and the key figures. Cheap for 10,000 devices: devices and latest values
 * are in memory, and active alerts come from one grouped query. Scope as everywhere: devices under
 * device.read, alerts under alert.read, units under unit.read; what lies outside is absent.
 */
export class MapService {
  constructor(private readonly d: MapServiceDeps) {}

  async devices(ctx: RequestContext, q: MapDeviceQuery): Promise<FeatureCollection<DeviceFeature>> {
    const entries = await this.inScope(ctx, q);
    const alerts = byDevice(await this.activeAlerts(ctx));
    const features = entries.map(({ device: d, series }): DeviceFeature => {
      const a = alerts.get(d.id);
      const severity = a?.worst ?? null;
      const values: Record<string, MapValue> = {};
      for (const attr of mapAttributesOf(d.type)) {
        const sid = series[attr];
        const l = sid === undefined ? undefined : this.d.latest.get(sid);
        if (l) values[attr] = { value: l.value, ts: l.iso, unit: attributeSpecOf(d, attr)?.unit ?? '' };
      }
      return {
        type: 'Feature',
        id: d.id,
        geometry: { type: 'Point', coordinates: [d.location.lon, d.location.lat] },
        properties: {
          id: d.id,
          name: d.name,
          type: d.type,
          unitCode: d.unitCode,
          sector: d.sector,
          state: deviceMapState(this.d.offline.isOffline(d.id), severity),
          severity,
          activeAlerts: a?.count ?? 0,
          values,
        },
      };
    });
    return { type: 'FeatureCollection', features };
  }

  /** The active units with an area geometry that the caller's scope covers (a district operator: its district and wards). */
  async units(ctx: RequestContext): Promise<FeatureCollection<UnitFeature>> {
    const f = await this.d.access.filter(ctx, 'unit.read');
    if (f.kind === 'none') throw new IocError('IOC_ERR_FORBIDDEN', 'the map of units needs the permission unit.read');
    const features: UnitFeature[] = [];
    for (const u of await this.d.units.list({ status: 'active' })) {
      if (!u.geometry || !filterCoversUnit(f, u.code)) continue;
      const geometry = { type: u.geometry.type, coordinates: u.geometry.coordinates as unknown[] };
      features.push({ type: 'Feature', id: u.code, geometry, properties: { code: u.code, name: u.name, kind: u.kind, parent: u.parent } });
    }
    return { type: 'FeatureCollection', features };
  }

  /** The figures of the caller's scope, or of one unit's subtree inside it (`unit`). */
  async overview(ctx: RequestContext, q: { unit?: string } = {}): Promise<Overview> {
    const entries = await this.inScope(ctx, { unit: q.unit });
    const inUnit = q.unit ? new Set(await this.d.units.subtree(q.unit)) : undefined;
    const counts = (await this.activeAlerts(ctx)).filter((c) => !inUnit || inUnit.has(c.unitCode));
    const alerts = { ...severityCounts(), escalated: 0 };
    for (const c of counts) {
      alerts[c.severity] += c.count;
      alerts.escalated += c.escalated;
    }
    const withAlerts = byDevice(counts);
    let offline = 0;
    let inAlert = 0;
    let worstAqi: DeviceFigure | null = null;
    let rainNow: DeviceFigure | null = null;
    const rivers: RiverStation[] = [];
    for (const { device: d, series } of entries) {
      if (this.d.offline.isOffline(d.id)) offline++;
      if (withAlerts.has(d.id)) inAlert++;
      worstAqi = this.higher(worstAqi, d.id, d.name, series.aqi);
      rainNow = this.higher(rainNow, d.id, d.name, series.rain_1h);
      if (d.type === 'river_level') {
        const level = this.value(series.level);
        rivers.push({ deviceId: d.id, name: d.name, level: level?.value ?? null, alarmLevel: this.value(series.alarm_level)?.value ?? null, ts: level?.iso ?? null });
      }
    }
    // Most alarming first (alarm level, then water level), then by id.
    rivers.sort((a, b) => (b.alarmLevel ?? -1) - (a.alarmLevel ?? -1) || (b.level ?? -Infinity) - (a.level ?? -Infinity) || (a.deviceId < b.deviceId ? -1 : 1));
    return {
      alerts,
      devices: { total: entries.length, online: entries.length - offline, offline, inAlert },
      worstAqi,
      rainNow,
      rivers,
    };
  }

  /** The devices in the caller's device.read scope matching the filters, by id. */
  private async inScope(ctx: RequestContext, q: MapDeviceQuery): Promise<DirectoryEntry[]> {
    const unitCodes = q.unit ? new Set(await this.d.units.subtree(q.unit)) : undefined;
    const scope = await this.d.access.filter(ctx, 'device.read');
    if (scope.kind === 'none') throw new IocError('IOC_ERR_FORBIDDEN', 'the map needs the permission device.read');
    return this.d.directory
      .entries()
      .filter(
        ({ device: d }) =>
          (scope.kind === 'all' || filterAllows(scope, d)) &&
          (!unitCodes || unitCodes.has(d.unitCode)) &&
          (!q.type || d.type === q.type) &&
          (!q.sector || d.sector === q.sector),
      )
      .sort((a, b) => (a.device.id < b.device.id ? -1 : a.device.id > b.device.id ? 1 : 0));
  }

  /** Active alerts the caller may read (alert.read), counted per device and severity: one query. */
  private async activeAlerts(ctx: RequestContext): Promise<ActiveAlertCount[]> {
    const f = await this.d.access.filter(ctx, 'alert.read');
    if (f.kind === 'none') return [];
    return this.d.alerts.activeCounts(f.kind === 'all' ? undefined : scopeConditions(f.scopes, await this.d.units.codes()));
  }

  private value(seriesId: number | undefined) {
    return seriesId === undefined ? undefined : this.d.latest.get(seriesId);
  }

  /** `best`, or this device's latest value of the series when it is higher (ties keep the first, by id). */
  private higher(best: DeviceFigure | null, deviceId: string, name: string, seriesId: number | undefined): DeviceFigure | null {
    const l = this.value(seriesId);
    if (!l || (best && best.value >= l.value)) return best;
    return { deviceId, name, value: l.value, ts: l.iso };
  }
}

/** Per device: its most severe active alert and how many are active. Area alerts (no device) are left out. */
function byDevice(counts: readonly ActiveAlertCount[]): Map<string, { worst: Severity; count: number }> {
  const out = new Map<string, { worst: Severity; count: number }>();
  for (const c of counts) {
    if (c.deviceId === null || c.count === 0) continue;
    const cur = out.get(c.deviceId);
    if (cur) {
      cur.worst = moreSevere(cur.worst, c.severity)!;
      cur.count += c.count;
    } else out.set(c.deviceId, { worst: c.severity, count: c.count });
  }
  return out;
}
