/**
 * Backtests over stored readings, on PGlite and on PostgreSQL: a river-level threshold with
 * hysteresis, a 3-hour rainfall sum, a device falling silent (absence), a composite over two kinds
 * of sensor, an anomaly against the series' own hourly history; the limits (span, readings,
 * concurrent runs), paging through history in chunks, scope, audit, and that a long backtest leaves
 * the event loop free. Also: every rule example in docs/rules.md is a valid rule.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Rule, validateRule } from '@haidang/domain';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { BACKTEST_LIMITS, type BacktestResult } from '../src/services/backtest.ts';
import type { SeriesReading } from '../src/services/ports.ts';
import { systemContext } from '../src/services/request-context.ts';
import { backends } from './support/databases.ts';
import { buildEarlyWarningApp, type EarlyWarningTestApp } from './support/early-warning.ts';
import { bearer, createPerson, type Send, tokenFor } from './support/identity.ts';

const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const KEY = 'k-backtest';

/** Threshold test (river rl-hc-1), rainfall (rg-hc-1), absence (rg-hc-2), composite (both), anomaly (rl-hc-1): apart in time. */
const T_THRESHOLD = NOW - 2 * DAY;
const T_RAIN = NOW - 3 * DAY;
const T_ABSENCE = NOW - 4 * DAY;
const T_COMPOSITE = NOW - 5 * DAY;
/** Local midnight (UTC+7) of the anomaly day, 20 days ago. */
const D_ANOMALY = Math.floor((NOW - 20 * DAY + 7 * HOUR) / DAY) * DAY - 7 * HOUR;

const device = (id: string, type: string, unitCode: string) => ({ id, type, name: `Trạm ${id}`, location: { lat: 16.05, lon: 108.2 }, unitCode, apikey: KEY });

const riverThreshold = (over: Record<string, unknown> = {}) => ({
  name: { vi: 'Sông Hàn vượt báo động 2', en: 'Han river above alarm level 2' },
  unitCode: '492',
  sector: 'environment',
  deviceType: 'river_level',
  condition: { kind: 'threshold', attr: 'level', op: '>=', raise: 2.0, clear: 1.8 },
  severity: 'major',
  severitySteps: [{ value: 2.5, severity: 'critical' }],
  reopenMinutes: 0,
  ...over,
});

interface Episode {
  subject: { key: string; deviceId: string | null; unitCode: string };
  raisedAt: string;
  clearedAt: string | null;
  firstValue: number | null;
  peakValue: number | null;
  count: number;
  severity: string;
  reopenCount: number;
  evidence: { ts: string; leaves: { deviceId: string; attr: string; value: number | null; holds: boolean; baseline?: { median: number; mad: number; days: number }; readings: { ts: string; value: number }[] }[] };
}
type Result = Omit<BacktestResult, 'episodes'> & { episodes: Episode[] };

const fields = (r: { json<T>(): T }) => (r.json<{ errors?: { field: string; reason: string }[] }>().errors ?? []).map((e) => `${e.field} ${e.reason}`);

describe('docs/rules.md', () => {
  it('has only valid rule examples (every ```json block with a condition)', () => {
    const text = readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8');
    const blocks = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes('"condition"'));
    assert.ok(blocks.length >= 7, `one example per kind and a composite (${blocks.length})`);
    const kinds = new Set<string>();
    for (const b of blocks) {
      const input = JSON.parse(b) as { condition: { kind: string; conditions?: { kind: string }[] } };
      const v = validateRule(input);
      assert.ok(v.ok, `${b.slice(0, 120)}…: ${JSON.stringify(v.ok ? [] : v.errors)}`);
      kinds.add(input.condition.kind);
      for (const c of input.condition.conditions ?? []) kinds.add(c.kind);
    }
    assert.deepEqual([...kinds].sort(), ['absence', 'all', 'anomaly', 'duration', 'rate', 'threshold', 'window']);
  });
});

