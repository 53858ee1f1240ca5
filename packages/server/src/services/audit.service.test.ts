import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { IocError } from '@haidang/domain';
import { GENESIS_HASH, entryHash, type AuditEntry, type AuditRecord, type Sha256Hex } from '@haidang/domain';
import { AUDIT_LIMITS, AuditService, type AuditFilter, type AuditStore } from './audit.service.ts';

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const T0 = Date.UTC(2026, 10, 25, 1, 2, 3, 456);
const USER = '0b6b2c1e-4a8f-4a62-9d3e-6a1c2f1e9b01';

/**
 * An in-memory store that behaves like the table where it matters: entries are chained as the
 * repository does, and details come back through JSON, as from jsonb.
 */
class MemoryStore implements AuditStore {
  entries: AuditEntry[] = [];
  scans: [number, number][] = [];
  queries: AuditFilter[] = [];
  async append(input: Omit<AuditRecord, 'seq'>, sha: Sha256Hex): Promise<AuditEntry> {
    const last = this.entries.at(-1);
    const prevHash = last?.hash ?? GENESIS_HASH;
    const record: AuditRecord = { ...input, seq: (last?.seq ?? 0) + 1, details: JSON.parse(JSON.stringify(input.details)) };
    const entry = { ...record, prevHash, hash: entryHash(prevHash, record, sha) };
    this.entries.push(entry);
    return entry;
  }
  async query(filter: AuditFilter) {
    this.queries.push(filter);
    return { items: [...this.entries].reverse().slice(0, filter.limit) };
  }
  async scan(fromSeq: number, batch: number) {
    this.scans.push([fromSeq, batch]);
    return this.entries.filter((e) => e.seq >= fromSeq).slice(0, batch);
  }
}

function setup() {
  const store = new MemoryStore();
  let now = T0;
  const service = new AuditService(store, () => now++, sha256Hex);
  return { store, service };
}

