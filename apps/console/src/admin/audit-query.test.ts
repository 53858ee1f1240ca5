import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withQuery } from '../api/client.ts';
import { auditFilterProblems, auditQuery, currentCursor, EMPTY_AUDIT_FILTER, firstPage, hasOlder, newerPage, olderPage } from './audit-query.ts';

describe('audit log query', () => {
  it('sends only the filters that are set, times with the city’s offset', () => {
    assert.equal(withQuery('/api/v1/audit', auditQuery(EMPTY_AUDIT_FILTER)), '/api/v1/audit?limit=50');
    const q = auditQuery({ actor: ' u-1 ', action: 'user.*', unit: '492', from: '2026-11-25T00:00', to: '2026-11-26T00:00' }, 120, 20);
    assert.deepEqual(q, { actor: 'u-1', action: 'user.*', unit: '492', from: '2026-11-25T00:00:00+07:00', to: '2026-11-26T00:00:00+07:00', before: 120, limit: 20 });
  });

  it('names the time fields that cannot be sent', () => {
    assert.deepEqual(auditFilterProblems(EMPTY_AUDIT_FILTER), []);
    assert.deepEqual(auditFilterProblems({ ...EMPTY_AUDIT_FILTER, from: 'tomorrow' }), ['from']);
    assert.deepEqual(auditFilterProblems({ ...EMPTY_AUDIT_FILTER, from: '2026-11-26T00:00', to: '2026-11-25T00:00' }), ['to']);
  });

  it('pages newest first by sequence number, back and forth', () => {
    let p = firstPage();
    assert.equal(currentCursor(p), undefined);
    const page1 = Array.from({ length: 50 }, (_, i) => ({ seq: 200 - i }));
    assert.equal(hasOlder(page1), true);
    p = olderPage(p, page1);
    assert.equal(currentCursor(p), 151);
    p = olderPage(p, [{ seq: 150 }, { seq: 149 }]);
    assert.equal(currentCursor(p), 149);
    assert.equal(hasOlder([{ seq: 150 }, { seq: 149 }]), false);
    assert.equal(currentCursor(olderPage(p, [])), 149, 'an empty page stays');
    p = newerPage(newerPage(p));
    assert.equal(currentCursor(p), undefined);
    assert.deepEqual(newerPage(p), p);
  });
});
