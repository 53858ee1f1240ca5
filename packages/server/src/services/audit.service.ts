import { Buffer } from 'node:buffer';
import { type FieldError, IocError, fieldError } from '@haidang/domain';
import { verifyChain, type AuditEntry, type AuditOutcome, type AuditRecord, type Sha256Hex, type VerifyResult } from '@haidang/domain';
import type { AuditInput, Auditor, Clock } from './ports.ts';

/*
 * The audit log: who did what, when, on whose behalf, in which unit, with what outcome.
 *
 * What protects it:
 * - The table is append-only: triggers refuse UPDATE, DELETE and TRUNCATE (migration 003), so a
 *   bug or a careless statement cannot rewrite history. The table's owner (today the role the IOC
 *   itself connects and migrates with) or a superuser can still disable them.
 * - Each entry hashes the one before it (domain/audit-chain.ts), and verify() walks the chain. It
 *   detects entries edited, deleted or inserted by someone who went around the triggers (a DBA
 *   disabling them, a doctored backup restored, edits to the data files): the first broken link
 *   is reported with its seq.
 *
 * What it does not protect against:
 * - Someone with write access who rewrites the whole chain from the altered entry on (recomputing
 *   every later hash): the chain is then valid again. Likewise, removing the newest entries
 *   (truncating the tail) leaves a valid, shorter chain. Only a copy of a recent head hash kept
 *   out of that person's reach closes the gap: an external anchor (exporting the head `seq` and
 *   `hash` periodically to another system, a signed e-mail, a public ledger, paper) that verify()
 *   compares against. That anchor is not built.
 * - It does not make the log confidential, nor prove that what the application recorded was true.
 *
 * Appends serialise on one advisory lock per database (several IOC nodes extend one chain), so
 * their throughput is bounded by one short transaction at a time: fine for human and admin actions,
 * not meant for per-reading events.
 */

/** The one store port of the audit log (AuditRepository implements it over audit_log). */
export interface AuditStore {
  /** Appends the next entry (seq and hashes assigned in one transaction); returns it as stored. */
  append(input: Omit<AuditRecord, 'seq'>, sha256Hex: Sha256Hex): Promise<AuditEntry>;
  /** Matching entries, newest first. */
  query(filter: AuditFilter): Promise<{ items: AuditEntry[] }>;
  /** Up to `batch` entries from `fromSeq` on, ascending. */
  scan(fromSeq: number, batch: number): Promise<AuditEntry[]>;
}

export interface AuditFilter {
  actorId?: string;
  /** Entries of any of these units. */
  unitCodes?: string[];
  /** An action (`auth.login`) or a prefix ending with `.*` (`auth.*`). */
  action?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  limit: number;
  /** Entries before this seq (the last seq of the previous page). */
  beforeSeq?: number;
}

// AuditInput (what services record: actor, onBehalfOf, action, outcome, unitCode, target, details,
// ip, userAgent, correlationId) is declared with the Auditor port in ports.ts.
export type { AuditEntry, AuditInput, VerifyResult };

export const AUDIT_ACTION = /^[a-z][a-z_]*(\.[a-z_]+)+$/;
const ACTION_PREFIX = /^[a-z][a-z_]*(\.[a-z_]+)*\.\*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'denied'];

/** Bounds of the stored text (characters) and of the details (bytes of UTF-8 JSON). */
export const AUDIT_LIMITS = {
  actorName: 200,
  onBehalfOfName: 200,
  target: 300,
  userAgent: 300,
  ip: 64,
  unitCode: 64,
  correlationId: 128,
  detailsBytes: 16 * 1024,
  /** Deeper values in details are replaced by a marker. */
  detailsDepth: 32,
} as const;

const VERIFY_BATCH = 10_000;
const MAX_QUERY_LIMIT = 1000;

/**
 * Text as PostgreSQL stores and returns it unchanged: NUL (refused by text and jsonb) and lone
 * UTF-16 surrogates (turned into U+FFFD on the way to UTF-8, which would change the hashed text)
 * become U+FFFD here, before hashing.
 */
