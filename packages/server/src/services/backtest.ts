import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  bindRule,
  type EvalContext,
  type Evidence,
  fieldError,
  IocError,
  isUpward,
  leavesOf,
  lookbackMinutes,
  type RobustBaseline,
  hourOfDayBaselines,
  type Rule,
  RuleRuntime,
  type Severity,
  severityRank,
  type Subject,
  type Transition,
  vnDayStart,
  vnHourOfDay,
} from '@haidang/domain';
import { auditBy } from './access-policy.ts';
import { DEFAULT_PERIOD_S, type DeviceDirectory } from './device-directory.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { Auditor, Clock, ReadingStore, SeriesReading } from './ports.ts';
import type { RequestContext } from './request-context.ts';
import type { RuleService } from './rule.service.ts';

/** Bounds of one backtest: it reads stored history, and must not hold the database or the event loop long. */
export const BACKTEST_LIMITS = {
  /** Longest [from, to). */
  maxSpanDays: 31,
  /** Most raw readings read (lookback included). */
  maxReadings: 2_000_000,
  /** Readings per query: between two queries, ingestion's writes get the database. */
  chunk: 20_000,
  /** Episodes listed (the count is always exact). */
  maxEpisodes: 5_000,
  /** Backtests running at once on a node; more answer 503. */
  concurrent: 2,
} as const;

/** Baseline days of an anomaly leaf that gives none (as the engine). */
export const DEFAULT_BASELINE_DAYS = 28;
/** Absence leaves: the history read before `from` to know when each device last reported, at most a day. */
const MAX_ABSENCE_LOOKBACK_MS = 86_400_000;
const DAY = 86_400_000;
/** Evaluation steps between two yields to the event loop. */
const YIELD_EVERY = 5_000;

export interface BacktestRange {
  from: number;
  to: number;
}

export interface EvidenceView {
  ruleId: string;
  ruleVersion: number;
  ts: string;
  leaves: { leaf: number; deviceId: string; attr: string; holds: boolean; value: number | null; baseline?: RobustBaseline; readings: { ts: string; value: number }[] }[];
}

/** One alert the rule would have raised: an episode of its condition on one subject. */
export interface BacktestEpisode {
  subject: Subject;
  raisedAt: string;
  /** When the condition cleared for good (after any reopening); null: still holding at `to`. */
  clearedAt: string | null;
  firstValue: number | null;
  /** The most alarming value of the rule's first condition during the episode. */
  peakValue: number | null;
  /** Readings (or absence checks) on which the condition held. */
  count: number;
  /** The highest severity reached. */
  severity: Severity;
  /** Times the subject fired again within the rule's reopenMinutes, reopening this alert. */
  reopenCount: number;
  evidence: EvidenceView;
}

export interface BacktestResult {
  rule: { id: string | null; version: number | null; name: { vi: string; en: string } };
  from: string;
  to: string;
  /** Where evaluation started: `from` less the rule's lookback (history before `from` is context only). */
  evaluatedFrom: string;
  subjects: number;
  series: number;
  readings: number;
  /** Episodes raised in [from, to). */
  total: number;
  /** true when more than BACKTEST_LIMITS.maxEpisodes episodes: the first ones are listed. */
  truncated: boolean;
  episodes: BacktestEpisode[];
  elapsedMs: number;
}

interface Episode {
  subject: Subject;
  raisedAt: number;
  clearedAt: number | null;
  firstValue: number | null;
  peakValue: number | null;
  count: number;
  severity: Severity;
  reopenCount: number;
  evidence: Evidence;
}

const iso = (ms: number) => new Date(ms).toISOString();
const num = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

const evidenceView = (e: Evidence): EvidenceView => ({
  ruleId: e.ruleId,
  ruleVersion: e.ruleVersion,
  ts: iso(e.ts),
  leaves: e.leaves.map((l) => ({
    leaf: l.leaf,
    deviceId: l.deviceId,
    attr: l.attr,
    holds: l.holds,
    value: num(l.value),
    ...(l.baseline ? { baseline: l.baseline } : {}),
    readings: l.readings.map((r) => ({ ts: iso(r.ts), value: r.value })),
  })),
});

