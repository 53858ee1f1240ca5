import type { Sector } from './device-types.ts';
import { type Comparator, isComposite, isUpward, leavesOf, passes, severityFor, type Condition, type LeafCondition, type Rule, type Severity } from './rule.ts';
import { robustScore, type RobustBaseline } from './robust-stats.ts';

/**
 * Incremental evaluation of one rule over the readings of the series it watches. Pure: no I/O and
 * no clock — time is each reading's instant (event time), and `tick(now)` for absence. The
 * engine feeds committed readings in; the runtime answers with transitions (raise, repeat,
 * clear) per subject. Each series is taken in time order: a reading not newer than the last one
 * seen on that series (a redelivery, a late reading) is stored but not evaluated.
 */

/** A device as the rule engine needs it: place, kind, and its series by attribute. */
export interface RuleDevice {
  id: string;
  type: string;
  unitCode: string;
  sector: Sector;
  /** `derived`: a series the IOC computes (derived-series.ts), not one the device reports. */
  series: Record<string, { seriesId: number; periodS: number; derived?: boolean }>;
}

export interface EvalReading {
  seriesId: number;
  ts: number;
  value: number;
}

export interface Subject {
  /** `device:<id>` or `area:<unitCode>`: with the rule id, the key of "one active alert". */
  key: string;
  kind: 'device' | 'area';
  deviceId: string | null;
  unitCode: string;
  sector: Sector | null;
}

/** What a leaf found on one series, for an alert's evidence. */
export interface LeafEvidence {
  leaf: number;
  deviceId: string;
  attr: string;
  holds: boolean;
  /** The leaf's measure: the reading, the window aggregate, the change, or the robust z-score. */
  value: number | undefined;
  /** Anomaly leaves: the baseline the score is against. */
  baseline?: RobustBaseline;
  /** The most recent readings of the series (≤ EVIDENCE_READINGS), oldest first. */
  readings: { ts: number; value: number }[];
}

export interface Evidence {
  ruleId: string;
  ruleVersion: number;
  condition: Condition;
  ts: number;
  leaves: LeafEvidence[];
}

export type Transition =
  | { kind: 'raise'; subject: Subject; ts: number; value: number | undefined; severity: Severity; evidence: Evidence }
  | { kind: 'repeat'; subject: Subject; ts: number; value: number | undefined; severity: Severity }
  | { kind: 'clear'; subject: Subject; ts: number; value: number | undefined };

export interface EvalContext {
  /** The series' robust baseline for the local hour of `ts` (anomaly leaves). */
  baseline(seriesId: number, ts: number): RobustBaseline | undefined;
  /** true while alerts of the subject are suppressed (maintenance window). */
  suppressed(subject: Subject, ts: number): boolean;
  /** true while the device is offline: its readings raise no value alerts. */
  offline(deviceId: string): boolean;
}

export const EVIDENCE_READINGS = 12;

interface SeriesState {
  seriesId: number;
  deviceId: string;
  attr: string;
  periodMs: number;
  lastTs: number;
  holds: boolean;
  value: number | undefined;
  /** The last EVIDENCE_READINGS readings, written in place (see remember/recentOf). */
  recent: EvidenceRing;
  /** duration */
  runStart?: number;
  runCount?: number;
  /** rate, window: the readings inside the span, oldest first; window sum kept running. */
  buf?: { ts: number; value: number }[];
  sum?: number;
  baseline?: RobustBaseline;
}

interface SubjectState {
  subject: Subject;
  /** Per leaf (in leavesOf order), the watched series. */
  leaves: SeriesState[][];
  /** An alert episode is under way (raised and not yet cleared by the condition). */
  firing: boolean;
  value: number | undefined;
}

