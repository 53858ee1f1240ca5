import {
  bindRule,
  type EvalContext,
  isUpward,
  leavesOf,
  lookbackMinutes,
  MAX_FUTURE_MS,
  ownerUnit,
  type RobustBaseline,
  hourOfDayBaselines,
  RuleRuntime,
  severityRank,
  type Subject,
  type Transition,
  vnDayStart,
  vnHourOfDay,
} from '@haidang/domain';
import type { AlertStream } from './alert-stream.ts';
import type { DeviceDirectory } from './device-directory.ts';
import type { LatestValues } from './latest-values.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { AlertMetrics, AlertStore, Clock, Logger, MaintenanceCalendar, ReadingStore, RepeatInput, RuleStore, SeriesReading, StoredRule } from './ports.ts';

interface Entry {
  stored: StoredRule;
  runtime: RuleRuntime;
  /** Readings that arrived while the rule was warming up (replaying history); undefined once live. */
  pending: SeriesReading[] | undefined;
  upward: boolean;
  absence: boolean;
  anomaly: boolean;
}

/** Most history one rule replays when it starts (a day of per-minute readings of 1,000 series). */
const MAX_REPLAY_READINGS = 2_000_000;
/** History replayed beyond a rule's own lookback, so a threshold rule knows the latest values. */
const REPLAY_MARGIN_MIN = 60;

export interface AlertEngineDeps {
  rules: RuleStore;
  alerts: AlertStore;
  stream: AlertStream;
  directory: DeviceDirectory;
  units: OrgUnitService;
  readings: ReadingStore;
  latest: LatestValues;
  calendar: MaintenanceCalendar;
  clock: Clock;
  log: Logger;
  metrics?: AlertMetrics;
  /** How often absence (offline) rules are checked; default 5 s. */
  tickMs?: number;
}

/**
 * The rule engine: every enabled rule as an in-memory runtime, fed each committed batch of readings
 * (the writer's onCommitted) and a clock tick for absence. Transitions are persisted in order on one
 * chain (the store's unique index keeps one active alert per rule and subject) and published to the
 * alert stream once committed.
 *
 * Restart safety: rule state is not saved; it is rebuilt from stored readings. At start (and when a
 * rule changes) each rule replays its lookback of history. Per subject, transitions up to the newest
 * instant its latest alert already reflects (the watermark) are context only, and the subject's
 * "episode under way" flag is taken from that alert; transitions after the watermark are persisted.
 * So an alert whose readings were committed but whose write was cut off (SIGKILL) is raised after
 * the restart, one that was written is not raised twice, and one whose condition cleared meanwhile
 * is resolved.
 */
export class AlertEngine {
  private readonly entries = new Map<string, Entry>();
  private readonly bySeries = new Map<number, Entry[]>();
  private readonly offline = new Set<string>();
  /** Repeats waiting to be written together (see enqueue). */
  private segment: Map<string, RepeatInput> | undefined;
  private readonly baselines: Baselines;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly ctx: EvalContext;

  constructor(private readonly d: AlertEngineDeps) {
    this.baselines = new Baselines(d.readings);
    this.ctx = {
      baseline: (seriesId, ts) => this.baselines.get(seriesId, ts),
      suppressed: (s: Subject, ts: number) => d.calendar.suppressed(s.deviceId, s.unitCode, ts),
      offline: (deviceId: string) => this.offline.has(deviceId),
    };
  }

  /** Loads and warms every enabled rule, then starts the absence tick. */
  async start(): Promise<void> {
    for (const stored of await this.d.rules.active()) await this.warm(stored);
    this.timer = setInterval(() => this.tick(), this.d.tickMs ?? 5000);
    this.timer.unref();
  }

  /** Stops the tick and waits for every transition to be written. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.drain();
  }

  /** Resolves when every transition so far is persisted. */
  async drain(): Promise<void> {
    let c: Promise<void>;
    do {
      c = this.chain;
      await c;
    } while (c !== this.chain);
  }

