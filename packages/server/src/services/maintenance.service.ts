import { type FieldError, fieldError, type Grant, grantsFor, IocError, type OrgTree } from '@haidang/domain';
import { type AccessPolicy, auditBy } from './access-policy.ts';
import type { DeviceDirectory } from './device-directory.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { Auditor, Clock, MaintenanceCalendar } from './ports.ts';
import type { RequestContext } from './request-context.ts';

/** A maintenance window: alerts of one device, or of every device of a unit's subtree, are not raised. */
export interface MaintenanceWindow {
  id: string;
  deviceId: string | null;
  unitCode: string | null;
  startsAt: number;
  endsAt: number;
  reason: string;
  createdBy: string | null;
  createdAt: number;
  cancelledAt: number | null;
}

/** The store of maintenance windows (MaintenanceRepository implements it). */
export interface MaintenanceStore {
  insert(w: Omit<MaintenanceWindow, 'createdAt' | 'cancelledAt'>): Promise<void>;
  get(id: string): Promise<MaintenanceWindow | undefined>;
  /** Windows (cancelled ones too) that end after `after`, by start. */
  endingAfter(after: number): Promise<MaintenanceWindow[]>;
  /** Marks the window cancelled at `at`; false when it was cancelled already or does not exist. */
  cancel(id: string, at: number): Promise<boolean>;
}

export interface MaintenanceInput {
  deviceId?: string | null;
  unitCode?: string | null;
  /** Epoch ms; default now. */
  startsAt?: number;
  endsAt: number;
  reason: string;
}

export interface MaintenanceView {
  id: string;
  deviceId: string | null;
  unitCode: string | null;
  startsAt: string;
  endsAt: string;
  reason: string;
  createdBy: string | null;
  createdAt: string;
  cancelledAt: string | null;
  status: 'scheduled' | 'active' | 'ended' | 'cancelled';
}

/** Longest window: a maintenance campaign, not a way to silence a sensor for good. */
export const MAX_WINDOW_DAYS = 31;
const DAY = 86_400_000;
/** Windows ended this long ago stay in memory: the engine replays up to a day of history at start. */
const KEEP_ENDED_MS = 2 * DAY;
/** How stale the in-memory copy may get (windows made on other nodes, edits of the org tree). */
export const MAINTENANCE_REFRESH_MS = 30_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notFound = (id: string) => new IocError('IOC_ERR_NOT_FOUND', `no maintenance window ${id}`);
const invalid = (errors: FieldError[]) => new IocError('IOC_ERR_VALIDATION', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);

/** The instant a window stops suppressing: its end, or its cancellation if earlier. */
const effectiveEnd = (w: MaintenanceWindow): number => (w.cancelledAt === null ? w.endsAt : Math.min(w.endsAt, w.cancelledAt));

export const windowStatus = (w: MaintenanceWindow, now: number): MaintenanceView['status'] =>
  w.cancelledAt !== null ? 'cancelled' : now < w.startsAt ? 'scheduled' : now < w.endsAt ? 'active' : 'ended';

/**
 * Maintenance windows (bảo trì): while one covers a device (or a unit whose subtree holds the
 * device's unit), the rule engine raises no alert for it. The engine asks synchronously at
 * reading rate, so the windows are held in memory: loaded at start, updated by every change on
 * this node, and re-read (with the org tree) at most every 30 s from the database for changes
 * made on other nodes. Creating and cancelling need alert.handle over the device's or unit's
 * place; both are audited.
 */
export class MaintenanceService implements MaintenanceCalendar {
  private byDevice = new Map<string, MaintenanceWindow[]>();
  private byUnit: MaintenanceWindow[] = [];
  private tree: OrgTree | undefined;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;
  /** Bumped by every change on this node: a load that overlapped one reads again. */
  private changes = 0;

  constructor(
    private readonly store: MaintenanceStore,
    private readonly units: OrgUnitService,
    private readonly directory: DeviceDirectory,
    private readonly access: AccessPolicy,
    private readonly audit: Auditor,
    private readonly clock: Clock,
  ) {}

