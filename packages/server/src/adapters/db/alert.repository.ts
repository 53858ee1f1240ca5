import { type AlertEventKind, IocError, SEVERITIES, type Severity, type UnitCondition } from '@haidang/domain';
import { type Selectable, sql, type Transaction } from 'kysely';
import type { ActiveAlertCount, AlertChange, AlertEventRecord, AlertFilter, AlertRecord, AlertStore, RaiseInput, RepeatInput } from '../../services/ports.ts';
import type { AlertEventsTable, AlertsTable, Db, Schema } from './db.schema.ts';
import { scopeWhere } from './scope-sql.ts';

const ms = (d: Date | null): number | null => (d ? d.getTime() : null);
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toAlert(r: Selectable<AlertsTable>): AlertRecord {
  return {
    id: String(r.id),
    ruleId: r.rule_id,
    ruleVersion: r.rule_version,
    subject: r.subject,
    deviceId: r.device_id,
    unitCode: r.unit_code,
    sector: r.sector as AlertRecord['sector'],
    ownerUnit: r.owner_unit,
    state: r.state,
    severity: r.severity as Severity,
    title: { vi: r.title_vi, en: r.title_en },
    openedAt: r.opened_at.getTime(),
    firstTs: r.first_ts.getTime(),
    lastTs: r.last_ts.getTime(),
    count: r.count,
    firstValue: num(r.first_value),
    lastValue: num(r.last_value),
    peakValue: num(r.peak_value),
    ackedAt: ms(r.acked_at),
    ackedBy: r.acked_by,
    assignee: r.assignee,
    escalatedAt: ms(r.escalated_at),
    escalatedTo: r.escalated_to,
    resolvedAt: ms(r.resolved_at),
    closedAt: ms(r.closed_at),
    closedBy: r.closed_by,
    clearedTs: ms(r.cleared_ts),
    reopenCount: r.reopen_count,
    evidence: r.evidence as AlertRecord['evidence'],
    updatedAt: r.updated_at.getTime(),
  };
}

function toEvent(r: Selectable<AlertEventsTable>): AlertEventRecord {
  return {
    id: String(r.id),
    alertId: String(r.alert_id),
    at: r.at.getTime(),
    kind: r.kind as AlertEventKind,
    actorId: r.actor_id,
    actor: r.actor,
    data: (r.data ?? {}) as Record<string, unknown>,
  };
}

type Tx = Transaction<Schema>;

/** Rows as `to_jsonb` gives them (the transition functions of migration 005): instants as ISO text. */
interface JsonChange {
  alert: Record<string, unknown>;
  events: Record<string, unknown>[];
}

const ALERT_INSTANTS = ['opened_at', 'first_ts', 'last_ts', 'acked_at', 'escalated_at', 'resolved_at', 'closed_at', 'cleared_ts', 'updated_at'];

const withDates = <T>(row: Record<string, unknown>, keys: readonly string[]): T => {
  const out = { ...row };
  for (const k of keys) if (typeof out[k] === 'string') out[k] = new Date(out[k]);
  return out as T;
};

const changeFromJson = (c: JsonChange): AlertChange => ({
  alert: toAlert(withDates(c.alert, ALERT_INSTANTS)),
  events: c.events.map((e) => toEvent(withDates(e, ['at']))),
});

/**
 * The rule engine's writes commit without waiting for the disk flush (PostgreSQL
 * synchronous_commit = off, this transaction only): an alert write lost in a crash is recovered
 * at the next start by replaying the readings, which are durable (see AlertEngine), so the flush
 * would only add latency. Operator actions keep the default, durable commit.
 */
const engineCommit = (tx: Tx) => sql`SET LOCAL synchronous_commit = off`.execute(tx);