  /** Rules loaded, series watched, devices found offline. */
  status(): { rules: number; series: number; offlineDevices: number } {
    return { rules: this.entries.size, series: this.bySeries.size, offlineDevices: this.offline.size };
  }

  /** Whether an absence rule currently finds the device offline (silent too long); read by the map. */
  isOffline(deviceId: string): boolean {
    return this.offline.has(deviceId);
  }

  /** Committed readings (the writer's onCommitted): synchronous and cheap; never throws. */
  apply(readings: readonly SeriesReading[]): void {
    for (const r of readings) {
      const list = this.bySeries.get(r.seriesId);
      if (!list) continue;
      for (const e of list) {
        if (e.pending) {
          if (e.pending.length < MAX_REPLAY_READINGS) e.pending.push(r);
          continue;
        }
        this.handle(e, e.runtime.onReading(r, this.ctx));
      }
    }
  }

  /** A rule was created, changed, disabled or deleted: rebuild its runtime from storage. */
  async reload(ruleId: string): Promise<void> {
    const stored = await this.d.rules.get(ruleId);
    if (!stored || stored.deletedAt !== null || !stored.rule.enabled) {
      this.remove(ruleId);
      return;
    }
    await this.warm(stored);
  }

  /** Devices were added, changed or removed: every rule binds again (and replays its history). */
  async devicesChanged(): Promise<void> {
    // Each rule is read again: one deleted or changed while this runs must not come back stale.
    for (const id of [...this.entries.keys()]) await this.reload(id);
  }

  /** The absence check (and the daily anomaly baseline refresh). */
  tick(): void {
    const now = this.d.clock();
    for (const e of this.entries.values()) {
      if (!e.absence || e.pending) continue;
      this.handle(e, e.runtime.tick(now, this.ctx));
    }
    this.baselines.refreshIfStale(now);
  }

  private remove(ruleId: string): void {
    const old = this.entries.get(ruleId);
    if (!old) return;
    this.entries.delete(ruleId);
    for (const sid of old.runtime.seriesIds()) {
      const list = this.bySeries.get(sid)?.filter((x) => x !== old);
      if (list?.length) this.bySeries.set(sid, list);
      else this.bySeries.delete(sid);
    }
    if (old.absence) this.updateOffline();
  }

  private async warm(stored: StoredRule): Promise<void> {
    const rule = stored.rule;
    const tree = await this.d.units.tree();
    const inArea = (code: string) => tree.covers(rule.unitCode, code);
    const runtime = new RuleRuntime(rule, bindRule(rule, this.d.directory.ruleDevices(), inArea));
    const leaves = leavesOf(rule.condition);
    const first = leaves[0]!;
    const entry: Entry = {
      stored,
      runtime,
      pending: [],
      upward: 'op' in first ? isUpward(first.op) : first.kind === 'rate' ? first.change > 0 : true,
      absence: leaves.some((l) => l.kind === 'absence'),
      anomaly: leaves.some((l) => l.kind === 'anomaly'),
    };
    // Live readings queue for the new runtime from now; the old one keeps working until the switch.
    this.remove(rule.id);
    this.entries.set(rule.id, entry);
    for (const sid of runtime.seriesIds()) {
      const list = this.bySeries.get(sid) ?? [];
      // Absence rules first: the reading that brings a device back online reaches its value rules online.
      this.bySeries.set(sid, entry.absence ? [entry, ...list] : [...list, entry]);
    }
    try {
      if (entry.anomaly) {
        const days = Math.max(...leaves.map((l) => (l.kind === 'anomaly' ? (l.days ?? 28) : 0)));
        await this.baselines.prepare(runtime.seriesIds(), days, this.d.clock());
      }
      await this.replay(entry);
    } catch (e) {
      this.d.log.error({ rule: rule.id, err: (e as Error).message }, 'rule could not replay its history; it starts from live readings');
    }
    const queued = entry.pending ?? [];
    entry.pending = undefined;
    for (const r of queued) this.handle(entry, runtime.onReading(r, this.ctx));
    if (entry.absence) this.handle(entry, runtime.tick(this.d.clock(), this.ctx));
  }

