import { createHash } from 'node:crypto';
import {
  type Device,
  type FieldError,
  type ImportRow,
  IocError,
  fieldError,
  foldVietnamese,
  validateDevice,
} from '@haidang/domain';
import type { DeviceDirectory } from './device-directory.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { DeviceStore, DeviceWrite, StoredDevice } from './ports.ts';

/** A device as the API shows it: never its access token, only whether it has one. */
export interface DeviceView extends Device {
  hasAccessToken: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface DeviceListQuery {
  unit?: string;
  type?: string;
  sector?: string;
  apikey?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

export interface ImportResult {
  imported: number;
  created: number;
  updated: number;
  dryRun: boolean;
}

/** Hash of a device access token: the only form in which tokens are stored or compared. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const toDeviceView = (s: StoredDevice): DeviceView => ({
  ...s.device,
  hasAccessToken: s.tokenHash !== null,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

export class DeviceService {
  constructor(
    private readonly store: DeviceStore,
    private readonly units: OrgUnitService,
    private readonly directory: DeviceDirectory,
  ) {}

  async get(id: string): Promise<DeviceView> {
    const d = await this.store.get(id);
    if (!d) throw new IocError('IOC_ERR_DEVICE_NOT_FOUND', `no device ${id}`);
    return toDeviceView(d);
  }

  async list(q: DeviceListQuery): Promise<{ items: DeviceView[]; total: number; limit: number; offset: number }> {
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const res = await this.store.list({
      unitCodes: q.unit ? await this.units.subtree(q.unit) : undefined,
      type: q.type,
      sector: q.sector,
      apikey: q.apikey,
      search: q.q ? foldVietnamese(q.q.trim()) : undefined,
      limit,
      offset,
    });
    return { items: res.items.map(toDeviceView), total: res.total, limit, offset };
  }

  async create(input: unknown): Promise<DeviceView> {
    const [w] = await this.check([{ row: 0, input }], 'insert');
    await this.store.save([w!], { upsert: false });
    return this.refresh(w!.device.id);
  }

  /** Replaces a device (PUT). The id in the body, if any, must be the id in the path. */
  async replace(id: string, input: unknown): Promise<DeviceView> {
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
      const body = input as Record<string, unknown>;
      if (body.id !== undefined && body.id !== id) {
        throw new IocError('IOC_ERR_VALIDATION', 'id in the body differs from the path', [fieldError('id', 'mismatch', 'id must equal the id in the path')]);
      }
      input = { ...body, id };
    }
    const stored = await this.store.get(id);
    if (!stored) throw new IocError('IOC_ERR_DEVICE_NOT_FOUND', `no device ${id}`);
    const [w] = await this.check([{ row: 0, input }], 'upsert');
    // Keep the stored token when the replacement does not bring a new one.
    if (w!.tokenHash === null) w!.tokenHash = stored.tokenHash;
    await this.store.save([w!], { upsert: true });
    return this.refresh(id);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.delete(id))) throw new IocError('IOC_ERR_DEVICE_NOT_FOUND', `no device ${id}`);
    this.directory.remove(id);
  }

  /**
   * Imports devices from parsed rows: every row is checked first, and a file with any bad row
   * imports nothing, reporting each problem with its row number. `insert` refuses ids that
   * exist; `upsert` replaces them.
   */
  async import(rows: ImportRow[], opts: { mode: 'insert' | 'upsert'; dryRun?: boolean }): Promise<ImportResult> {
    const writes = await this.check(rows, opts.mode);
    const existing = new Set(await this.store.existing(writes.map((w) => w.device.id)));
    const result = {
      imported: writes.length,
      created: writes.filter((w) => !existing.has(w.device.id)).length,
      updated: writes.filter((w) => existing.has(w.device.id)).length,
      dryRun: opts.dryRun ?? false,
    };
    if (opts.dryRun) return result;
    // A replacement that brings no access token keeps the stored one (as PUT does): re-importing a
    // file must not disconnect the ThingsBoard devices.
    for (const w of writes) if (w.tokenHash === null) w.tokenHash = this.directory.get(w.device.id)?.tokenHash ?? null;
    await this.store.save(writes, { upsert: opts.mode === 'upsert' });
    for (const d of await this.store.getMany(writes.map((w) => w.device.id))) this.directory.put(d);
    return result;
  }

  async count(): Promise<number> {
    return this.store.count();
  }

  private async refresh(id: string): Promise<DeviceView> {
    const d = await this.store.get(id);
    if (!d) throw new IocError('IOC_ERR_DEVICE_NOT_FOUND', `no device ${id}`);
    this.directory.put(d);
    return toDeviceView(d);
  }

  /** Validates rows against the domain rules, the org tree, each other and the store. */
  private async check(rows: ImportRow[], mode: 'insert' | 'upsert'): Promise<DeviceWrite[]> {
    const single = rows.length === 1 && rows[0]!.row === 0;
    const errors: FieldError[] = [];
    const at = (row: number, e: FieldError): FieldError => (single ? e : { ...e, row });
    const writes: (DeviceWrite & { row: number })[] = [];
    const seen = new Map<string, number>();
    const units = new Set((await this.units.list()).map((u) => u.code));
    for (const { row, input } of rows) {
      const v = validateDevice(input);
      if (!v.ok) {
        errors.push(...v.errors.map((e) => at(row, e)));
        continue;
      }
      const { accessToken, ...device } = v.value;
      if (!units.has(device.unitCode)) errors.push(at(row, fieldError('unitCode', 'unknown_unit', `no org unit has code ${device.unitCode}`)));
      const first = seen.get(device.id);
      if (first !== undefined) errors.push(at(row, fieldError('id', 'duplicate', `id ${device.id} is also on row ${first}`)));
      else seen.set(device.id, row);
      writes.push({ row, device, tokenHash: accessToken ? hashToken(accessToken) : null });
    }
    if (mode === 'insert') {
      const exists = new Set(await this.store.existing(writes.map((w) => w.device.id)));
      for (const w of writes) {
        if (exists.has(w.device.id)) errors.push(at(w.row, fieldError('id', 'exists', `device ${w.device.id} exists already`)));
      }
    }
    const tokens = new Map<string, number>();
    for (const w of writes) {
      if (!w.tokenHash) continue;
      const holder = this.directory.byTokenHash(w.tokenHash)?.device.id;
      if (tokens.has(w.tokenHash)) errors.push(at(w.row, fieldError('accessToken', 'duplicate', `the same access token is on row ${tokens.get(w.tokenHash)}`)));
      else if (holder !== undefined && holder !== w.device.id) errors.push(at(w.row, fieldError('accessToken', 'duplicate', 'another device has this access token')));
      tokens.set(w.tokenHash, w.row);
    }
    if (errors.length) {
      if (single) {
        const exists = errors.length === 1 && errors[0]!.reason === 'exists';
        throw new IocError(exists ? 'IOC_ERR_DEVICE_EXISTS' : 'IOC_ERR_VALIDATION', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
      }
      throw new IocError('IOC_ERR_DEVICE_IMPORT', `${errors.length} problem(s) in the file; nothing was imported`, errors);
    }
    return writes.map(({ device, tokenHash }) => ({ device, tokenHash }));
  }
}