  /** Loads the windows and the org tree into memory: once before serving, then kept current. */
  async load(): Promise<void> {
    let startedAt: number;
    let windows: MaintenanceWindow[];
    let tree: OrgTree;
    for (;;) {
      const changes = this.changes;
      startedAt = this.clock();
      [windows, tree] = await Promise.all([this.store.endingAfter(startedAt - KEEP_ENDED_MS), this.units.tree()]);
      if (changes === this.changes) break; // else a change on this node came meanwhile: read again
    }
    const byDevice = new Map<string, MaintenanceWindow[]>();
    const byUnit: MaintenanceWindow[] = [];
    for (const w of windows) {
      if (w.deviceId !== null) byDevice.set(w.deviceId, [...(byDevice.get(w.deviceId) ?? []), w]);
      else byUnit.push(w);
    }
    this.byDevice = byDevice;
    this.byUnit = byUnit;
    this.tree = tree;
    this.loadedAt = startedAt;
  }

  /** true while a window covers the device, or a unit whose subtree holds `unitCode`, at `ts`. Synchronous. */
  suppressed(deviceId: string | null, unitCode: string, ts: number): boolean {
    this.refreshIfStale();
    if (deviceId !== null) {
      for (const w of this.byDevice.get(deviceId) ?? []) if (w.startsAt <= ts && ts < effectiveEnd(w)) return true;
    }
    for (const w of this.byUnit) {
      if (w.startsAt <= ts && ts < effectiveEnd(w) && (this.tree ? this.tree.covers(w.unitCode!, unitCode) : w.unitCode === unitCode)) return true;
    }
    return false;
  }

  async create(ctx: RequestContext, input: MaintenanceInput): Promise<MaintenanceView> {
    const now = this.clock();
    const errors: FieldError[] = [];
    const deviceId = input.deviceId ?? null;
    const unitCode = input.unitCode ?? null;
    if ((deviceId === null) === (unitCode === null)) errors.push(fieldError(deviceId === null ? 'deviceId' : 'unitCode', deviceId === null ? 'required' : 'conflict', 'give either deviceId or unitCode, not both'));
    const startsAt = input.startsAt ?? now;
    const endsAt = input.endsAt;
    if (!(endsAt > startsAt)) errors.push(fieldError('endsAt', 'out_of_range', 'endsAt must be after startsAt'));
    else if (endsAt <= now) errors.push(fieldError('endsAt', 'out_of_range', 'endsAt must be in the future'));
    else if (endsAt - startsAt > MAX_WINDOW_DAYS * DAY) errors.push(fieldError('endsAt', 'out_of_range', `a maintenance window lasts at most ${MAX_WINDOW_DAYS} days`));
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (reason.length < 3 || reason.length > 500) errors.push(fieldError('reason', 'invalid', 'give a reason of 3–500 characters'));
    const tree = await this.units.tree();
    let grant: Grant | undefined;
    let place: string | undefined;
    if (deviceId !== null && unitCode === null) {
      const d = this.directory.get(deviceId)?.device;
      // A device out of the caller's sight is as unknown as one that does not exist.
      if (!d || !(await this.access.grant(ctx, 'alert.read', d))) errors.push(fieldError('deviceId', 'unknown_device', `no device ${deviceId}`));
      else if (!errors.length) {
        grant = await this.access.grantOrThrow(ctx, 'alert.handle', d, new IocError('IOC_ERR_FORBIDDEN', `a maintenance window for device ${deviceId} needs the permission alert.handle over it`));
        place = d.unitCode;
      }
    } else if (unitCode !== null && deviceId === null) {
      if (!tree.has(unitCode)) errors.push(fieldError('unitCode', 'unknown_unit', `no org unit has code ${unitCode}`));
      else if (!errors.length) {
        grant = await this.access.unitGrant(ctx, 'alert.handle', unitCode);
        place = unitCode;
      }
    }
    if (errors.length) throw invalid(errors);
    const w = { id: crypto.randomUUID(), deviceId, unitCode, startsAt, endsAt, reason, createdBy: ctx.actor.username };
    await this.store.insert(w);
    const stored = (await this.store.get(w.id))!;
    this.remember(stored);
    await this.audit.record({
      ...auditBy(ctx, grant),
      action: 'maintenance.create',
      unitCode: place!,
      target: `maintenance:${w.id}`,
      details: { deviceId, unitCode, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(endsAt).toISOString(), reason },
    });
    return this.view(stored, now);
  }