function storable(s: string): string {
  return s.replace(/\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** At most `max` UTF-16 units, without splitting a surrogate pair; marked with … when cut. */
function bounded(s: string, max: number): string {
  const clean = storable(s);
  if (clean.length <= max) return clean;
  let end = max - 1;
  const last = clean.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${clean.slice(0, end)}…`;
}

const optional = (s: string | undefined | null, max: number): string | null =>
  typeof s === 'string' && s !== '' ? bounded(s, max) : null;

/**
 * Details as jsonb will give them back: plain objects, arrays, finite numbers, booleans, null and
 * storable strings (keys too). Whatever JSON.stringify would drop is dropped; bigints become
 * strings, cycles and deep nesting markers. Never throws.
 */
function plainJson(value: unknown, depth: number, seen: Set<object>): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return storable(value);
    case 'number':
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Number || obj instanceof String || obj instanceof Boolean) return plainJson(obj.valueOf(), depth, seen);
  if (seen.has(obj)) return '[cycle]';
  if (depth >= AUDIT_LIMITS.detailsDepth) return '[too deep]';
  seen.add(obj);
  let out: unknown;
  if (Array.isArray(obj)) out = obj.map((v) => plainJson(v, depth + 1, seen) ?? null);
  else {
    const entries: [string, unknown][] = [];
    for (const k of Object.keys(obj)) {
      const v = plainJson((obj as Record<string, unknown>)[k], depth + 1, seen);
      if (v !== undefined) entries.push([storable(k), v]);
    }
    out = Object.fromEntries(entries); // an own "__proto__" key stays data
  }
  seen.delete(obj);
  return out;
}

function storableDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (details === undefined || details === null) return {};
  let plain: unknown;
  try {
    plain = plainJson(details, 0, new Set());
  } catch {
    return { unserializable: true }; // a getter that throws, a proxy, …
  }
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return { value: plain ?? null };
  const size = Buffer.byteLength(JSON.stringify(plain), 'utf8');
  return size > AUDIT_LIMITS.detailsBytes ? { truncated: true, size } : (plain as Record<string, unknown>);
}

/** A user id as PostgreSQL prints a uuid (lower case), so that it reads back as hashed. */
function userId(id: string | null | undefined, field: string): string | null {
  if (id === null || id === undefined) return null;
  if (!UUID.test(id)) throw new TypeError(`audit: ${field} is not a uuid: ${JSON.stringify(id.slice(0, 64))}`);
  return id.toLowerCase();
}

import type { AccessPolicy } from './access-policy.ts';
import type { RequestContext } from './request-context.ts';

export class AuditService implements Auditor {
  constructor(
    private readonly store: AuditStore,
    private readonly clock: Clock,
    private readonly sha256Hex: Sha256Hex,
  ) {}

  /**
   * Appends an entry. Request-borne text (names typed at a login, user agents, targets, details)
   * is made storable and bounded, never refused; a malformed action name, outcome or user id is a
   * programming error and throws a TypeError.
   */
  async record(input: AuditInput): Promise<void> {
    if (typeof input.action !== 'string' || !AUDIT_ACTION.test(input.action)) {
      throw new TypeError(`audit: action must be dotted lower case (e.g. auth.login): ${JSON.stringify(String(input.action).slice(0, 64))}`);
    }
    const outcome = input.outcome ?? 'success';
    if (!OUTCOMES.includes(outcome)) throw new TypeError(`audit: unknown outcome ${JSON.stringify(outcome)}`);
    await this.store.append(
      {
        at: new Date(this.clock()).toISOString(),
        actorId: userId(input.actor.id, 'actor.id'),
        actorName: bounded(String(input.actor.name ?? ''), AUDIT_LIMITS.actorName),
        onBehalfOfId: input.onBehalfOf ? userId(input.onBehalfOf.id, 'onBehalfOf.id') : null,
        onBehalfOfName: input.onBehalfOf ? bounded(String(input.onBehalfOf.name ?? ''), AUDIT_LIMITS.onBehalfOfName) : null,
        action: input.action,
        outcome,
        unitCode: optional(input.unitCode, AUDIT_LIMITS.unitCode),
        target: optional(input.target, AUDIT_LIMITS.target),
        details: storableDetails(input.details),
        ip: optional(input.ip, AUDIT_LIMITS.ip),
        userAgent: optional(input.userAgent, AUDIT_LIMITS.userAgent),
        correlationId: optional(input.correlationId, AUDIT_LIMITS.correlationId),
      },
      this.sha256Hex,
    );
  }

  /** Entries matching the filter, newest first (limit 1…1000). Bad filters: IOC_ERR_VALIDATION. */
  async query(filter: AuditFilter): Promise<{ items: AuditEntry[] }> {
    const errors: FieldError[] = [];
    if (filter.action !== undefined && !AUDIT_ACTION.test(filter.action) && !ACTION_PREFIX.test(filter.action)) {
      errors.push(fieldError('action', 'invalid', 'an action (auth.login) or a prefix ending with .* (auth.*)'));
    }
    if (filter.actorId !== undefined && !UUID.test(filter.actorId)) errors.push(fieldError('actorId', 'invalid', 'a user id (uuid)'));
    for (const k of ['from', 'to', 'beforeSeq'] as const) {
      const v = filter[k];
      if (v !== undefined && !Number.isFinite(v)) errors.push(fieldError(k, 'invalid', 'a finite number'));
    }
    if (errors.length) throw new IocError('IOC_ERR_VALIDATION', undefined, errors);
    const limit = Math.min(Math.max(Math.trunc(filter.limit) || 1, 1), MAX_QUERY_LIMIT);
    return this.store.query({ ...filter, limit, ...(filter.actorId !== undefined ? { actorId: filter.actorId.toLowerCase() } : {}) });
  }

  /**
   * The entries an actor may read: those of units in their audit.read scope (entries without a
   * unit — start-up tasks, logins with unknown usernames — only for a city-wide scope).
   */
  async queryFor(ctx: RequestContext, access: AccessPolicy, filter: AuditFilter & { unit?: string }): Promise<{ items: AuditEntry[] }> {
    const { unit, ...rest } = filter;
    const unitCodes = await access.unitCodes(ctx, 'audit.read', unit);
    if (unitCodes && unitCodes.length === 0) return { items: [] };
    return this.query({ ...rest, ...(unitCodes ? { unitCodes } : {}) });
  }

  /**
   * Walks the whole log in batches of 10,000 (bounded memory at any length), carrying the last
   * link across batches, and reports the first broken link. See the note at the top of this file
   * for what a valid chain does and does not prove.
   */
  async verify(): Promise<VerifyResult> {
    let start: { seq: number; hash: string } | undefined;
    let checked = 0;
    for (;;) {
      const batch = await this.store.scan(start ? start.seq + 1 : 1, VERIFY_BATCH);
      const r = verifyChain(batch, this.sha256Hex, start);
      checked += r.checked;
      if (!r.ok) return { ok: false, checked, firstBroken: r.firstBroken };
      const last = batch.at(-1);
      if (!last || batch.length < VERIFY_BATCH) return { ok: true, checked };
      start = { seq: last.seq, hash: last.hash };
    }
  }
}