async function addEvent(tx: Tx, alertId: string, kind: AlertEventKind, at: number, data: Record<string, unknown>, actor?: { id: string | null; name: string }): Promise<AlertEventRecord> {
  const row = await tx
    .insertInto('alert_events')
    .values({ alert_id: alertId, at: new Date(at), kind, actor_id: actor?.id ?? null, actor: actor?.name ?? null, data: JSON.stringify(data) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEvent(row);
}

const SEVERITY_ORDER = [...SEVERITIES];

/**
 * Counts repeats on the active alerts of these subjects, in one statement: count, last instant and
 * value, peak, and severity when it rose (a `severity` event). Subjects without an active alert are
 * left out of the answer.
 */
async function repeatRows(tx: Tx, inputs: readonly RepeatInput[], now: number): Promise<AlertChange[]> {
  const col = <T>(f: (i: RepeatInput) => T) => inputs.map(f);
  // One statement for every subject that kept firing in a batch. `old` reads the rows as they
  // were when the statement began (the severity before), so raised severities become events.
  const { rows } = await sql<Selectable<AlertsTable> & { old_severity: string }>`
    WITH v AS (
      SELECT * FROM unnest(${col((i) => i.ruleId)}::text[], ${col((i) => i.subject)}::text[], ${col((i) => i.count)}::int[],
                           ${col((i) => i.ts)}::float8[], ${col((i) => i.value)}::float8[], ${col((i) => i.peak)}::float8[],
                           ${col((i) => i.upward)}::bool[], ${col((i) => i.severity)}::text[])
        AS t(rule_id, subject, n, ms, value, peak, upward, severity)
    ), old AS (
      SELECT a.id, a.severity FROM alerts a JOIN v ON a.rule_id = v.rule_id AND a.subject = v.subject
      WHERE a.state IN ('open', 'acknowledged')
    )
    UPDATE alerts a SET
      count = a.count + v.n,
      last_ts = greatest(a.last_ts, timestamptz 'epoch' + v.ms * interval '1 millisecond'),
      last_value = v.value,
      peak_value = CASE WHEN v.peak IS NULL THEN a.peak_value
                        WHEN v.upward THEN greatest(coalesce(a.peak_value, v.peak), v.peak)
                        ELSE least(coalesce(a.peak_value, v.peak), v.peak) END,
      severity = CASE WHEN array_position(${SEVERITY_ORDER}::text[], v.severity) > array_position(${SEVERITY_ORDER}::text[], a.severity)
                      THEN v.severity ELSE a.severity END,
      updated_at = ${new Date(now)}
    FROM v, old
    WHERE a.rule_id = v.rule_id AND a.subject = v.subject AND a.state IN ('open', 'acknowledged') AND old.id = a.id
    RETURNING a.*, old.severity AS old_severity`.execute(tx);
  const out: AlertChange[] = [];
  for (const row of rows) {
    const events = row.severity !== row.old_severity ? [await addEvent(tx, row.id, 'severity', now, { from: row.old_severity, to: row.severity, ts: row.last_ts.getTime(), value: row.last_value })] : [];
    out.push({ alert: toAlert(row), events });
  }
  return out;
}

export class AlertRepository implements AlertStore {
  constructor(private readonly db: Db) {}

  /** One statement: repeat, reopen or new alert (migration 005, `ioc_raise_alert`, says how). */
  async raise(i: RaiseInput, now: number): Promise<AlertChange> {
    const p = {
      ruleId: i.ruleId,
      ruleVersion: i.ruleVersion,
      subject: i.subject,
      deviceId: i.deviceId,
      unitCode: i.unitCode,
      sector: i.sector,
      ownerUnit: i.ownerUnit,
      severity: i.severity,
      titleVi: i.title.vi,
      titleEn: i.title.en,
      now: new Date(now).toISOString(),
      ts: new Date(i.ts).toISOString(),
      tsMs: i.ts,
      value: i.value,
      upward: i.upward,
      evidence: i.evidence,
      reopenMs: i.reopenMs,
      severities: SEVERITIES,
    };
    const { rows } = await sql<{ r: JsonChange }>`SELECT ioc_raise_alert(${JSON.stringify(p)}::jsonb) AS r`.execute(this.db);
    return changeFromJson(rows[0]!.r);
  }

  async repeatMany(inputs: readonly RepeatInput[], now: number): Promise<AlertChange[]> {
    if (inputs.length === 0) return [];
    return this.db.transaction().execute(async (tx) => {
      await engineCommit(tx);
      return repeatRows(tx, inputs, now);
    });
  }

  /** One statement (migration 005, `ioc_clear_alert`); undefined when no alert awaits the clear. */
  async clear(ruleId: string, subject: string, ts: number, value: number | null, now: number): Promise<AlertChange | undefined> {
    const p = { ruleId, subject, now: new Date(now).toISOString(), ts: new Date(ts).toISOString(), tsMs: ts, value };
    const { rows } = await sql<{ r: JsonChange | null }>`SELECT ioc_clear_alert(${JSON.stringify(p)}::jsonb) AS r`.execute(this.db);
    const r = rows[0]!.r;
    return r ? changeFromJson(r) : undefined;
  }

  async episodes(ruleId: string): Promise<Map<string, { holding: boolean; watermark: number }>> {
    const rows = await this.db
      .selectFrom('alerts')
      .select(['subject', 'cleared_ts', 'last_ts'])
      .distinctOn('subject')
      .where('rule_id', '=', ruleId)
      .orderBy('subject')
      .orderBy('id', 'desc')
      .execute();
    return new Map(rows.map((r) => [r.subject, { holding: r.cleared_ts === null, watermark: Math.max(r.last_ts.getTime(), r.cleared_ts?.getTime() ?? 0) }]));
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAlert(row) : undefined;
  }

  async list(f: AlertFilter): Promise<{ items: AlertRecord[]; total: number }> {
    let q = this.db.selectFrom('alerts');
    if (f.scopes) {
      const scopes = f.scopes;
      q = q.where((eb) => scopeWhere(eb, scopes, { unit: 'unit_code', sector: 'sector' }));
    }
    if (f.unitCodes) q = q.where('unit_code', '=', sql<string>`ANY(${[...f.unitCodes]}::text[])`);
    if (f.sector) q = q.where('sector', '=', f.sector);
    if (f.states) q = q.where('state', 'in', [...f.states]);
    if (f.severities) q = q.where('severity', 'in', [...f.severities]);
    if (f.ruleId) q = q.where('rule_id', '=', f.ruleId);
    if (f.deviceId) q = q.where('device_id', '=', f.deviceId);
    if (f.escalated !== undefined) q = q.where('escalated_at', f.escalated ? 'is not' : 'is', null);
    if (f.from !== undefined) q = q.where('opened_at', '>=', new Date(f.from));
    if (f.to !== undefined) q = q.where('opened_at', '<', new Date(f.to));
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('opened_at', 'desc').orderBy('id', 'desc').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toAlert), total: Number(count.n) };
  }

  async timeline(alertId: string): Promise<AlertEventRecord[]> {
    const rows = await this.db.selectFrom('alert_events').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
    return rows.map(toEvent);
  }

  async eventsSince(afterId: string, limit: number): Promise<{ event: AlertEventRecord; alert: AlertRecord }[]> {
    const events = await this.db.selectFrom('alert_events').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
    if (events.length === 0) return [];
    const ids = [...new Set(events.map((e) => String(e.alert_id)))];
    const alerts = await this.db.selectFrom('alerts').selectAll().where('id', '=', sql<string>`ANY(${ids}::bigint[])`).execute();
    const byId = new Map(alerts.map((a) => [String(a.id), toAlert(a)]));
    return events.map((e) => ({ event: toEvent(e), alert: byId.get(String(e.alert_id))! }));
  }

  async act(
    id: string,
    kind: 'acknowledged' | 'assigned' | 'commented' | 'closed',
    actor: { id: string; name: string },
    data: { note?: string; assignee?: string | null },
    now: number,
    check: (current: AlertRecord) => void,
  ): Promise<AlertChange> {
    return this.db.transaction().execute(async (tx) => {
      const current = await tx.selectFrom('alerts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!current) throw new IocError('IOC_ERR_NOT_FOUND', `alert ${id} not found`);
      check(toAlert(current));
      const at = new Date(now);
      const set =
        kind === 'acknowledged'
          ? { state: 'acknowledged' as const, acked_at: at, acked_by: actor.name }
          : kind === 'assigned'
            ? { assignee: data.assignee ?? null }
            : kind === 'closed'
              ? { state: 'closed' as const, closed_at: at, closed_by: actor.name }
              : {};
      const row = await tx.updateTable('alerts').set({ ...set, updated_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      const ev = await addEvent(tx, id, kind, now, { ...(data.note !== undefined && { note: data.note }), ...(kind === 'assigned' && { assignee: data.assignee ?? null }) }, actor);
      return { alert: toAlert(row), events: [ev] };
    });
  }

  async escalate(id: string, from: string | null, to: string, now: number): Promise<AlertChange | undefined> {
    return this.db.transaction().execute(async (tx) => {
      let q = tx.updateTable('alerts').set({ escalated_at: new Date(now), escalated_to: to, updated_at: new Date(now) }).where('id', '=', id).where('state', '=', 'open');
      q = from === null ? q.where('escalated_to', 'is', null) : q.where('escalated_to', '=', from);
      const row = await q.returningAll().executeTakeFirst();
      if (!row) return undefined;
      const ev = await addEvent(tx, id, 'escalated', now, { from: from ?? row.owner_unit, to });
      return { alert: toAlert(row), events: [ev] };
    });
  }

  async unacknowledged(): Promise<AlertRecord[]> {
    const rows = await this.db.selectFrom('alerts').selectAll().where('state', '=', 'open').orderBy('id').limit(10_000).execute();
    return rows.map(toAlert);
  }

  async activeCounts(scopes?: readonly UnitCondition[]): Promise<ActiveAlertCount[]> {
    let q = this.db.selectFrom('alerts').where('state', 'in', ['open', 'acknowledged']);
    if (scopes) q = q.where((eb) => scopeWhere(eb, scopes, { unit: 'unit_code', sector: 'sector' }));
    const rows = await q
      .select((eb) => ['device_id', 'unit_code', 'severity', eb.fn.countAll<string | number>().as('n'), eb.fn.count<string | number>('escalated_at').as('escalated')])
      .groupBy(['device_id', 'unit_code', 'severity'])
      .execute();
    return rows.map((r) => ({ deviceId: r.device_id, unitCode: r.unit_code, severity: r.severity as Severity, count: Number(r.n), escalated: Number(r.escalated) }));
  }
}