for (const backend of await backends()) {
  describe(`backtests on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let t: EarlyWarningTestApp;
    let admin: Send;
    let op: Send;

    const backtest = async (send: Send, rule: Record<string, unknown>, from: number, to: number): Promise<Result> => {
      const r = await send({ method: 'POST', url: '/api/v1/rules/backtest', payload: { rule, from: iso(from), to: iso(to) } });
      assert.equal(r.statusCode, 200, r.body);
      return r.json<Result>();
    };
    const every5 = (deviceId: string, attr: string, start: number, values: number[]): SeriesReading[] =>
      values.map((value, i) => ({ seriesId: t.seriesOf(deviceId, attr), ts: start + i * 5 * MIN, value }));

    before(async () => {
      database = await backend.open();
      t = await buildEarlyWarningApp(database, { clock: () => NOW });
      admin = (o) => t.inject(o);
      for (const d of [device('rl-hc-1', 'river_level', '20233'), device('rg-hc-1', 'rain_gauge', '20233'), device('rg-hc-2', 'rain_gauge', '20236'), device('rl-st-1', 'river_level', '20263')]) {
        const r = await admin({ method: 'POST', url: '/api/v1/devices', payload: d });
        assert.equal(r.statusCode, 201, r.body);
      }
      const fast = { ...device('fast-1', 'vibration', '20233'), sector: 'environment', attributes: [{ name: 'v', unit: 'g', min: 0, max: 100, periodS: 1 }] };
      assert.equal((await admin({ method: 'POST', url: '/api/v1/devices', payload: fast })).statusCode, 201);
      await createPerson(admin, 'bt.hc', '492', [{ role: 'oc_operator', unitCode: '492' }]);
      op = bearer(t.app, await tokenFor(t.app, 'bt.hc'));

      // Threshold: the Hải Châu river station, and a Sơn Trà one far above (outside the rule's unit).
      await t.seed(every5('rl-hc-1', 'level', T_THRESHOLD, [1.5, 1.9, 2.1, 2.6, 1.9, 1.7, 1.9, 2.05, 1.5]));
      await t.seed(every5('rl-st-1', 'level', T_THRESHOLD, [3, 3, 3, 3, 3, 3, 3, 3, 3]));
      // Rainfall: 4 h dry, 12 × 6 mm in an hour (72 mm), then dry for 5 h.
      await t.seed(every5('rg-hc-1', 'rain', T_RAIN - 4 * HOUR, [...Array<number>(48).fill(0), ...Array<number>(12).fill(6), ...Array<number>(60).fill(0)]));
      // Absence: every 5 min for 2 h, silent for an hour, then 1 h more, then silent to the end.
      await t.seed(every5('rg-hc-2', 'rain', T_ABSENCE - 2 * HOUR, Array<number>(25).fill(0)));
      await t.seed(every5('rg-hc-2', 'rain', T_ABSENCE + HOUR, Array<number>(13).fill(0)));
      // Composite: an hour of heavy rain while the river rises 0.25 m every 5 min for 2 h.
      await t.seed(every5('rg-hc-1', 'rain', T_COMPOSITE - 4 * HOUR, [...Array<number>(48).fill(0), ...Array<number>(12).fill(6), ...Array<number>(60).fill(0)]));
      await t.seed(every5('rl-hc-1', 'level', T_COMPOSITE - 4 * HOUR, [...Array<number>(48).fill(1), ...Array.from({ length: 25 }, (_, i) => 1 + 0.25 * i), ...Array<number>(47).fill(7)]));
      // Anomaly: hourly readings for 10 days around 10 m, then one reading of 30 on the 11th day at 14:30 local.
      const sid = t.seriesOf('rl-hc-1', 'level');
      const history: SeriesReading[] = [];
      for (let d = 10; d >= 1; d--) for (let h = 0; h < 24; h++) history.push({ seriesId: sid, ts: D_ANOMALY - d * DAY + h * HOUR + 30 * MIN, value: 10 + ((d * 7 + h) % 5) * 0.2 });
      for (let h = 0; h < 24; h++) history.push({ seriesId: sid, ts: D_ANOMALY + h * HOUR + 30 * MIN, value: h === 14 ? 30 : 10 + (h % 5) * 0.2 });
      await t.seed(history);
    });
    after(async () => {
      await t?.close();
      await database?.close();
    });

    it('threshold with hysteresis: raises at 2.0, holds down to 1.8, clears below; severity steps; peak and count', async () => {
      const r = await backtest(admin, riverThreshold(), T_THRESHOLD - HOUR, T_THRESHOLD + 2 * HOUR);
      assert.deepEqual([r.subjects, r.series, r.readings, r.total, r.truncated], [1, 1, 9, 2, false], 'only the Hải Châu station is watched');
      const [e1, e2] = r.episodes;
      assert.deepEqual(
        { subject: e1!.subject.key, raisedAt: e1!.raisedAt, clearedAt: e1!.clearedAt, firstValue: e1!.firstValue, peakValue: e1!.peakValue, count: e1!.count, severity: e1!.severity },
        { subject: 'device:rl-hc-1', raisedAt: iso(T_THRESHOLD + 10 * MIN), clearedAt: iso(T_THRESHOLD + 25 * MIN), firstValue: 2.1, peakValue: 2.6, count: 3, severity: 'critical' },
        '1.9 after 2.6 still holds (above the clear level); 1.7 clears',
      );
      assert.deepEqual([e2!.raisedAt, e2!.clearedAt, e2!.peakValue, e2!.count, e2!.severity], [iso(T_THRESHOLD + 35 * MIN), iso(T_THRESHOLD + 40 * MIN), 2.05, 1, 'major']);
      const leaf = e1!.evidence.leaves[0]!;
      assert.deepEqual([leaf.deviceId, leaf.attr, leaf.value, leaf.holds], ['rl-hc-1', 'level', 2.1, true]);
      assert.deepEqual(leaf.readings, [1.5, 1.9, 2.1].map((value, i) => ({ ts: iso(T_THRESHOLD + i * 5 * MIN), value })));
    });

    it('reopens within reopenMinutes instead of raising a second alert', async () => {
      const r = await backtest(admin, riverThreshold({ reopenMinutes: 30 }), T_THRESHOLD - HOUR, T_THRESHOLD + 2 * HOUR);
      assert.equal(r.total, 1);
      assert.deepEqual([r.episodes[0]!.reopenCount, r.episodes[0]!.count, r.episodes[0]!.clearedAt], [1, 4, iso(T_THRESHOLD + 40 * MIN)]);
    });

    it('an episode raised before `from` is context only', async () => {
      const r = await backtest(admin, riverThreshold(), T_THRESHOLD + 20 * MIN, T_THRESHOLD + 2 * HOUR);
      assert.deepEqual(r.episodes.map((e) => e.raisedAt), [iso(T_THRESHOLD + 35 * MIN)]);
      assert.equal(r.evaluatedFrom, iso(T_THRESHOLD + 20 * MIN), 'a threshold looks back nothing');
    });

    it('3-hour rainfall sum: raises at 50 mm, clears under 30 mm as the burst leaves the window', async () => {
      const rule = { ...riverThreshold(), name: { vi: 'Mưa to 3 giờ', en: 'Heavy rain in 3 hours' }, deviceType: 'rain_gauge', severitySteps: undefined, condition: { kind: 'window', attr: 'rain', agg: 'sum', minutes: 180, op: '>=', raise: 50, clear: 30 } };
      const r = await backtest(admin, rule, T_RAIN - HOUR, T_RAIN + 5 * HOUR);
      assert.equal(r.evaluatedFrom, iso(T_RAIN - 4 * HOUR), 'from less the 3-hour window');
      assert.equal(r.total, 1);
      const e = r.episodes[0]!;
      assert.deepEqual(
        [e.subject.key, e.raisedAt, e.firstValue, e.peakValue, e.clearedAt, e.count],
        ['device:rg-hc-1', iso(T_RAIN + 40 * MIN), 54, 72, iso(T_RAIN + 215 * MIN), 35],
        '9 × 6 mm = 54 raises; 4 × 6 mm = 24 < 30 clears, 3 h 35 min after the burst began',
      );
    });

    it('absence: a device silent for more than 3 periods goes offline, and back at its next reading', async () => {
      const rule = { ...riverThreshold(), name: { vi: 'Trạm đo mưa mất kết nối', en: 'Rain gauge offline' }, deviceType: 'rain_gauge', devices: ['rg-hc-2'], severity: 'minor', severitySteps: undefined, condition: { kind: 'absence', factor: 3 } };
      const r = await backtest(admin, rule, T_ABSENCE - HOUR, T_ABSENCE + 3 * HOUR);
      assert.deepEqual(
        r.episodes.map((e) => [e.raisedAt, e.clearedAt, e.peakValue]),
        [
          [iso(T_ABSENCE + 16 * MIN), iso(T_ABSENCE + HOUR), 960],
          [iso(T_ABSENCE + 2 * HOUR + 16 * MIN), null, 960],
        ],
        'silent for 16 min (> 15) at the first minute check; back with the reading at +1 h; silent again until `to`',
      );
    });

    it('composite: heavy rain AND a rising river, over the whole district as one subject', async () => {
      const rule = {
        name: { vi: 'Mưa to 3 giờ và nước sông lên nhanh', en: 'Heavy 3-hour rain and a fast-rising river' },
        unitCode: '492',
        per: 'area',
        condition: {
          kind: 'all',
          conditions: [
            { kind: 'window', deviceType: 'rain_gauge', attr: 'rain', agg: 'sum', minutes: 180, op: '>=', raise: 25, clear: 15 },
            { kind: 'rate', deviceType: 'river_level', attr: 'level', change: 0.3, minutes: 60 },
          ],
        },
        severity: 'critical',
      };
      const r = await backtest(admin, rule, T_COMPOSITE - HOUR, T_COMPOSITE + 5 * HOUR);
      assert.equal(r.subjects, 1);
      assert.equal(r.total, 1, JSON.stringify(r.episodes.map((e) => [e.raisedAt, e.clearedAt])));
      const e = r.episodes[0]!;
      // Raised when both hold (rain 5 × 6 mm at +20 min; the river rose 0.5 m by +10 min); cleared when
      // the river's rise within the hour (the reading exactly 60 min old included) falls under 0.3 m:
      // at +175 min, 7 − 6.75 = 0.25.
      assert.deepEqual([e.subject.key, e.subject.deviceId, e.raisedAt, e.clearedAt, e.peakValue], ['area:492', null, iso(T_COMPOSITE + 20 * MIN), iso(T_COMPOSITE + 175 * MIN), 72]);
      assert.ok(e.count > 50, `held on every reading meanwhile (${e.count})`);
      assert.deepEqual(new Set(e.evidence.leaves.filter((l) => l.holds).map((l) => l.deviceId)), new Set(['rg-hc-1', 'rl-hc-1']));
    });

    it('anomaly: a value far from the same hour of the previous days, against a baseline of the hourly means', async () => {
      const rule = { ...riverThreshold(), severitySteps: undefined, condition: { kind: 'anomaly', attr: 'level', k: 5, minDays: 3, days: 7 } };
      const r = await backtest(admin, rule, D_ANOMALY, D_ANOMALY + DAY);
      assert.equal(r.total, 1, JSON.stringify(r.episodes.map((e) => [e.raisedAt, e.peakValue])));
      const e = r.episodes[0]!;
      assert.deepEqual([e.raisedAt, e.clearedAt], [iso(D_ANOMALY + 14 * HOUR + 30 * MIN), iso(D_ANOMALY + 15 * HOUR + 30 * MIN)]);
      const b = e.evidence.leaves[0]!.baseline!;
      assert.equal(b.days, 7);
      assert.ok(b.median >= 10 && b.median <= 10.8 && b.mad > 0, JSON.stringify(b));
      assert.ok(e.peakValue! > 20, `a robust z-score far above k (${e.peakValue})`);
      const early = await backtest(admin, { ...rule, condition: { kind: 'anomaly', attr: 'level', k: 5, minDays: 30 } }, D_ANOMALY, D_ANOMALY + DAY);
      assert.equal(early.total, 0, 'silent without minDays of history');
    });

    it('backtests a saved rule; disabled rules too', async () => {
      const saved = await admin({ method: 'POST', url: '/api/v1/rules', payload: riverThreshold({ id: 'bt-saved', enabled: false }) });
      assert.equal(saved.statusCode, 201, saved.body);
      const r = await admin({ method: 'POST', url: '/api/v1/rules/bt-saved/backtest', payload: { from: iso(T_THRESHOLD - HOUR), to: iso(T_THRESHOLD + 2 * HOUR) } });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual([r.json<Result>().rule.id, r.json<Result>().rule.version, r.json<Result>().total], ['bt-saved', 1, 2]);
      const bad = await admin({ method: 'POST', url: '/api/v1/rules/bt-saved/backtest', payload: { from: 'yesterday' } });
      assert.deepEqual([bad.statusCode, fields(bad)], [400, ['from bad_timestamp']]);
    });

    it('reads history in chunks without losing or repeating a reading at a chunk boundary', async () => {
      const rule = { ...riverThreshold(), unitCode: '48', deviceType: undefined, devices: ['rl-hc-1', 'rg-hc-1', 'rl-st-1'], condition: { kind: 'threshold', attr: 'level', op: '>=', raise: 2, clear: 1.8 } };
      const whole = await backtest(admin, rule, T_THRESHOLD - HOUR, T_THRESHOLD + 2 * HOUR);
      const limits = BACKTEST_LIMITS as { chunk: number };
      const saved = limits.chunk;
      try {
        limits.chunk = 4; // two series report at the same instants: boundaries fall inside instants
        const paged = await backtest(admin, rule, T_THRESHOLD - HOUR, T_THRESHOLD + 2 * HOUR);
        assert.deepEqual({ ...paged, elapsedMs: 0 }, { ...whole, elapsedMs: 0 });
        assert.equal(paged.readings, 18);
      } finally {
        limits.chunk = saved;
      }
    });

    describe('limits', () => {
      it('refuses a span over 31 days or an empty one, naming the field', async () => {
        const rule = riverThreshold();
        const long = await admin({ method: 'POST', url: '/api/v1/rules/backtest', payload: { rule, from: iso(NOW - 32 * DAY), to: iso(NOW) } });
        assert.deepEqual([long.statusCode, fields(long)], [400, ['to out_of_range']]);
        const empty = await admin({ method: 'POST', url: '/api/v1/rules/backtest', payload: { rule, from: iso(NOW), to: iso(NOW) } });
        assert.deepEqual([empty.statusCode, fields(empty)], [400, ['to out_of_range']]);
      });

      it('refuses a backtest that would read more than 2,000,000 readings, before reading them', async () => {
        const rule = { ...riverThreshold(), deviceType: undefined, devices: ['fast-1'], condition: { kind: 'threshold', attr: 'v', op: '>', raise: 5, clear: 4 } };
        const r = await admin({ method: 'POST', url: '/api/v1/rules/backtest', payload: { rule, from: iso(NOW - 30 * DAY), to: iso(NOW) } });
        assert.deepEqual([r.statusCode, fields(r)], [400, ['from too_many_readings']]);
        assert.match(r.json<{ message: string }>().message, /2,000,000/);
      });

      it('stops reading at the limit when the readings are more than the periods promise', async () => {
        const limits = BACKTEST_LIMITS as { maxReadings: number };
        const saved = limits.maxReadings;
        try {
          limits.maxReadings = 5;
          const r = await admin({ method: 'POST', url: '/api/v1/rules/backtest', payload: { rule: riverThreshold(), from: iso(T_THRESHOLD - 5 * MIN), to: iso(T_THRESHOLD + 5 * MIN) } });
          assert.equal(r.statusCode, 200, 'within the limit');
          const over = await admin({ method: 'POST', url: '/api/v1/rules/backtest', payload: { rule: riverThreshold(), from: iso(T_THRESHOLD - HOUR), to: iso(T_THRESHOLD + 2 * HOUR) } });
          assert.deepEqual([over.statusCode, fields(over)], [400, ['from too_many_readings']]);
        } finally {
          limits.maxReadings = saved;
        }
      });

      it('refuses a bad body, naming the field (the rule by the domain)', async () => {
        const cases: [unknown, string[]][] = [
          [{ from: iso(NOW - DAY) }, ['rule required']],
          [{ rule: riverThreshold(), extra: 1 }, ['extra unknown_field']],
          [{ rule: riverThreshold(), to: 5 }, ['to wrong_type']],
          [{ rule: { ...riverThreshold(), condition: { kind: 'window', attr: 'rain', agg: 'median', minutes: 180, op: '>=', raise: 50, clear: 30 } } }, ['condition/agg bad_value']],
          [[], [' wrong_type']],
        ];
        for (const [payload, want] of cases) {
          const r = await admin({ method: 'POST', url: '/api/v1/rules/backtest', payload: payload as Record<string, unknown> });
          assert.deepEqual([r.statusCode, fields(r)], [400, want], JSON.stringify(payload).slice(0, 100));
        }
      });

      it('runs at most two at once on a node: a third is 503', async () => {
        const rule: Rule = { id: 'x', version: 0, ...(validateRule(riverThreshold()) as { ok: true; value: Omit<Rule, 'id' | 'version'> }).value };
        const runs = [0, 1, 2].map(() => t.backtest.run(rule, { from: T_THRESHOLD - HOUR, to: T_THRESHOLD + HOUR }));
        const settled = await Promise.allSettled(runs);
        assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'fulfilled', 'rejected']);
        assert.equal(((settled[2] as PromiseRejectedResult).reason as { code: string }).code, 'IOC_ERR_UNAVAILABLE');
      });

      it('yields to the event loop while it works through many readings', async () => {
        const sid = t.seriesOf('fast-1', 'v');
        const start = NOW - 10 * DAY;
        await t.seed(Array.from({ length: 30_000 }, (_, i) => ({ seriesId: sid, ts: start + i * 1000, value: (i % 100) / 10 })));
        const rule = { ...riverThreshold(), deviceType: undefined, devices: ['fast-1'], condition: { kind: 'threshold', attr: 'v', op: '>', raise: 9.5, clear: 5 } };
        let ticks = 0;
        let last = performance.now();
        let longest = 0;
        const timer = setInterval(() => {
          const now = performance.now();
          longest = Math.max(longest, now - last);
          last = now;
          ticks++;
        }, 5);
        try {
          const r = await backtest(admin, rule, start, start + 9 * HOUR);
          assert.equal(r.readings, 30_000);
          assert.equal(r.total, 300, 'one episode per 100 s cycle');
        } finally {
          clearInterval(timer);
        }
        assert.ok(ticks > 3, `timers ran during the backtest (${ticks})`);
        assert.ok(longest < 2000, `the event loop was never held long (${Math.round(longest)} ms)`);
      });
    });

    it('is scoped: an operator backtests only rules for their own units, and each run is audited', async () => {
      const r = await op({ method: 'POST', url: '/api/v1/rules/backtest', payload: { rule: riverThreshold({ unitCode: '493' }), from: iso(T_THRESHOLD - HOUR), to: iso(T_THRESHOLD + HOUR) } });
      assert.equal(r.statusCode, 403, r.body);
      const mine = await backtest(op, riverThreshold({ unitCode: '20233' }), T_THRESHOLD - HOUR, T_THRESHOLD + 2 * HOUR);
      assert.equal(mine.total, 2);
      const audit = (await admin({ method: 'GET', url: '/api/v1/audit?action=rule.backtest&limit=1000' })).json<{ items: { actorName: string; unitCode: string; target: string; details: { episodes: number } }[] }>().items;
      assert.deepEqual([audit[0]!.actorName, audit[0]!.unitCode, audit[0]!.target, audit[0]!.details.episodes], ['bt.hc', '20233', 'rule:(unsaved)', 2]);
      // The service refuses a context without the permission, whatever the route.
      await assert.rejects(t.backtest.definition({ actor: { ...systemContext('48').actor, grants: [{ role: 'analyst', unitCode: '48', sector: null }] } }, riverThreshold(), {}), { code: 'IOC_ERR_FORBIDDEN' });
    });
  });
}
