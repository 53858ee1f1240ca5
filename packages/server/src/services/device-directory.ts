import { attributeSpecOf, type Device, type RuleDevice } from '@haidang/domain';
import type { DeviceStore, StoredDevice } from './ports.ts';

export interface DirectoryEntry {
  device: Device;
  series: Record<string, number>;
  tokenHash: string | null;
}

/** Period assumed for a series whose attribute declares none. */
export const DEFAULT_PERIOD_S = 3600;

/**
 * The registered devices in memory, by id and by access-token hash: ingestion looks devices up
 * at message rate and must not query the database for each message. The device service keeps
 * it current on every change.
 */
export class DeviceDirectory {
  private byId = new Map<string, DirectoryEntry>();
  private byToken = new Map<string, string>();
  private bySeriesId = new Map<number, { entry: DirectoryEntry; attr: string }>();
  private readonly listeners: (() => void)[] = [];
  private ruleView: RuleDevice[] | undefined;
  private notify: NodeJS.Timeout | undefined;

  constructor(private readonly store: DeviceStore) {}

  async load(): Promise<void> {
    const all = await this.store.all();
    this.byId.clear();
    this.byToken.clear();
    this.bySeriesId.clear();
    for (const d of all) this.put(d);
  }

  /** Calls `listener` (debounced, after a burst of changes such as an import) when devices change. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    this.ruleView = undefined;
    if (this.listeners.length === 0 || this.notify) return;
    this.notify = setTimeout(() => {
      this.notify = undefined;
      for (const l of this.listeners) l();
    }, 200);
    this.notify.unref();
  }

  put(d: StoredDevice): void {
    this.remove(d.device.id);
    this.changed();
    const entry = { device: d.device, series: d.series, tokenHash: d.tokenHash };
    this.byId.set(d.device.id, entry);
    if (d.tokenHash) this.byToken.set(d.tokenHash, d.device.id);
    for (const [attr, id] of Object.entries(d.series)) this.bySeriesId.set(id, { entry, attr });
  }

  remove(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.changed();
    this.byId.delete(id);
    if (entry.tokenHash) this.byToken.delete(entry.tokenHash);
    for (const sid of Object.values(entry.series)) this.bySeriesId.delete(sid);
  }

  /**
   * Every device as the rule evaluator sees it: place, kind, and each series (measured and
   * derived) with its reporting period. Cached until the devices change.
   */
  ruleDevices(): RuleDevice[] {
    this.ruleView ??= [...this.byId.values()].map(({ device, series }) => ({
      id: device.id,
      type: device.type,
      unitCode: device.unitCode,
      sector: device.sector,
      series: Object.fromEntries(
        Object.entries(series).map(([attr, seriesId]) => [
          attr,
          { seriesId, periodS: attributeSpecOf(device, attr)?.periodS ?? DEFAULT_PERIOD_S, derived: !device.attributes.some((a) => a.name === attr) },
        ]),
      ),
    }));
    return this.ruleView;
  }

  get(id: string): DirectoryEntry | undefined {
    return this.byId.get(id);
  }

  /** The device and attribute of a series. */
  bySeries(seriesId: number): { entry: DirectoryEntry; attr: string } | undefined {
    return this.bySeriesId.get(seriesId);
  }

  byTokenHash(hash: string): DirectoryEntry | undefined {
    const id = this.byToken.get(hash);
    return id === undefined ? undefined : this.byId.get(id);
  }

  entries(): DirectoryEntry[] {
    return [...this.byId.values()];
  }

  /** The series ids of every device's attributes. */
  seriesIds(): number[] {
    return [...this.byId.values()].flatMap((e) => Object.values(e.series));
  }

  get size(): number {
    return this.byId.size;
  }
}