  private async replay(entry: Entry): Promise<void> {
    const { runtime, stored } = entry;
    const now = this.d.clock();
    const episodes = await this.d.alerts.episodes(stored.rule.id);
    const subjects = runtime.subjectList().map((s) => {
      const ep = episodes.get(s.key);
      return { key: s.key, firing: ep?.holding ?? false, silentUntil: Math.max(ep?.watermark ?? Number.NEGATIVE_INFINITY, stored.activeFrom) };
    });
    const silentUntil = new Map(subjects.map((s) => [s.key, s.silentUntil]));
    subjects.sort((a, b) => a.silentUntil - b.silentUntil);
    let synced = 0;
    const syncUpTo = (ts: number) => {
      while (synced < subjects.length && subjects[synced]!.silentUntil < ts) {
        runtime.setFiring(subjects[synced]!.key, subjects[synced]!.firing);
        synced++;
      }
    };
    const from = now - (lookbackMinutes(stored.rule.condition) + REPLAY_MARGIN_MIN) * 60_000;
    const history = await this.d.readings.raw(runtime.seriesIds(), from, now + MAX_FUTURE_MS, MAX_REPLAY_READINGS);
    for (const r of history) {
      syncUpTo(r.ts);
      const live = runtime.onReading(r, this.ctx).filter((t) => t.ts > (silentUntil.get(t.subject.key) ?? Number.NEGATIVE_INFINITY));
      this.handle(entry, live);
    }
    syncUpTo(Number.POSITIVE_INFINITY);
    // Absence: silence counts from each series' latest reading (older than the replay window too).
    for (const sid of runtime.seriesIds()) {
      const l = this.d.latest.get(sid);
      if (l) runtime.seen(sid, l.ts);
    }
    runtime.startSilence(now);
  }

  private handle(e: Entry, transitions: Transition[]): void {
    if (transitions.length === 0) return;
    for (const t of transitions) this.enqueue(e, t);
    if (e.absence) this.updateOffline();
  }

  private updateOffline(): void {
    this.offline.clear();
    for (const e of this.entries.values()) if (e.absence) for (const id of e.runtime.absentDevices()) this.offline.add(id);
  }