  /** Current and upcoming windows the caller may see (those of their devices and units, and of the units above them). */
  async list(ctx: RequestContext, q: { unit?: string; device?: string } = {}): Promise<{ items: MaintenanceView[] }> {
    this.access.require(ctx, 'alert.read');
    const now = this.clock();
    const within = q.unit ? new Set(await this.units.subtree(q.unit)) : undefined;
    const out: MaintenanceView[] = [];
    for (const w of await this.store.endingAfter(now)) {
      if (w.cancelledAt !== null) continue;
      if (q.device && w.deviceId !== q.device) continue;
      if (within && !within.has(this.placeOf(w) ?? '')) continue;
      if (await this.visible(ctx, w)) out.push(this.view(w, now));
    }
    return { items: out };
  }

  /** Ends a window now (it stops suppressing at once); not found when out of scope. */
  async cancel(ctx: RequestContext, id: string): Promise<MaintenanceView> {
    const w = UUID.test(id) ? await this.store.get(id) : undefined;
    if (!w || !(await this.visible(ctx, w))) throw notFound(id);
    const grant = await this.handleGrant(ctx, w);
    const now = this.clock();
    if (w.cancelledAt !== null) throw new IocError('IOC_ERR_CONFLICT', 'the maintenance window is cancelled already');
    if (w.endsAt <= now) throw new IocError('IOC_ERR_CONFLICT', 'the maintenance window has ended already');
    if (!(await this.store.cancel(id, now))) throw new IocError('IOC_ERR_CONFLICT', 'the maintenance window is cancelled already');
    const stored = (await this.store.get(id))!;
    this.remember(stored);
    await this.audit.record({ ...auditBy(ctx, grant), action: 'maintenance.cancel', unitCode: this.placeOf(w) ?? undefined, target: `maintenance:${id}`, details: { deviceId: w.deviceId, unitCode: w.unitCode, reason: w.reason } });
    return this.view(stored, now);
  }

  /** The unit a window sits in: its unit, or its device's (undefined for a device that is gone). */
  private placeOf(w: MaintenanceWindow): string | undefined {
    return w.unitCode ?? this.directory.get(w.deviceId!)?.device.unitCode;
  }

  /** A device window: the device is in the caller's alert.read scope. A unit window: the unit is in or above it. */
  private async visible(ctx: RequestContext, w: MaintenanceWindow): Promise<boolean> {
    if (w.deviceId !== null) {
      const d = this.directory.get(w.deviceId)?.device;
      return !!d && !!(await this.access.grant(ctx, 'alert.read', d));
    }
    const filter = await this.access.filter(ctx, 'alert.read');
    if (filter.kind !== 'some') return filter.kind === 'all';
    const tree = await this.units.tree();
    return filter.scopes.some((s) => s.unitCodes.has(w.unitCode!)) || grantsFor(ctx.actor, 'alert.read').some((g) => tree.covers(w.unitCode!, g.unitCode));
  }

  private async handleGrant(ctx: RequestContext, w: MaintenanceWindow): Promise<Grant> {
    if (w.unitCode !== null) return this.access.unitGrant(ctx, 'alert.handle', w.unitCode);
    const d = this.directory.get(w.deviceId!)!.device;
    return this.access.grantOrThrow(ctx, 'alert.handle', d, notFound(w.id), 'alert.read');
  }

  /** Puts a window (new or changed) into the in-memory copy. */
  private remember(w: MaintenanceWindow): void {
    this.changes++;
    if (w.deviceId !== null) this.byDevice.set(w.deviceId, [...(this.byDevice.get(w.deviceId) ?? []).filter((x) => x.id !== w.id), w]);
    else this.byUnit = [...this.byUnit.filter((x) => x.id !== w.id), w];
  }

  private refreshIfStale(): void {
    if (this.refreshing || this.clock() - this.loadedAt < MAINTENANCE_REFRESH_MS) return;
    // In the background: the check answers from what is in memory now.
    this.refreshing = this.load()
      .catch(() => {
        this.loadedAt = this.clock(); // try again after the next interval (e.g. the database is closing)
      })
      .finally(() => (this.refreshing = undefined));
  }

  private view(w: MaintenanceWindow, now: number): MaintenanceView {
    return {
      id: w.id,
      deviceId: w.deviceId,
      unitCode: w.unitCode,
      startsAt: new Date(w.startsAt).toISOString(),
      endsAt: new Date(w.endsAt).toISOString(),
      reason: w.reason,
      createdBy: w.createdBy,
      createdAt: new Date(w.createdAt).toISOString(),
      cancelledAt: w.cancelledAt === null ? null : new Date(w.cancelledAt).toISOString(),
      status: windowStatus(w, now),
    };
  }
}