/** The subjects of a rule over the given devices, each with the series every leaf watches. */
export function bindRule(rule: Rule, devices: Iterable<RuleDevice>, inArea: (unitCode: string) => boolean): SubjectState[] {
  const leaves = leavesOf(rule.condition);
  const wanted = rule.devices ? new Set(rule.devices) : undefined;
  const mine = [...devices].filter(
    (d) => inArea(d.unitCode) && (!rule.sector || d.sector === rule.sector) && (!rule.deviceType || d.type === rule.deviceType) && (!wanted || wanted.has(d.id)),
  );
  const seriesOf = (leaf: LeafCondition, ds: RuleDevice[]): SeriesState[] =>
    ds
      .filter((d) => !leaf.deviceType || d.type === leaf.deviceType)
      .flatMap((d) => {
        // A device as a whole is its own attributes: derived series are the IOC's computations, written
        // on their own schedule (an hourly index after the device fell silent), with their own periods.
        const attrs = leaf.attr !== undefined ? [leaf.attr] : Object.keys(d.series).filter((a) => !d.series[a]!.derived);
        // An absence leaf without an attribute watches the device as a whole: one state over all its series.
        const picked = attrs.map((a) => [a, d.series[a]] as const).filter((x): x is [string, { seriesId: number; periodS: number }] => x[1] !== undefined);
        if (leaf.kind === 'absence' && leaf.attr === undefined && picked.length > 0) {
          const period = Math.max(...picked.map(([, s]) => s.periodS));
          return picked.map(([a, s]) => newSeries(s.seriesId, d.id, a, period));
        }
        return picked.map(([a, s]) => newSeries(s.seriesId, d.id, a, s.periodS));
      });
  if (rule.per === 'area') {
    const subject: Subject = { key: `area:${rule.unitCode}`, kind: 'area', deviceId: null, unitCode: rule.unitCode, sector: rule.sector ?? null };
    const states = leaves.map((l) => seriesOf(l, mine));
    return states.every((s) => s.length > 0) ? [{ subject, leaves: states, firing: false, value: undefined }] : [];
  }
  const out: SubjectState[] = [];
  for (const d of mine) {
    const states = leaves.map((l) => seriesOf(l, [d]));
    if (!states.every((s) => s.length > 0)) continue;
    const subject: Subject = { key: `device:${d.id}`, kind: 'device', deviceId: d.id, unitCode: d.unitCode, sector: d.sector };
    out.push({ subject, leaves: states, firing: false, value: undefined });
  }
  return out;
}

/**
 * A ring of the last EVIDENCE_READINGS readings, instant and value interleaved: every reading of
 * every watched series passes here, so it is written in place (no object, no array shift).
 */
interface EvidenceRing {
  slots: Float64Array;
  /** The next slot to write. */
  at: number;
  count: number;
}

const remember = (ring: EvidenceRing, ts: number, value: number): void => {
  ring.slots[2 * ring.at] = ts;
  ring.slots[2 * ring.at + 1] = value;
  ring.at = (ring.at + 1) % EVIDENCE_READINGS;
  if (ring.count < EVIDENCE_READINGS) ring.count++;
};

/** The ring's readings, oldest first. */
function recentOf(ring: EvidenceRing): { ts: number; value: number }[] {
  const first = ring.count < EVIDENCE_READINGS ? 0 : ring.at;
  const out: { ts: number; value: number }[] = [];
  for (let i = 0; i < ring.count; i++) {
    const k = (first + i) % EVIDENCE_READINGS;
    out.push({ ts: ring.slots[2 * k]!, value: ring.slots[2 * k + 1]! });
  }
  return out;
}

const newSeries = (seriesId: number, deviceId: string, attr: string, periodS: number): SeriesState => ({
  seriesId,
  deviceId,
  attr,
  periodMs: periodS * 1000,
  lastTs: Number.NEGATIVE_INFINITY,
  holds: false,
  value: undefined,
  recent: { slots: new Float64Array(2 * EVIDENCE_READINGS), at: 0, count: 0 },
});

/** Updates one leaf's state on one series with a reading (already known to be newer). */
function step(leaf: LeafCondition, s: SeriesState, r: EvalReading, ctx: EvalContext): void {
  s.lastTs = r.ts;
  remember(s.recent, r.ts, r.value);
  switch (leaf.kind) {
    case 'threshold':
      s.value = r.value;
      s.holds = s.holds ? !beyondClear(leaf.op, r.value, leaf.clear) : passes(leaf.op, r.value, leaf.raise);
      return;
    case 'duration': {
      s.value = r.value;
      if (!passes(leaf.op, r.value, leaf.value)) {
        s.runStart = undefined;
        s.runCount = 0;
        s.holds = false;
        return;
      }
      s.runStart ??= r.ts;
      s.runCount = (s.runCount ?? 0) + 1;
      s.holds = leaf.minutes !== undefined ? r.ts - s.runStart >= leaf.minutes * 60_000 : s.runCount >= leaf.readings!;
      return;
    }
    case 'rate': {
      // The reading exactly `minutes` old still counts: a rise "within 60 minutes" over hourly readings is a rise.
      const buf = span(s, r, leaf.minutes, true);
      if (leaf.change > 0) {
        const low = extreme(buf, -1);
        s.value = r.value - low;
        s.holds = s.value >= leaf.change;
      } else {
        const high = extreme(buf, 1);
        s.value = r.value - high;
        s.holds = s.value <= leaf.change;
      }
      return;
    }
    case 'window': {
      const buf = span(s, r, leaf.minutes);
      const agg =
        leaf.agg === 'sum' ? s.sum! : leaf.agg === 'avg' ? s.sum! / buf.length : leaf.agg === 'max' ? extreme(buf, 1) : extreme(buf, -1);
      s.value = agg;
      s.holds = s.holds ? !beyondClear(leaf.op, agg, leaf.clear) : passes(leaf.op, agg, leaf.raise);
      return;
    }
    case 'anomaly': {
      const b = ctx.baseline(s.seriesId, r.ts);
      s.baseline = b;
      if (!b || b.days < leaf.minDays) {
        // Not enough history: no opinion, and an open episode ends (the rule cannot hold it up).
        s.value = undefined;
        s.holds = false;
        return;
      }
      const z = robustScore(r.value, b, leaf.minScale ?? 0);
      s.value = z;
      s.holds = s.holds ? z >= (leaf.clearK ?? 0.7 * leaf.k) : z > leaf.k;
      return;
    }
    case 'absence':
      // A reading: the device is (back) online.
      s.value = 0;
      s.holds = false;
      return;
  }
}