/** Start of the local (UTC+7) day holding `ts`. */

/**
 * Backtests (chạy thử): the alerts a rule would have raised over stored history, computed with the
 * engine's own evaluator (domain RuleRuntime) fed the raw readings of the series it watches, in
 * time order, from `from` less the rule's lookback (episodes before `from` are context only).
 * Absence is checked every minute of history; anomaly baselines come from the hourly rollups of
 * the days before each reading, as the engine computes them. Maintenance windows and offline
 * devices are not applied: the answer is what the condition alone would have raised.
 *
 * Bounded (span, readings, concurrent runs) and cooperative: it reads in chunks and yields to the
 * event loop between them, so ingestion and the live engine keep going.
 */
export class BacktestService {
  private running = 0;

  constructor(
    private readonly rules: RuleService,
    private readonly directory: DeviceDirectory,
    private readonly units: OrgUnitService,
    private readonly readings: ReadingStore,
    private readonly audit: Auditor,
    private readonly clock: Clock,
  ) {}

  /** Backtests an unsaved definition (the rule being edited). Needs rule.manage over its place. */
  async definition(ctx: RequestContext, input: unknown, range: Partial<BacktestRange>): Promise<BacktestResult> {
    const r = this.range(range);
    const def = await this.rules.checkManageable(ctx, input);
    const { id, ...rest } = def;
    const result = await this.run({ id: id ?? 'backtest', version: 0, ...rest }, r);
    result.rule = { id: id ?? null, version: null, name: def.name };
    await this.audited(ctx, def.unitCode, id ? `rule:${id}` : 'rule:(unsaved)', result);
    return result;
  }

  /** Backtests a saved rule's current version. */
  async saved(ctx: RequestContext, id: string, range: Partial<BacktestRange>): Promise<BacktestResult> {
    const r = this.range(range);
    const rule = await this.rules.manageable(ctx, id);
    const result = await this.run(rule, r);
    await this.audited(ctx, rule.unitCode, `rule:${id}`, result);
    return result;
  }

  /** The backtest itself, for any rule (no scope check: the callers above make it). */
  async run(rule: Rule, { from, to }: BacktestRange): Promise<BacktestResult> {
    if (this.running >= BACKTEST_LIMITS.concurrent) throw new IocError('IOC_ERR_UNAVAILABLE', `${this.running} backtests are running on this node; try again in a moment`);
    this.running++;
    try {
      return await this.evaluate(rule, from, to);
    } finally {
      this.running--;
    }
  }