describe('AuditService.record', () => {
  it('records an entry with defaults: success, nulls, the clock time as ISO with ms', async () => {
    const { store, service } = setup();
    await service.record({ actor: { id: USER.toUpperCase(), name: 'Trần Thị Bích' }, action: 'auth.login' });
    const [e] = store.entries;
    assert.deepEqual({ ...e, hash: undefined }, {
      seq: 1,
      at: '2026-11-25T01:02:03.456Z',
      actorId: USER, // lower case, as PostgreSQL prints a uuid
      actorName: 'Trần Thị Bích',
      onBehalfOfId: null,
      onBehalfOfName: null,
      action: 'auth.login',
      outcome: 'success',
      unitCode: null,
      target: null,
      details: {},
      ip: null,
      userAgent: null,
      correlationId: null,
      prevHash: GENESIS_HASH,
      hash: undefined,
    });
  });

  it('keeps every given field', async () => {
    const { store, service } = setup();
    const grantor = '5f0c2f9a-1111-4c22-8d33-0123456789ab';
    await service.record({
      actor: { id: USER, name: 'an' },
      onBehalfOf: { id: grantor, name: 'Giám đốc' },
      action: 'device.create',
      outcome: 'denied',
      unitCode: '20233',
      target: 'device:rg-1',
      details: { z: 1, a: { y: [1, 2], x: 'ừ' } },
      ip: '203.0.113.7',
      userAgent: 'curl/8',
      correlationId: 'req-1',
    });
    const e = store.entries[0]!;
    assert.equal(e.onBehalfOfId, grantor);
    assert.equal(e.onBehalfOfName, 'Giám đốc');
    assert.equal(e.outcome, 'denied');
    assert.deepEqual(e.details, { z: 1, a: { y: [1, 2], x: 'ừ' } });
    assert.equal(e.correlationId, 'req-1');
  });

  it('throws on a malformed action name, a programming error, and stores nothing', async () => {
    const { store, service } = setup();
    for (const action of ['login', 'Auth.login', 'auth.', 'auth..login', '.auth', 'auth.log-in', 'auth.login ', 'auth.*', '1auth.x', '']) {
      await assert.rejects(service.record({ actor: { id: null, name: 'x' }, action }), TypeError, action);
    }
    await assert.rejects(service.record({ actor: { id: 'not-a-uuid', name: 'x' }, action: 'auth.login' }), TypeError);
    await assert.rejects(service.record({ actor: { id: null, name: 'x' }, action: 'auth.login', outcome: 'maybe' as 'success' }), TypeError);
    assert.equal(store.entries.length, 0);
    for (const action of ['auth.login', 'device.token_rotate', 'org_unit.retire', 'a.b.c']) {
      await service.record({ actor: { id: null, name: 'x' }, action });
    }
    assert.equal(store.entries.length, 4);
  });

  it('bounds request-borne text and never throws on it', async () => {
    const { store, service } = setup();
    const hostileUa = `<script>alert(1)</script>\r\n\u001b[31m${'🚦'.repeat(400)}`;
    await service.record({
      actor: { id: null, name: 'ư'.repeat(1000) },
      action: 'auth.login',
      outcome: 'failure',
      target: 'x'.repeat(5000),
      userAgent: hostileUa,
      ip: '',
    });
    const e = store.entries[0]!;
    assert.equal(e.actorName.length, AUDIT_LIMITS.actorName);
    assert.ok(e.actorName.endsWith('…'));
    assert.equal(e.target!.length, AUDIT_LIMITS.target);
    assert.ok(e.userAgent!.length <= AUDIT_LIMITS.userAgent);
    assert.ok(e.userAgent!.startsWith('<script>alert(1)</script>'), 'stored as sent: escaping is the display\'s job');
    assert.doesNotMatch(e.userAgent!, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no surrogate pair split by the cut');
    assert.equal(e.ip, null);
  });

  it('makes text storable: NUL and lone surrogates become U+FFFD, in fields, details and keys', async () => {
    const { store, service } = setup();
    await service.record({
      actor: { id: null, name: 'a\0b' },
      action: 'auth.login',
      userAgent: 'x\uD800y\uDC00z',
      details: { 'k\0': 'v\uDBFF', ok: '🚦' },
    });
    const e = store.entries[0]!;
    assert.equal(e.actorName, 'a\uFFFDb');
    assert.equal(e.userAgent, 'x\uFFFDy\uFFFDz');
    assert.deepEqual(e.details, { 'k\uFFFD': 'v\uFFFD', ok: '🚦' });
  });

  it('replaces details over 16 KB by a marker with their size', async () => {
    const { store, service } = setup();
    await service.record({ actor: { id: null, name: 'x' }, action: 'device.import', details: { rows: 'ă'.repeat(9000) } });
    assert.deepEqual(store.entries[0]!.details, { truncated: true, size: 18_011 });
    await service.record({ actor: { id: null, name: 'x' }, action: 'device.import', details: { rows: 'a'.repeat(16_000) } });
    assert.equal((store.entries[1]!.details.rows as string).length, 16_000);
  });

  it('turns odd details into plain JSON without throwing', async () => {
    const { store, service } = setup();
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const throwing = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    await service.record({
      actor: { id: null, name: 'x' },
      action: 'system.test',
      details: { cyclic, big: 12n, nan: NaN, inf: Infinity, u: undefined, f: () => 1, when: new Date(T0), list: [undefined, 1], deep },
    });
    const d = store.entries[0]!.details;
    assert.deepEqual(d.cyclic, { name: 'c', self: '[cycle]' });
    assert.equal(d.big, '12');
    assert.equal(d.nan, null);
    assert.equal(d.inf, null);
    assert.ok(!('u' in d) && !('f' in d));
    assert.equal(d.when, '2026-11-25T01:02:03.456Z');
    assert.deepEqual(d.list, [null, 1]);
    assert.match(JSON.stringify(d.deep), /\[too deep\]/);
    await service.record({ actor: { id: null, name: 'x' }, action: 'system.test', details: throwing });
    assert.deepEqual(store.entries[1]!.details, { unserializable: true });
    const proto = JSON.parse('{"__proto__":{"isAdmin":true}}') as Record<string, unknown>;
    await service.record({ actor: { id: null, name: 'x' }, action: 'system.test', details: proto });
    assert.deepEqual(Object.keys(store.entries[2]!.details), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    assert.deepEqual(await service.verify(), { ok: true, checked: 3 });
  });
});

describe('AuditService.query', () => {
  it('checks the filter and bounds the limit', async () => {
    const { store, service } = setup();
    for (const action of ['auth', 'auth.', 'auth*', '*', 'auth.%', "auth.*'"]) {
      await assert.rejects(service.query({ action, limit: 10 }), (e: unknown) => e instanceof IocError && e.code === 'IOC_ERR_VALIDATION', action);
    }
    await assert.rejects(service.query({ actorId: "1' OR 1=1", limit: 10 }), IocError);
    await assert.rejects(service.query({ from: NaN, limit: 10 }), IocError);
    await service.query({ action: 'auth.*', limit: 10_000 });
    await service.query({ action: 'device.token_rotate', actorId: USER.toUpperCase(), limit: 0 });
    assert.deepEqual(store.queries, [
      { action: 'auth.*', limit: 1000 },
      { action: 'device.token_rotate', actorId: USER, limit: 1 },
    ]);
  });
});

describe('AuditService.verify', () => {
  it('verifies an empty log', async () => {
    const { service } = setup();
    assert.deepEqual(await service.verify(), { ok: true, checked: 0 });
  });

  it('walks the log in batches of 10,000, carrying the last link across', async () => {
    const { store, service } = setup();
    for (let i = 0; i < 20_001; i++) await store.append({ ...blank(), target: `t${i}` }, sha256Hex);
    assert.deepEqual(await service.verify(), { ok: true, checked: 20_001 });
    assert.deepEqual(store.scans, [
      [1, 10_000],
      [10_001, 10_000],
      [20_001, 10_000],
    ]);

    // A deleted entry right at a batch boundary, then an edit in the second batch.
    const removed = store.entries.splice(10_000, 1);
    assert.deepEqual(await service.verify(), { ok: false, checked: 10_000, firstBroken: { seq: 10_001, reason: 'sequence_gap' } });
    store.entries.splice(10_000, 0, ...removed);
    store.entries[15_000] = { ...store.entries[15_000]!, target: 'edited' };
    assert.deepEqual(await service.verify(), { ok: false, checked: 15_000, firstBroken: { seq: 15_001, reason: 'hash_mismatch' } });
  });
});

function blank(): Omit<AuditRecord, 'seq'> {
  return {
    at: new Date(T0).toISOString(),
    actorId: null,
    actorName: 'system',
    onBehalfOfId: null,
    onBehalfOfName: null,
    action: 'system.test',
    outcome: 'success',
    unitCode: null,
    target: null,
    details: {},
    ip: null,
    userAgent: null,
    correlationId: null,
  };
}
