import { IocError, attributeSpecOf, derivedAttributes, fieldError, filterAllows } from '@haidang/domain';
import { type AccessPolicy, auditBy } from './access-policy.ts';
import type { RequestContext } from './request-context.ts';
import type { DeviceDirectory } from './device-directory.ts';
import type { LatestValues } from './latest-values.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { Auditor, Clock, ReadingStore, Resolution, SeriesPoint } from './ports.ts';

export interface LatestQuery {
  unit?: string;
  type?: string;
  sector?: string;
  device?: string;
}

export interface DeviceLatest {
  deviceId: string;
  type: string;
  name: string;
  unitCode: string;
  sector: string;
  location: { lat: number; lon: number };
  /** Attribute (declared or derived) → last value with its instant (ISO 8601, UTC) and unit. Attributes never reported are absent. */
  values: Record<string, { value: number; ts: string; unit: string }>;
}

export interface SeriesQuery {
  from?: number;
  to?: number;
  resolution?: Resolution;
  limit?: number;
}

export const MAX_SERIES_POINTS = 100_000;
const DAY = 86_400_000;

/** Reads of the time series: latest values and one attribute's history at a resolution. */
export class SeriesService {
  constructor(
    private readonly directory: DeviceDirectory,
    private readonly units: OrgUnitService,
    private readonly latestValues: LatestValues,
    private readonly store: ReadingStore,
    private readonly access: AccessPolicy,
    private readonly audit: Auditor,
    private readonly clock: Clock,
  ) {}

  /** Latest values of the devices in the actor's scope that match the filters. */
  async latest(ctx: RequestContext, q: LatestQuery): Promise<DeviceLatest[]> {
    const unitCodes = q.unit ? new Set(await this.units.subtree(q.unit)) : undefined;
    const scope = await this.access.filter(ctx, 'device.read');
    if (scope.kind === 'none') throw new IocError('IOC_ERR_FORBIDDEN', 'latest values need the permission device.read');
    const entries = this.directory
      .entries()
      .filter(
        ({ device: d }) =>
          (scope.kind === 'all' || filterAllows(scope, d)) &&
          (!unitCodes || unitCodes.has(d.unitCode)) &&
          (!q.type || d.type === q.type) &&
          (!q.sector || d.sector === q.sector) &&
          (!q.device || d.id === q.device),
      )
      .sort((a, b) => (a.device.id < b.device.id ? -1 : 1));
    return entries.map(({ device: d, series }) => {
      const values: DeviceLatest['values'] = {};
      for (const a of [...d.attributes, ...derivedAttributes(d)]) {
        const sid = series[a.name];
        const l = sid === undefined ? undefined : this.latestValues.get(sid);
        if (l) values[a.name] = { value: l.value, ts: l.iso, unit: a.unit };
      }
      return { deviceId: d.id, type: d.type, name: d.name, unitCode: d.unitCode, sector: d.sector, location: d.location, values };
    });
  }

  /** One attribute's series, if the device is in the actor's scope ("not found" otherwise). */
  async series(ctx: RequestContext, deviceId: string, attr: string, q: SeriesQuery): Promise<{ unit: string; resolution: Resolution; from: number; to: number; points: SeriesPoint[] }> {
    return this.read(ctx, 'series.read', deviceId, attr, q);
  }

  /** The same series for export: needs data.export, and is audited. */
  async export(ctx: RequestContext, deviceId: string, attr: string, q: SeriesQuery): Promise<{ unit: string; resolution: Resolution; from: number; to: number; points: SeriesPoint[] }> {
    this.access.require(ctx, 'data.export');
    const r = await this.read(ctx, 'data.export', deviceId, attr, q);
    const entry = this.directory.get(deviceId)!;
    const grant = await this.access.grant(ctx, 'data.export', entry.device);
    await this.audit.record({
      ...auditBy(ctx, grant),
      action: 'data.export',
      unitCode: entry.device.unitCode,
      target: `series:${deviceId}/${attr}`,
      details: { resolution: r.resolution, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), points: r.points.length, format: 'csv' },
    });
    return r;
  }

  private async read(ctx: RequestContext, permission: 'series.read' | 'data.export', deviceId: string, attr: string, q: SeriesQuery) {
    const entry = this.directory.get(deviceId);
    const hidden = new IocError('IOC_ERR_DEVICE_NOT_FOUND', `no device ${deviceId}`);
    if (!entry) throw hidden;
    await this.access.grantOrThrow(ctx, permission, entry.device, hidden, 'device.read');
    const spec = attributeSpecOf(entry.device, attr);
    const seriesId = entry.series[attr];
    if (seriesId === undefined) {
      throw new IocError('IOC_ERR_NOT_FOUND', `device ${deviceId} has no attribute ${attr}`, [fieldError('attr', 'unknown_attribute', `device ${deviceId} has no attribute ${attr}`)]);
    }
    const to = q.to ?? this.clock();
    const from = q.from ?? to - DAY;
    if (from >= to) throw new IocError('IOC_ERR_VALIDATION', 'from must be before to', [fieldError('from', 'out_of_range', 'from must be before to')]);
    const resolution = q.resolution ?? 'raw';
    const limit = Math.min(q.limit ?? 10_000, MAX_SERIES_POINTS);
    const points = await this.store.series(seriesId, { from, to, resolution, limit });
    return { unit: spec?.unit ?? '', resolution, from, to, points };
  }
}