  private async evaluate(rule: Rule, from: number, to: number): Promise<BacktestResult> {
    const started = performance.now();
    const tree = await this.units.tree();
    const devices = this.directory.ruleDevices();
    const runtime = new RuleRuntime(rule, bindRule(rule, devices, (code) => tree.covers(rule.unitCode, code)));
    const seriesIds = runtime.seriesIds();
    const leaves = leavesOf(rule.condition);
    const first = leaves[0]!;
    const upward = 'op' in first ? isUpward(first.op) : first.kind === 'rate' ? first.change > 0 : true;

    // What the watched series are: their periods (absence lookback, the reading estimate).
    const periodOf = new Map<number, number>();
    for (const d of devices) for (const s of Object.values(d.series)) periodOf.set(s.seriesId, s.periodS * 1000);
    const watched = new Set(seriesIds);
    let lookbackMs = lookbackMinutes(rule.condition) * 60_000;
    const absence = leaves.filter((l) => l.kind === 'absence');
    if (absence.length) {
      const longest = Math.max(...seriesIds.map((s) => periodOf.get(s) ?? DEFAULT_PERIOD_S * 1000));
      lookbackMs = Math.max(lookbackMs, Math.min(MAX_ABSENCE_LOOKBACK_MS, Math.max(...absence.map((l) => l.factor)) * longest));
    }
    const start = from - lookbackMs;
    const expected = seriesIds.reduce((n, s) => n + (to - start) / (periodOf.get(s) ?? DEFAULT_PERIOD_S * 1000), 0);
    if (expected > BACKTEST_LIMITS.maxReadings) throw tooMany(`about ${Math.round(expected).toLocaleString('en')} readings`);

    const baselines = await this.baselines(rule, runtime, start, to);
    const ctx: EvalContext = {
      baseline: (seriesId, ts) => baselines(seriesId, ts),
      suppressed: () => false,
      offline: () => false,
    };

    const open = new Map<string, Episode>();
    const last = new Map<string, Episode>();
    const episodes: Episode[] = [];
    let total = 0;
    const reopenMs = rule.reopenMinutes * 60_000;
    const more = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : upward ? Math.max(a, b) : Math.min(a, b));
    const handle = (ts: Transition[]) => {
      for (const t of ts) {
        const key = t.subject.key;
        const value = num(t.value);
        if (t.kind === 'raise') {
          if (t.ts < from) continue; // context: the runtime knows the subject fires; nothing is reported
          const prev = last.get(key);
          if (prev && prev.clearedAt !== null && t.ts - prev.clearedAt <= reopenMs) {
            prev.clearedAt = null;
            prev.reopenCount++;
            prev.count++;
            prev.peakValue = more(prev.peakValue, value);
            if (severityRank(t.severity) > severityRank(prev.severity)) prev.severity = t.severity;
            open.set(key, prev);
            continue;
          }
          const e: Episode = { subject: t.subject, raisedAt: t.ts, clearedAt: null, firstValue: value, peakValue: value, count: 1, severity: t.severity, reopenCount: 0, evidence: t.evidence };
          total++;
          if (episodes.length < BACKTEST_LIMITS.maxEpisodes) episodes.push(e);
          open.set(key, e);
          last.set(key, e);
        } else {
          const e = open.get(key);
          if (!e) continue; // an episode that began before `from`
          if (t.kind === 'repeat') {
            e.count++;
            e.peakValue = more(e.peakValue, value);
            if (severityRank(t.severity) > severityRank(e.severity)) e.severity = t.severity;
          } else {
            e.clearedAt = t.ts;
            open.delete(key);
          }
        }
      }
    };

    // Absence: checked on a regular step through history, between the readings.
    const stepMs = absence.length ? Math.max(5_000, Math.min(60_000, ...absence.map((l) => (l.factor * Math.min(...seriesIds.map((s) => periodOf.get(s) ?? 60_000))) / 2))) : 0;
    let nextTick = stepMs ? Math.ceil(start / stepMs) * stepMs : Number.POSITIVE_INFINITY;
    let steps = 0;
    const tickUntil = async (ts: number) => {
      while (nextTick <= ts) {
        handle(runtime.tick(nextTick, ctx));
        nextTick += stepMs;
        if (++steps % YIELD_EVERY === 0) await yieldToEventLoop();
      }
    };

    let read = 0;
    if (seriesIds.length) {
      let cursor = start;
      let atCursor = new Set<number>();
      for (;;) {
        const chunk: SeriesReading[] = await this.readings.raw(seriesIds, cursor, to, BACKTEST_LIMITS.chunk);
        let fresh = 0;
        for (const r of chunk) {
          // The next chunk starts at the last instant of this one: skip what was fed already.
          if (r.ts === cursor && atCursor.has(r.seriesId)) continue;
          if (!watched.has(r.seriesId)) continue;
          fresh++;
          if (++read > BACKTEST_LIMITS.maxReadings) throw tooMany(`more than ${BACKTEST_LIMITS.maxReadings.toLocaleString('en')} readings`);
          await tickUntil(r.ts);
          handle(runtime.onReading(r, ctx));
          if (r.ts !== cursor) {
            cursor = r.ts;
            atCursor = new Set();
          }
          atCursor.add(r.seriesId);
          if (++steps % YIELD_EVERY === 0) await yieldToEventLoop();
        }
        if (chunk.length < BACKTEST_LIMITS.chunk) break;
        if (fresh === 0) throw new IocError('IOC_ERR_INTERNAL', `more than ${BACKTEST_LIMITS.chunk} readings share the instant ${iso(cursor)}`);
        await yieldToEventLoop();
      }
    }
    await tickUntil(to - 1);