  private enqueue(e: Entry, t: Transition): void {
    const rule = e.runtime.rule;
    const key = `${rule.id}\u0000${t.subject.key}`;
    if (t.kind === 'repeat') {
      // Repeats merge per subject into the current segment, written in one statement; a raise or
      // clear closes the segment, so repeats after it are written after it.
      let segment = this.segment;
      if (!segment) {
        const fresh = new Map<string, RepeatInput>();
        segment = this.segment = fresh;
        this.run(async () => {
          if (this.segment === fresh) this.segment = undefined;
          const changes = await this.d.alerts.repeatMany([...fresh.values()], this.d.clock());
          for (const c of changes) {
            this.d.metrics?.alertWrite('repeat', fresh.get(`${c.alert.ruleId}\u0000${c.alert.subject}`)?.count ?? 0);
            if (c.events.length) this.d.stream.publish(c);
          }
        });
      }
      const merged = segment.get(key);
      if (merged) {
        merged.count++;
        merged.ts = Math.max(merged.ts, t.ts);
        merged.value = t.value ?? null;
        if (t.value !== undefined && (merged.peak === null || (e.upward ? t.value > merged.peak : t.value < merged.peak))) merged.peak = t.value;
        if (severityRank(t.severity) > severityRank(merged.severity)) merged.severity = t.severity;
        return;
      }
      segment.set(key, { ruleId: rule.id, subject: t.subject.key, count: 1, ts: t.ts, value: t.value ?? null, peak: t.value ?? null, upward: e.upward, severity: t.severity });
      return;
    }
    this.segment = undefined;
    if (t.kind === 'clear') {
      this.run(async () => {
        const change = await this.d.alerts.clear(rule.id, t.subject.key, t.ts, t.value ?? null, this.d.clock());
        if (change) {
          this.d.metrics?.alertWrite('resolved');
          this.d.stream.publish(change);
        }
      });
      return;
    }
    this.run(async () => {
      const tree = await this.d.units.tree();
      const sectorOcs = await this.d.units.sectorOcs();
      const place = t.subject.deviceId ? this.d.directory.get(t.subject.deviceId)?.device.name : undefined;
      const unit = place ? undefined : await this.d.units.get(t.subject.unitCode);
      const where = place ? { vi: place, en: place } : unit ? unit.name : { vi: t.subject.unitCode, en: t.subject.unitCode };
      const change = await this.d.alerts.raise(
        {
          ruleId: rule.id,
          ruleVersion: rule.version,
          subject: t.subject.key,
          deviceId: t.subject.deviceId,
          unitCode: t.subject.unitCode,
          sector: t.subject.sector,
          ownerUnit: ownerUnit(tree, sectorOcs, t.subject.unitCode, t.subject.sector ?? rule.sector ?? null, rule.route),
          severity: t.severity,
          title: { vi: `${rule.name.vi} — ${where.vi}`, en: `${rule.name.en} — ${where.en}` },
          ts: t.ts,
          value: t.value ?? null,
          upward: e.upward,
          evidence: t.evidence,
          reopenMs: rule.reopenMinutes * 60_000,
        },
        this.d.clock(),
      );
      if (change.events.some((x) => x.kind === 'raised' || x.kind === 'reopened')) this.d.metrics?.alertWrite('raised');
      this.d.stream.publish(change);
    });
  }

  /** Runs persistence steps one after another; a failure is logged and the chain goes on. */
  private run(step: () => Promise<void>): void {
    this.chain = this.d.stream.serial(step).catch((err: Error) => {
      this.d.metrics?.alertWrite('failure');
      this.d.log.error({ err: err.message }, 'alert transition could not be written; it is recovered from the readings at the next start');
    });
  }
}

/**
 * Anomaly baselines: for each watched series, the median and MAD of its hourly means at each local
 * hour of day over the previous `days` whole days (today excluded), from the hourly rollups.
 */
class Baselines {
  private readonly bySeries = new Map<number, { days: number; byHour: (RobustBaseline | undefined)[] }>();
  private day = -1;
  private refreshing = false;

  constructor(private readonly readings: ReadingStore) {}

  get(seriesId: number, ts: number): RobustBaseline | undefined {
    return this.bySeries.get(seriesId)?.byHour[vnHourOfDay(ts)];
  }

  async prepare(seriesIds: readonly number[], days: number, now: number): Promise<void> {
    const dayStart = vnDayStart(now);
    this.day = dayStart;
    for (const sid of seriesIds) {
      const points = await this.readings.series(sid, { from: dayStart - days * 86_400_000, to: dayStart, resolution: '1h', limit: days * 24 + 24 });
      const means = new Map(points.filter((p) => p.avg !== undefined).map((p) => [p.ts, p.avg!]));
      this.bySeries.set(sid, { days, byHour: hourOfDayBaselines(means, dayStart, days) });
    }
  }

  /** Once a day, recompute every baseline in the background. */
  refreshIfStale(now: number): void {
    if (this.bySeries.size === 0 || this.refreshing || vnDayStart(now) === this.day) return;
    this.refreshing = true;
    const groups = new Map<number, number[]>();
    for (const [sid, b] of this.bySeries) groups.set(b.days, [...(groups.get(b.days) ?? []), sid]);
    void (async () => {
      for (const [days, ids] of groups) await this.prepare(ids, days, now);
    })()
      .catch(() => undefined)
      .finally(() => (this.refreshing = false));
  }
}

