import { IocError, fieldError } from '@haidang/domain';
import type { DeviceDirectory } from './device-directory.ts';
import type { LatestValues } from './latest-values.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { Clock, ReadingStore, Resolution, SeriesPoint } from './ports.ts';

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
  /** Attribute → last value with its instant (ISO 8601, UTC) and unit. Attributes never reported are absent. */
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
    private readonly clock: Clock,
  ) {}

  async latest(q: LatestQuery): Promise<DeviceLatest[]> {
    const unitCodes = q.unit ? new Set(await this.units.subtree(q.unit)) : undefined;
    const entries = this.directory
      .entries()
      .filter(
        ({ device: d }) =>
          (!unitCodes || unitCodes.has(d.unitCode)) &&
          (!q.type || d.type === q.type) &&
          (!q.sector || d.sector === q.sector) &&
          (!q.device || d.id === q.device),
      )
      .sort((a, b) => (a.device.id < b.device.id ? -1 : 1));
    return entries.map(({ device: d, series }) => {
      const values: DeviceLatest['values'] = {};
      for (const a of d.attributes) {
        const sid = series[a.name];
        const l = sid === undefined ? undefined : this.latestValues.get(sid);
        if (l) values[a.name] = { value: l.value, ts: l.iso, unit: a.unit };
      }
      return { deviceId: d.id, type: d.type, name: d.name, unitCode: d.unitCode, sector: d.sector, location: d.location, values };
    });
  }

  async series(deviceId: string, attr: string, q: SeriesQuery): Promise<{ unit: string; resolution: Resolution; from: number; to: number; points: SeriesPoint[] }> {
    const entry = this.directory.get(deviceId);
    if (!entry) throw new IocError('IOC_ERR_DEVICE_NOT_FOUND', `no device ${deviceId}`);
    const spec = entry.device.attributes.find((a) => a.name === attr);
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