/** The clear side of a hysteresis band: below `clear` for an upward comparator, above it otherwise. */
const beyondClear = (op: Comparator, v: number, clear: number): boolean => !passes(op, v, clear);

/** The largest (sign 1) or smallest (sign -1) value of a span; a loop, as spans may be long. */
function extreme(buf: readonly { value: number }[], sign: 1 | -1): number {
  let out = buf[0]!.value;
  for (const x of buf) if (sign * x.value > sign * out) out = x.value;
  return out;
}

/**
 * Appends the reading to the series' span buffer and drops what left the span; keeps the running sum.
 * The span is (ts − minutes, ts] (a window of increments), or [ts − minutes, ts] with `keepEdge` (a rate).
 */
function span(s: SeriesState, r: EvalReading, minutes: number, keepEdge = false): { ts: number; value: number }[] {
  const buf = (s.buf ??= []);
  s.sum ??= 0;
  buf.push({ ts: r.ts, value: r.value });
  s.sum += r.value;
  const from = r.ts - minutes * 60_000;
  let drop = 0;
  while (drop < buf.length && (keepEdge ? buf[drop]!.ts < from : buf[drop]!.ts <= from)) s.sum -= buf[drop++]!.value;
  if (drop) buf.splice(0, drop);
  if (buf.length === 1) s.sum = r.value; // no drift from float subtraction
  return buf;
}

/** One rule's state over all its subjects. */
export class RuleRuntime {
  private readonly leaves: LeafCondition[];
  private readonly bySeries = new Map<number, { subject: SubjectState; leaf: number; state: SeriesState }[]>();
  private readonly subjects = new Map<string, SubjectState>();

  constructor(
    readonly rule: Rule,
    subjects: SubjectState[],
  ) {
    this.leaves = leavesOf(rule.condition);
    for (const subj of subjects) {
      this.subjects.set(subj.subject.key, subj);
      subj.leaves.forEach((states, leaf) => {
        for (const state of states) {
          const list = this.bySeries.get(state.seriesId) ?? [];
          list.push({ subject: subj, leaf, state });
          this.bySeries.set(state.seriesId, list);
        }
      });
    }
  }

  /** The series this rule watches. */
  seriesIds(): number[] {
    return [...this.bySeries.keys()];
  }

  subjectList(): Subject[] {
    return [...this.subjects.values()].map((s) => s.subject);
  }

  /** Whether an episode is under way for the subject (restart: from the stored alerts). */
  setFiring(key: string, firing: boolean): void {
    const s = this.subjects.get(key);
    if (s) s.firing = firing;
  }

  isFiring(key: string): boolean {
    return this.subjects.get(key)?.firing ?? false;
  }

  /** Devices whose absence leaves hold (for an absence rule: the devices it finds offline). */
  absentDevices(): string[] {
    const out = new Set<string>();
    for (const subj of this.subjects.values()) {
      subj.leaves.forEach((states, i) => {
        if (this.leaves[i]!.kind === 'absence') for (const s of states) if (s.holds) out.add(s.deviceId);
      });
    }
    return [...out];
  }

  /** Absence leaves: the series' latest stored reading (where silence is counted from after a restart). */
  seen(seriesId: number, ts: number): void {
    for (const w of this.bySeries.get(seriesId) ?? []) if (this.leaves[w.leaf]!.kind === 'absence' && w.state.lastTs < ts) w.state.lastTs = ts;
  }

  /** Absence leaves: silence is counted from `ts` for series that never reported (a rule just bound). */
  startSilence(ts: number): void {
    for (const list of this.bySeries.values()) for (const w of list) if (this.leaves[w.leaf]!.kind === 'absence' && !Number.isFinite(w.state.lastTs)) w.state.lastTs = ts;
  }

