import { createHash } from 'node:crypto';
import {
  type AttributeSpec,
  type Device,
  type FieldError,
  type ImportRow,
  IocError,
  derivedAttributes,
  fieldError,
  filterAllows,
  foldVietnamese,
  scopeConditions,
  validateDevice,
} from '@haidang/domain';
import { randomBytes } from 'node:crypto';
import { type AccessPolicy, auditBy } from './access-policy.ts';
import type { DeviceDirectory } from './device-directory.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { Auditor, Clock, DeviceStore, DeviceWrite, StoredDevice } from './ports.ts';
import type { RequestContext } from './request-context.ts';

/** A device as the API shows it: never its access token, only whether it has one. */
export interface DeviceView extends Device {
  /** The attributes the IOC computes for the device (derived series, docs/derived-series.md). */
  derived: AttributeSpec[];
  hasAccessToken: boolean;
  tokenCreatedAt: string | null;
  tokenLastUsedAt: string | null;
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
  derived: derivedAttributes(s.device).map(({ name, unit, min, max, periodS }) => ({ name, unit, min, max, periodS })),
  hasAccessToken: s.tokenHash !== null,
  tokenCreatedAt: s.tokenCreatedAt ? s.tokenCreatedAt.toISOString() : null,
  tokenLastUsedAt: s.tokenLastUsedAt ? s.tokenLastUsedAt.toISOString() : null,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

const notFound = (id: string) => new IocError('IOC_ERR_DEVICE_NOT_FOUND', `no device ${id}`);

/**
 * The device registry. Every call acts for someone: reads and lists show only devices in the
 * actor's scope (others are "not found"), writes need device.manage over the device's unit and
 * sector, and every change is audited.
 */
export class DeviceService {
  constructor(
    private readonly store: DeviceStore,
    private readonly units: OrgUnitService,
    private readonly directory: DeviceDirectory,
    private readonly access: AccessPolicy,
    private readonly audit: Auditor,
    private readonly clock: Clock,
  ) {}

  async get(ctx: RequestContext, id: string): Promise<DeviceView> {
    return toDeviceView(await this.visible(ctx, id));
  }

  async list(ctx: RequestContext, q: DeviceListQuery): Promise<{ items: DeviceView[]; total: number; limit: number; offset: number }> {
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const scope = await this.access.filter(ctx, 'device.read');
    if (scope.kind === 'none') throw new IocError('IOC_ERR_FORBIDDEN', 'listing devices needs the permission device.read');
    const res = await this.store.list({
      unitCodes: q.unit ? await this.units.subtree(q.unit) : undefined,
      ...(scope.kind === 'some' ? { scopes: scopeConditions(scope.scopes, await this.units.codes()) } : {}),
      type: q.type,
      sector: q.sector,
      apikey: q.apikey,
      search: q.q ? foldVietnamese(q.q.trim()) : undefined,
      limit,
      offset,
    });
    return { items: res.items.map(toDeviceView), total: res.total, limit, offset };
  }

  async create(ctx: RequestContext, input: unknown): Promise<DeviceView> {
    const [w] = await this.check(ctx, [{ row: 0, input }], 'insert');
    const grant = await this.access.grantOrThrow(ctx, 'device.manage', w!.device, new IocError('IOC_ERR_FORBIDDEN', `registering a device in unit ${w!.device.unitCode} (${w!.device.sector}) needs the permission device.manage there`));
    await this.store.save([w!], { upsert: false });
    await this.audit.record({ ...auditBy(ctx, grant), action: 'device.create', unitCode: w!.device.unitCode, target: `device:${w!.device.id}`, details: { type: w!.device.type, sector: w!.device.sector } });
    return this.refresh(w!.device.id);
  }

