import { sql, type RawBuilder } from 'kysely';
import { GENESIS_HASH, entryHash, type AuditEntry, type AuditOutcome, type AuditRecord, type Sha256Hex } from '@haidang/domain';
import type { AuditFilter, AuditStore } from '../../services/audit.service.ts';
import type { Db } from './db.schema.ts';

/**
 * Arbitrary constant: the transaction-scoped advisory lock that serialises appends, so that
 * several IOC nodes on one database extend the one chain in turn (see migrate.ts for the other).
 */
const APPEND_LOCK_ID = 4_848_100;

/** An audit_log row as selected below (the table is typed here until db.schema.ts has it). */
interface AuditRow {
  /** bigint: a number, a bigint or a string depending on the driver's parser. */
  seq: number | bigint | string;
  at_ms: number;
  actor_id: string | null;
  actor_name: string;
  on_behalf_of_id: string | null;
  on_behalf_of_name: string | null;
  action: string;
  outcome: AuditOutcome;
  unit_code: string | null;
  target: string | null;
  /** jsonb: parsed by both drivers; a string only if a parser was turned off. */
  details: Record<string, unknown> | string;
  ip: string | null;
  user_agent: string | null;
  correlation_id: string | null;
  prev_hash: string;
  hash: string;
}

// `at` travels as epoch milliseconds both ways (float8: exact for whole milliseconds), as in
// reading.repository.ts: no driver parses or prints a Date on the way.
const COLUMNS = sql.raw(`seq, (extract(epoch FROM at) * 1000)::float8 AS at_ms, actor_id, actor_name, on_behalf_of_id,
  on_behalf_of_name, action, outcome, unit_code, target, details, ip, user_agent, correlation_id, prev_hash, hash`);
const msToTs = (ms: number) => sql`(timestamptz 'epoch' + ${ms}::float8 * interval '1 millisecond')`;

const toEntry = (r: AuditRow): AuditEntry => ({
  seq: Number(r.seq),
  at: new Date(r.at_ms).toISOString(),
  actorId: r.actor_id,
  actorName: r.actor_name,
  onBehalfOfId: r.on_behalf_of_id,
  onBehalfOfName: r.on_behalf_of_name,
  action: r.action,
  outcome: r.outcome,
  unitCode: r.unit_code,
  target: r.target,
  details: typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
  ip: r.ip,
  userAgent: r.user_agent,
  correlationId: r.correlation_id,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/**
 * The append-only audit log (migration 003). The table's triggers refuse UPDATE, DELETE and
 * TRUNCATE; this class only ever inserts and reads.
 */
export class AuditRepository implements AuditStore {
  constructor(private readonly db: Db) {}

  /**
   * Appends one entry in one transaction: take the append lock, read the last link, insert the
   * next. The lock is held until commit, and a later transaction reads (READ COMMITTED: a fresh
   * snapshot per statement) after taking it, so each append sees the one before. The input must
   * be storable as it is (AuditService normalises it): text and jsonb must read back unchanged,
   * or the hash computed here would not match the stored entry.
   */
  async append(input: Omit<AuditRecord, 'seq'>, sha256Hex: Sha256Hex): Promise<AuditEntry> {
    const atMs = Date.parse(input.at);
    if (!Number.isFinite(atMs)) throw new RangeError(`audit: invalid time '${input.at}'`);
    return this.db.transaction().execute(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(${APPEND_LOCK_ID})`.execute(tx);
      const { rows } = await sql<{ seq: number | bigint | string; hash: string }>`
        SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`.execute(tx);
      const last = rows[0];
      const prevHash = last ? last.hash : GENESIS_HASH;
      const record: AuditRecord = {
        seq: last ? Number(last.seq) + 1 : 1,
        // As it will read back: the canonical ISO form of the stored instant.
        at: new Date(atMs).toISOString(),
        actorId: input.actorId,
        actorName: input.actorName,
        onBehalfOfId: input.onBehalfOfId,
        onBehalfOfName: input.onBehalfOfName,
        action: input.action,
        outcome: input.outcome,
        unitCode: input.unitCode,
        target: input.target,
        details: input.details,
        ip: input.ip,
        userAgent: input.userAgent,
        correlationId: input.correlationId,
      };
      const hash = entryHash(prevHash, record, sha256Hex);
      await sql`
        INSERT INTO audit_log (seq, at, actor_id, actor_name, on_behalf_of_id, on_behalf_of_name, action, outcome,
                               unit_code, target, details, ip, user_agent, correlation_id, prev_hash, hash)
        VALUES (${record.seq}, ${msToTs(atMs)}, ${record.actorId}::uuid, ${record.actorName}, ${record.onBehalfOfId}::uuid,
                ${record.onBehalfOfName}, ${record.action}, ${record.outcome}, ${record.unitCode}, ${record.target},
                ${JSON.stringify(record.details)}::jsonb, ${record.ip}, ${record.userAgent}, ${record.correlationId},
                ${prevHash}, ${hash})`.execute(tx);
      return { ...record, prevHash, hash };
    });
  }

  /** Entries matching every given filter, newest first; `beforeSeq` pages back from there. */
  async query(f: AuditFilter): Promise<{ items: AuditEntry[] }> {
    const where: RawBuilder<unknown>[] = [];
    if (f.actorId !== undefined) where.push(sql`actor_id = ${f.actorId}::uuid`);
    if (f.unitCodes !== undefined) where.push(sql`unit_code = ANY(${f.unitCodes}::text[])`);
    if (f.action !== undefined) {
      if (f.action.endsWith('.*')) {
        // The prefix up to and with the dot; `_` (allowed in action names) is a LIKE wildcard.
        const prefix = f.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`);
        where.push(sql`action LIKE ${`${prefix}%`}`);
      } else where.push(sql`action = ${f.action}`);
    }
    if (f.from !== undefined) where.push(sql`at >= ${msToTs(f.from)}`);
    if (f.to !== undefined) where.push(sql`at < ${msToTs(f.to)}`);
    if (f.beforeSeq !== undefined) where.push(sql`seq < ${f.beforeSeq}`);
    const cond = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
    const { rows } = await sql<AuditRow>`
      SELECT ${COLUMNS} FROM audit_log ${cond} ORDER BY audit_log.seq DESC LIMIT ${f.limit}`.execute(this.db);
    return { items: rows.map(toEntry) };
  }

  /** Up to `batch` entries from `fromSeq` on, in ascending order (verification, export). */
  async scan(fromSeq: number, batch: number): Promise<AuditEntry[]> {
    const { rows } = await sql<AuditRow>`
      SELECT ${COLUMNS} FROM audit_log WHERE seq >= ${fromSeq} ORDER BY audit_log.seq LIMIT ${batch}`.execute(this.db);
    return rows.map(toEntry);
  }
}