  /** Feeds one reading; returns the transitions it causes (none when the rule does not watch the series). */
  onReading(r: EvalReading, ctx: EvalContext): Transition[] {
    const watchers = this.bySeries.get(r.seriesId);
    if (!watchers) return [];
    const touched = new Set<SubjectState>();
    for (const w of watchers) {
      if (r.ts <= w.state.lastTs) continue;
      const leaf = this.leaves[w.leaf]!;
      step(leaf, w.state, r, ctx);
      if (leaf.kind === 'absence' && leaf.attr === undefined) {
        // A device watched as a whole is back online when any of its series reports.
        for (const s of w.subject.leaves[w.leaf]!) {
          if (s.deviceId === w.state.deviceId) {
            s.holds = false;
            s.value = 0;
          }
        }
      }
      touched.add(w.subject);
    }
    const out: Transition[] = [];
    for (const subj of touched) {
      const t = this.decide(subj, r.ts, ctx, subj.subject.deviceId !== null && ctx.offline(subj.subject.deviceId) && !this.isAbsenceRule());
      if (t) out.push(t);
    }
    return out;
  }

  /** Absence leaves: a series silent beyond factor × period holds. Returns the transitions at `now`. */
  tick(now: number, ctx: EvalContext): Transition[] {
    const out: Transition[] = [];
    for (const subj of this.subjects.values()) {
      let changed = false;
      let absent = false;
      subj.leaves.forEach((states, i) => {
        const leaf = this.leaves[i]!;
        if (leaf.kind !== 'absence') return;
        // A device as a whole (no attr) is silent when all its series are: use its newest reading.
        const newest = new Map<string, number>();
        if (leaf.attr === undefined) for (const s of states) newest.set(s.deviceId, Math.max(newest.get(s.deviceId) ?? Number.NEGATIVE_INFINITY, s.lastTs));
        for (const s of states) {
          const last = leaf.attr === undefined ? newest.get(s.deviceId)! : s.lastTs;
          if (!Number.isFinite(last)) continue;
          const silent = now - last > leaf.factor * s.periodMs;
          if (silent !== s.holds) {
            s.holds = silent;
            s.value = silent ? (now - last) / 1000 : 0;
            changed = true;
          }
          absent ||= s.holds;
        }
      });
      // A silence that raised nothing (suppressed when it began) raises once the suppression ends.
      if (changed || (absent && !subj.firing)) {
        const t = this.decide(subj, now, ctx, false);
        if (t) out.push(t);
      }
    }
    return out;
  }

  private isAbsenceRule(): boolean {
    return this.leaves.every((l) => l.kind === 'absence');
  }

  private holds(c: Condition, subj: SubjectState, counter: { i: number }): boolean {
    if (isComposite(c)) {
      const results = c.conditions.map((x) => this.holds(x, subj, counter));
      return c.kind === 'all' ? results.every(Boolean) : results.some(Boolean);
    }
    const i = counter.i++;
    return subj.leaves[i]!.some((s) => s.holds);
  }

  /** The subject's measure: the first leaf's most alarming value over its series that hold (else any). */
  private measure(subj: SubjectState): number | undefined {
    const first = this.leaves[0]!;
    const states = subj.leaves[0]!;
    const pool = states.some((s) => s.holds) ? states.filter((s) => s.holds) : states;
    const values = pool.map((s) => s.value).filter((v): v is number => v !== undefined);
    if (values.length === 0) return undefined;
    const up = 'op' in first ? isUpward(first.op) : first.kind === 'rate' ? first.change > 0 : true;
    return up ? Math.max(...values) : Math.min(...values);
  }

  private decide(subj: SubjectState, ts: number, ctx: EvalContext, offline: boolean): Transition | undefined {
    const holds = this.holds(this.rule.condition, subj, { i: 0 });
    const value = this.measure(subj);
    subj.value = value;
    if (!holds) {
      if (!subj.firing) return undefined;
      subj.firing = false;
      return { kind: 'clear', subject: subj.subject, ts, value };
    }
    const severity = severityFor(this.rule, value);
    if (subj.firing) return { kind: 'repeat', subject: subj.subject, ts, value, severity };
    if (offline || ctx.suppressed(subj.subject, ts)) return undefined;
    subj.firing = true;
    return { kind: 'raise', subject: subj.subject, ts, value, severity, evidence: this.evidence(subj, ts) };
  }

  private evidence(subj: SubjectState, ts: number): Evidence {
    return {
      ruleId: this.rule.id,
      ruleVersion: this.rule.version,
      condition: this.rule.condition,
      ts,
      leaves: subj.leaves.flatMap((states, leaf) =>
        // The series that hold, or (for a leaf that holds on none, in an `any`) the freshest one.
        (states.some((s) => s.holds) ? states.filter((s) => s.holds) : [...states].sort((a, b) => b.lastTs - a.lastTs).slice(0, 1)).map((s) => ({
          leaf,
          deviceId: s.deviceId,
          attr: s.attr,
          holds: s.holds,
          value: s.value,
          ...(s.baseline && { baseline: s.baseline }),
          readings: recentOf(s.recent),
        })),
      ),
    };
  }
}