  /** Replaces a device (PUT). The id in the body, if any, must be the id in the path. */
  async replace(ctx: RequestContext, id: string, input: unknown): Promise<DeviceView> {
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
      const body = input as Record<string, unknown>;
      if (body.id !== undefined && body.id !== id) {
        throw new IocError('IOC_ERR_VALIDATION', 'id in the body differs from the path', [fieldError('id', 'mismatch', 'id must equal the id in the path')]);
      }
      input = { ...body, id };
    }
    const stored = await this.visible(ctx, id);
    const grant = await this.access.grantOrThrow(ctx, 'device.manage', stored.device, notFound(id), 'device.read');
    const [w] = await this.check(ctx, [{ row: 0, input }], 'upsert');
    await this.access.grantOrThrow(ctx, 'device.manage', w!.device, new IocError('IOC_ERR_FORBIDDEN', `moving the device to unit ${w!.device.unitCode} (${w!.device.sector}) needs the permission device.manage there`));
    // Keep the stored token when the replacement does not bring a new one.
    if (w!.tokenHash === null) w!.tokenHash = stored.tokenHash;
    await this.store.save([w!], { upsert: true });
    await this.audit.record({ ...auditBy(ctx, grant), action: 'device.replace', unitCode: w!.device.unitCode, target: `device:${id}`, details: { unitCode: { before: stored.device.unitCode, after: w!.device.unitCode } } });
    return this.refresh(id);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const stored = await this.visible(ctx, id);
    const grant = await this.access.grantOrThrow(ctx, 'device.manage', stored.device, notFound(id), 'device.read');
    if (!(await this.store.delete(id))) throw notFound(id);
    this.directory.remove(id);
    await this.audit.record({ ...auditBy(ctx, grant), action: 'device.delete', unitCode: stored.device.unitCode, target: `device:${id}`, details: { type: stored.device.type, name: stored.device.name } });
  }

  /** A new access token (ThingsBoard-style MQTT username) for the device, shown in this answer only. */
  async rotateToken(ctx: RequestContext, id: string): Promise<{ deviceId: string; accessToken: string; createdAt: string }> {
    const stored = await this.visible(ctx, id);
    const grant = await this.access.grantOrThrow(ctx, 'device.manage', stored.device, notFound(id), 'device.read');
    const token = randomBytes(24).toString('base64url');
    const now = this.clock();
    await this.store.setToken(id, hashToken(token), now);
    await this.refresh(id);
    await this.audit.record({ ...auditBy(ctx, grant), action: 'device.token_rotate', unitCode: stored.device.unitCode, target: `device:${id}` });
    return { deviceId: id, accessToken: token, createdAt: new Date(now).toISOString() };
  }

  /** Revokes the device's access token: it can no longer connect with it. */
  async revokeToken(ctx: RequestContext, id: string): Promise<void> {
    const stored = await this.visible(ctx, id);
    const grant = await this.access.grantOrThrow(ctx, 'device.manage', stored.device, notFound(id), 'device.read');
    if (stored.tokenHash === null) throw new IocError('IOC_ERR_CONFLICT', `device ${id} has no access token`);
    await this.store.setToken(id, null, this.clock());
    await this.refresh(id);
    await this.audit.record({ ...auditBy(ctx, grant), action: 'device.token_revoke', unitCode: stored.device.unitCode, target: `device:${id}` });
  }

  /** Notes that a device connected with its access token (at most once a minute per device). */
  async tokenUsed(id: string): Promise<void> {
    const now = this.clock();
    if (now - (this.lastTokenUse.get(id) ?? 0) < 60_000) return;
    this.lastTokenUse.set(id, now);
    await this.store.touchToken(id, now);
  }
  private readonly lastTokenUse = new Map<string, number>();