    return {
      rule: { id: rule.id, version: rule.version, name: rule.name },
      from: iso(from),
      to: iso(to),
      evaluatedFrom: iso(start),
      subjects: runtime.subjectList().length,
      series: seriesIds.length,
      readings: read,
      total,
      truncated: total > episodes.length,
      episodes: episodes.map((e) => ({
        subject: e.subject,
        raisedAt: iso(e.raisedAt),
        clearedAt: e.clearedAt === null ? null : iso(e.clearedAt),
        firstValue: e.firstValue,
        peakValue: e.peakValue,
        count: e.count,
        severity: e.severity,
        reopenCount: e.reopenCount,
        evidence: evidenceView(e.evidence),
      })),
      elapsedMs: Math.round(performance.now() - started),
    };
  }

  /** Checks the range: from before to, at most maxSpanDays; default the last 7 days. */
  private range(r: Partial<BacktestRange>): BacktestRange {
    const to = r.to ?? this.clock();
    const from = r.from ?? to - 7 * DAY;
    if (!(from < to)) throw new IocError('IOC_ERR_VALIDATION', 'from must be before to', [fieldError('to', 'out_of_range', 'to must be after from')]);
    if (to - from > BACKTEST_LIMITS.maxSpanDays * DAY) {
      throw new IocError('IOC_ERR_VALIDATION', `a backtest spans at most ${BACKTEST_LIMITS.maxSpanDays} days`, [fieldError('to', 'out_of_range', `to − from must be at most ${BACKTEST_LIMITS.maxSpanDays} days`)]);
    }
    return { from, to };
  }

  /**
   * Anomaly baselines as the engine computes them, but for each reading's own day: per series and
   * local hour, the median and MAD of the hourly means of the previous `days` whole local days.
   */
  private async baselines(rule: Rule, runtime: RuleRuntime, start: number, to: number): Promise<(seriesId: number, ts: number) => RobustBaseline | undefined> {
    const leaves = leavesOf(rule.condition).filter((l) => l.kind === 'anomaly');
    if (leaves.length === 0) return () => undefined;
    const days = Math.max(...leaves.map((l) => l.days ?? DEFAULT_BASELINE_DAYS));
    const firstDay = vnDayStart(start) - days * DAY;
    const means = new Map<number, Map<number, number>>();
    for (const sid of runtime.seriesIds()) {
      const points = await this.readings.series(sid, { from: firstDay, to, resolution: '1h', limit: Math.ceil((to - firstDay) / 3_600_000) + 24 });
      means.set(sid, new Map(points.filter((p) => p.avg !== undefined).map((p) => [p.ts, p.avg!])));
      await yieldToEventLoop();
    }
    const cache = new Map<string, (RobustBaseline | undefined)[]>();
    return (sid, ts) => {
      const m = means.get(sid);
      if (!m) return undefined;
      const day = vnDayStart(ts);
      const key = `${sid}:${day}`;
      let byHour = cache.get(key);
      if (!byHour) {
        byHour = hourOfDayBaselines(m, day, days);
        cache.set(key, byHour);
      }
      return byHour[vnHourOfDay(ts)];
    };
  }

  private async audited(ctx: RequestContext, unitCode: string, target: string, r: BacktestResult): Promise<void> {
    await this.audit.record({ ...auditBy(ctx), action: 'rule.backtest', unitCode, target, details: { from: r.from, to: r.to, subjects: r.subjects, readings: r.readings, episodes: r.total } });
  }
}

const tooMany = (what: string) =>
  new IocError('IOC_ERR_VALIDATION', `the backtest would read ${what}; at most ${BACKTEST_LIMITS.maxReadings.toLocaleString('en')}`, [
    fieldError('from', 'too_many_readings', `${what} in range: shorten from–to, or narrow the rule (deviceType, devices, unitCode)`),
  ]);
