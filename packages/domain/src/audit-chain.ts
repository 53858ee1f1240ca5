/**
 * The audit log's hash chain. Each entry stores the hash of the entry before it (`prevHash`) and
 * its own hash over that and its content, so an entry edited, removed or slipped in afterwards
 * breaks the chain at that point. Pure: the hash function (SHA-256, hex) is passed in.
 */

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** One audit entry's content: what is hashed. */
export interface AuditRecord {
  seq: number;
  /** ISO 8601, UTC, with milliseconds: `2026-11-25T03:04:05.678Z`. */
  at: string;
  actorId: string | null;
  actorName: string;
  onBehalfOfId: string | null;
  onBehalfOfName: string | null;
  action: string;
  outcome: AuditOutcome;
  unitCode: string | null;
  target: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
  correlationId: string | null;
}

/** An entry as stored: the content and its two links. */
export type AuditEntry = AuditRecord & { prevHash: string; hash: string };

/** SHA-256 of the UTF-8 text, as 64 lower-case hex digits. */
export type Sha256Hex = (text: string) => string;

/** The `prevHash` of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Deterministic JSON: object keys sorted (by UTF-16 code units), recursively, no whitespace. It
 * agrees with JSON.stringify on everything else, so that a value and the same value read back
 * from jsonb (which reorders keys) print alike: undefined, functions and symbols are left out of
 * objects and become null in arrays; non-finite numbers become null; `toJSON` (Date) is honoured;
 * numbers print as JSON.stringify prints them. A value JSON cannot hold at all (undefined at the
 * top, a bigint, a cycle) throws a TypeError.
 */
export function canonicalJson(value: unknown): string {
  const out = write(value, '', new Set());
  if (out === undefined) throw new TypeError('canonicalJson: undefined is not JSON');
  return out;
}

function write(value: unknown, key: string, seen: Set<object>): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (k: string) => unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: a bigint is not JSON');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError('canonicalJson: cyclic value');
  seen.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = `[${obj.map((v, i) => write(v, String(i), seen) ?? 'null').join(',')}]`;
  } else {
    // Boxed primitives (new String('x')) print as their primitive, like JSON.stringify.
    if (obj instanceof Number || obj instanceof String || obj instanceof Boolean) {
      seen.delete(obj);
      return write(obj.valueOf(), key, seen);
    }
    const parts: string[] = [];
    for (const k of Object.keys(obj).sort()) {
      const v = write((obj as Record<string, unknown>)[k], k, seen);
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${v}`);
    }
    out = `{${parts.join(',')}}`;
  }
  seen.delete(obj);
  return out;
}

/** The record's own fields, whatever else the object carries (an entry's links, a row's extras). */
const contentOf = (r: AuditRecord): AuditRecord => ({
  seq: r.seq,
  at: r.at,
  actorId: r.actorId,
  actorName: r.actorName,
  onBehalfOfId: r.onBehalfOfId,
  onBehalfOfName: r.onBehalfOfName,
  action: r.action,
  outcome: r.outcome,
  unitCode: r.unitCode,
  target: r.target,
  details: r.details,
  ip: r.ip,
  userAgent: r.userAgent,
  correlationId: r.correlationId,
});

/** An entry's hash: sha256Hex(prevHash + '\n' + canonicalJson(record)). */
export function entryHash(prevHash: string, record: AuditRecord, sha256Hex: Sha256Hex): string {
  return sha256Hex(`${prevHash}\n${canonicalJson(contentOf(record))}`);
}

export type ChainBreak = 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap';

export type VerifyResult =
  | { ok: true; checked: number }
  | { ok: false; checked: number; firstBroken: { seq: number; reason: ChainBreak } };

/**
 * Checks entries in ascending order: sequence numbers follow each other (1, 2, 3, …), each
 * `prevHash` is the previous entry's hash (GENESIS_HASH before entry 1), and each hash is the one
 * recomputed from the content. Stops at the first broken link. `start` is the entry just before
 * the first one given (to verify a long log batch by batch); without it the entries begin at 1.
 *
 * `checked` counts the entries found sound. For a `sequence_gap`, `firstBroken.seq` is the first
 * sequence number missing (or out of place); otherwise it is the seq of the entry at fault.
 */
export function verifyChain(entries: Iterable<AuditEntry>, sha256Hex: Sha256Hex, start?: { seq: number; hash: string }): VerifyResult {
  let expectedSeq = start ? start.seq + 1 : 1;
  let prevHash = start ? start.hash : GENESIS_HASH;
  let checked = 0;
  for (const e of entries) {
    if (e.seq !== expectedSeq) return { ok: false, checked, firstBroken: { seq: expectedSeq, reason: 'sequence_gap' } };
    if (e.prevHash !== prevHash) return { ok: false, checked, firstBroken: { seq: e.seq, reason: 'prev_hash_mismatch' } };
    let computed: string;
    try {
      computed = entryHash(e.prevHash, e, sha256Hex);
    } catch {
      computed = ''; // content that is not even JSON was not written by us
    }
    if (computed !== e.hash) return { ok: false, checked, firstBroken: { seq: e.seq, reason: 'hash_mismatch' } };
    checked++;
    expectedSeq++;
    prevHash = e.hash;
  }
  return { ok: true, checked };
}