  /**
   * Imports devices from parsed rows: every row is checked first, and a file with any bad row
   * imports nothing, reporting each problem with its row number. `insert` refuses ids that
   * exist; `upsert` replaces them. Every row must lie in the actor's device.manage scope.
   */
  async import(ctx: RequestContext, rows: ImportRow[], opts: { mode: 'insert' | 'upsert'; dryRun?: boolean }): Promise<ImportResult> {
    this.access.require(ctx, 'device.manage');
    const writes = await this.check(ctx, rows, opts.mode);
    const result = {
      imported: writes.length,
      created: writes.filter((w) => !w.exists).length,
      updated: writes.filter((w) => w.exists).length,
      dryRun: opts.dryRun ?? false,
    };
    if (opts.dryRun) return result;
    // A replacement that brings no access token keeps the stored one (as PUT does): re-importing a
    // file must not disconnect the ThingsBoard devices.
    for (const w of writes) if (w.tokenHash === null) w.tokenHash = this.directory.get(w.device.id)?.tokenHash ?? null;
    await this.store.save(writes, { upsert: opts.mode === 'upsert' });
    for (const d of await this.store.getMany(writes.map((w) => w.device.id))) this.directory.put(d);
    // Filed under the nearest unit holding every row, so that the admins of that unit see it.
    const tree = await this.units.tree();
    const common = writes.map((w) => tree.ancestors(w.device.unitCode)).reduce((acc, a) => acc.filter((c) => a.includes(c)), writes.length ? tree.ancestors(writes[0]!.device.unitCode) : []);
    await this.audit.record({ ...auditBy(ctx), action: 'device.import', ...(common[0] ? { unitCode: common[0] } : {}), target: `devices:${writes.length}`, details: { ...result, mode: opts.mode, ids: writes.slice(0, 50).map((w) => w.device.id) } });
    return result;
  }

  async count(): Promise<number> {
    return this.store.count();
  }

  /** The stored device if the actor may see it; "not found" otherwise. */
  private async visible(ctx: RequestContext, id: string): Promise<StoredDevice> {
    const d = await this.store.get(id);
    if (!d || !(await this.access.grant(ctx, 'device.read', d.device))) throw notFound(id);
    return d;
  }

  private async refresh(id: string): Promise<DeviceView> {
    const d = await this.store.get(id);
    if (!d) throw notFound(id);
    this.directory.put(d);
    return toDeviceView(d);
  }

  /** Validates rows against the domain rules, the org tree, each other and the store. */
  private async check(ctx: RequestContext, rows: ImportRow[], mode: 'insert' | 'upsert'): Promise<(DeviceWrite & { exists: boolean })[]> {
    const single = rows.length === 1 && rows[0]!.row === 0;
    const errors: FieldError[] = [];
    const at = (row: number, e: FieldError): FieldError => (single ? e : { ...e, row });
    const writes: (DeviceWrite & { row: number })[] = [];
    const seen = new Map<string, number>();
    const tree = await this.units.tree();
    const manage = await this.access.filter(ctx, 'device.manage');
    const read = await this.access.filter(ctx, 'device.read');
    for (const { row, input } of rows) {
      const v = validateDevice(input);
      if (!v.ok) {
        errors.push(...v.errors.map((e) => at(row, e)));
        continue;
      }
      const { accessToken, ...device } = v.value;
      const unit = tree.get(device.unitCode);
      if (!unit) errors.push(at(row, fieldError('unitCode', 'unknown_unit', `no org unit has code ${device.unitCode}`)));
      else if (unit.status === 'retired') errors.push(at(row, fieldError('unitCode', 'retired_unit', `unit ${device.unitCode} is retired; use ${tree.current(device.unitCode) ?? 'an active unit'}`)));
      else if (!single && !filterAllows(manage, device)) errors.push(at(row, fieldError('unitCode', 'out_of_scope', `you may not manage devices of unit ${device.unitCode} (${device.sector})`)));
      const first = seen.get(device.id);
      if (first !== undefined) errors.push(at(row, fieldError('id', 'duplicate', `id ${device.id} is also on row ${first}`)));
      else seen.set(device.id, row);
      writes.push({ row, device, tokenHash: accessToken ? hashToken(accessToken) : null });
    }
    const stored = new Map((await this.store.getMany(writes.map((w) => w.device.id))).map((d) => [d.device.id, d.device]));
    for (const w of writes) {
      const other = stored.get(w.device.id);
      if (!other) continue;
      // An id held outside the actor's scope: unusable, without telling whose it is.
      if (!filterAllows(read, other) || (mode === 'upsert' && !filterAllows(manage, other))) errors.push(at(w.row, fieldError('id', 'unavailable', `the id ${w.device.id} cannot be used`)));
      else if (mode === 'insert') errors.push(at(w.row, fieldError('id', 'exists', `device ${w.device.id} exists already`)));
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
    return writes.map(({ device, tokenHash }) => ({ device, tokenHash, exists: stored.has(device.id) }));
  }
}
