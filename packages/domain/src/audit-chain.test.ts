import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { GENESIS_HASH, canonicalJson, entryHash, verifyChain, type AuditEntry, type AuditRecord } from './audit-chain.ts';

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const record = (seq: number, over: Partial<AuditRecord> = {}): AuditRecord => ({
  seq,
  at: new Date(Date.UTC(2026, 10, 25, 1, 2, 3, seq)).toISOString(),
  actorId: '0b6b2c1e-4a8f-4a62-9d3e-6a1c2f1e9b01',
  actorName: 'Nguyễn Văn An',
  onBehalfOfId: null,
  onBehalfOfName: null,
  action: 'device.create',
  outcome: 'success',
  unitCode: '20233',
  target: `device:rg-${seq}`,
  details: { n: seq, nested: { b: [1, 'hai', null], a: true } },
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0',
  correlationId: `req-${seq}`,
  ...over,
});

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const r = record(seq);
    const hash = entryHash(prev, r, sha256Hex);
    out.push({ ...r, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('canonicalJson', () => {
  it('sorts keys recursively and prints no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('does not depend on key order', () => {
    const a = { tên: 'Đà Nẵng', id: 1, sub: { y: [1, 2], x: null } };
    const b = { sub: { x: null, y: [1, 2] }, id: 1, tên: 'Đà Nẵng' };
    assert.equal(canonicalJson(a), canonicalJson(b));
  });

  it('agrees with JSON.stringify on values, so that a jsonb round trip prints alike', () => {
    const values: unknown[] = [
      { u: undefined, f: () => 1, n: NaN, i: -Infinity, z: -0, big: 1e21, small: 5e-324, frac: 0.1 + 0.2 },
      [undefined, () => 1, Symbol('s'), 1],
      { d: new Date(Date.UTC(2026, 0, 1)), s: new String('boxed'), b: new Boolean(false), m: new Map([[1, 2]]) },
      { '<script>': '</script>\u2028\u0007"\\', emoji: '🚦', vi: 'Thừa Thiên Huế' },
      'plain',
      42,
      null,
      [],
      {},
    ];
    for (const v of values) {
      const viaJson: unknown = JSON.parse(JSON.stringify(v));
      assert.equal(canonicalJson(v), canonicalJson(viaJson));
      assert.deepEqual(JSON.parse(canonicalJson(v)), viaJson);
    }
  });

  it('keeps an own "__proto__" key as data', () => {
    const parsed: unknown = JSON.parse('{"__proto__":{"admin":true},"a":1}');
    assert.equal(canonicalJson(parsed), '{"__proto__":{"admin":true},"a":1}');
  });

  it('refuses what JSON cannot hold', () => {
    assert.throws(() => canonicalJson(undefined), TypeError);
    assert.throws(() => canonicalJson({ n: 1n }), TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => canonicalJson(cyclic), TypeError);
    const shared = { x: 1 };
    assert.equal(canonicalJson({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}', 'a repeated value is not a cycle');
  });
});

describe('entryHash', () => {
  it('hashes prevHash, a newline and the canonical record', () => {
    const r = record(1);
    assert.equal(entryHash(GENESIS_HASH, r, sha256Hex), sha256Hex(`${GENESIS_HASH}\n${canonicalJson(r)}`));
    assert.match(entryHash(GENESIS_HASH, r, sha256Hex), /^[0-9a-f]{64}$/);
  });

  it('ignores fields that are not part of the record, and key order', () => {
    const r = record(3);
    const reordered = Object.fromEntries(Object.entries(r).reverse()) as unknown as AuditRecord;
    const withLinks = { ...r, prevHash: 'x', hash: 'y', extra: 1 };
    const h = entryHash('p', r, sha256Hex);
    assert.equal(entryHash('p', reordered, sha256Hex), h);
    assert.equal(entryHash('p', withLinks, sha256Hex), h);
  });

  it('changes with any field and with the previous hash', () => {
    const r = record(2);
    const h = entryHash(GENESIS_HASH, r, sha256Hex);
    assert.notEqual(entryHash('1'.repeat(64), r, sha256Hex), h);
    assert.notEqual(entryHash(GENESIS_HASH, { ...r, outcome: 'denied' }, sha256Hex), h);
    assert.notEqual(entryHash(GENESIS_HASH, { ...r, details: { ...r.details, n: 3 } }, sha256Hex), h);
    assert.notEqual(entryHash(GENESIS_HASH, { ...r, ip: null }, sha256Hex), h);
  });
});

describe('verifyChain', () => {
  it('accepts a sound chain and an empty one', () => {
    assert.deepEqual(verifyChain(chain(20), sha256Hex), { ok: true, checked: 20 });
    assert.deepEqual(verifyChain([], sha256Hex), { ok: true, checked: 0 });
  });

  it('finds an edited entry: hash_mismatch at that entry', () => {
    const c = chain(10);
    c[4] = { ...c[4]!, details: { n: 999 } };
    assert.deepEqual(verifyChain(c, sha256Hex), { ok: false, checked: 4, firstBroken: { seq: 5, reason: 'hash_mismatch' } });
  });

  it('finds an edited entry whose hash was recomputed: prev_hash_mismatch at the next one', () => {
    const c = chain(10);
    const e = { ...c[4]!, actorName: 'Someone else' };
    c[4] = { ...e, hash: entryHash(e.prevHash, e, sha256Hex) };
    assert.deepEqual(verifyChain(c, sha256Hex), { ok: false, checked: 5, firstBroken: { seq: 6, reason: 'prev_hash_mismatch' } });
  });

  it('finds a deleted entry: sequence_gap at the missing seq', () => {
    const c = chain(10);
    c.splice(6, 1);
    assert.deepEqual(verifyChain(c, sha256Hex), { ok: false, checked: 6, firstBroken: { seq: 7, reason: 'sequence_gap' } });
    assert.deepEqual(verifyChain(chain(3).slice(1), sha256Hex), { ok: false, checked: 0, firstBroken: { seq: 1, reason: 'sequence_gap' } });
  });

  it('finds an inserted entry', () => {
    // Slipped in with a valid link and hash, the entries after it renumbered: the next one breaks.
    const c = chain(5);
    const forged = { ...record(4, { actorName: 'forged' }), prevHash: c[2]!.hash, hash: '' };
    forged.hash = entryHash(forged.prevHash, forged, sha256Hex);
    const renumbered = c.slice(3).map((e) => ({ ...e, seq: e.seq + 1 }));
    const tampered = [...c.slice(0, 3), forged, ...renumbered];
    assert.deepEqual(verifyChain(tampered, sha256Hex), { ok: false, checked: 4, firstBroken: { seq: 5, reason: 'prev_hash_mismatch' } });
    // Slipped in under a seq already taken: the sequence breaks there.
    const dup = [...c.slice(0, 3), { ...c[2]!, actorName: 'forged' }, ...c.slice(3)];
    assert.deepEqual(verifyChain(dup, sha256Hex), { ok: false, checked: 3, firstBroken: { seq: 4, reason: 'sequence_gap' } });
  });

  it('finds a first entry that does not start from the genesis hash', () => {
    const c = chain(3).map((e) => ({ ...e }));
    c[0]!.prevHash = '1'.repeat(64);
    assert.deepEqual(verifyChain(c, sha256Hex), { ok: false, checked: 0, firstBroken: { seq: 1, reason: 'prev_hash_mismatch' } });
  });

  it('reports the first broken link when there are several', () => {
    const c = chain(10);
    c[7] = { ...c[7]!, target: 'x' };
    c[2] = { ...c[2]!, target: 'y' };
    assert.deepEqual(verifyChain(c, sha256Hex), { ok: false, checked: 2, firstBroken: { seq: 3, reason: 'hash_mismatch' } });
  });

  it('verifies batch by batch from a start link', () => {
    const c = chain(25);
    let start: { seq: number; hash: string } | undefined;
    let checked = 0;
    for (let i = 0; i < c.length; i += 10) {
      const batch = c.slice(i, i + 10);
      const r = verifyChain(batch, sha256Hex, start);
      assert.equal(r.ok, true);
      checked += r.checked;
      start = batch.at(-1)!;
    }
    assert.equal(checked, 25);
    // A gap exactly at a batch boundary is found.
    const r = verifyChain(c.slice(11, 20), sha256Hex, c[9]);
    assert.deepEqual(r, { ok: false, checked: 0, firstBroken: { seq: 11, reason: 'sequence_gap' } });
  });

  it('reads any iterable once, lazily', () => {
    const c = chain(5);
    let pulled = 0;
    function* gen() {
      for (const e of c) {
        pulled++;
        yield e.seq === 2 ? { ...e, hash: 'bad' } : e;
      }
    }
    assert.deepEqual(verifyChain(gen(), sha256Hex), { ok: false, checked: 1, firstBroken: { seq: 2, reason: 'hash_mismatch' } });
    assert.equal(pulled, 2);
  });

  it('treats content that is not JSON as a hash mismatch rather than throwing', () => {
    const c = chain(2);
    c[1] = { ...c[1]!, details: { n: 1n } };
    assert.deepEqual(verifyChain(c, sha256Hex), { ok: false, checked: 1, firstBroken: { seq: 2, reason: 'hash_mismatch' } });
  });
});
