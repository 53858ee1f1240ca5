import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LANGS, messages, translate } from './messages.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('console messages', () => {
  it('has every text in Vietnamese and English, non-empty, with the same placeholders', () => {
    for (const [key, m] of Object.entries(messages)) {
      for (const l of LANGS) assert.ok(m[l].trim().length > 0, `${key}.${l} is empty`);
      assert.deepEqual(placeholders(m.vi), placeholders(m.en), `${key}: placeholders differ`);
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    assert.equal(translate('vi', 'alerts.count', { shown: 3, total: 10 }), '3 / 10 cảnh báo');
    assert.equal(translate('en', 'alerts.count', { shown: 3, total: 10 }), '3 of 10 alerts');
    assert.equal(translate('en', 'alerts.count', { shown: 3 }), '3 of {total} alerts');
  });

  it('is Vietnamese where Vietnamese is asked for (diacritics intact)', () => {
    assert.equal(translate('vi', 'nav.alerts'), 'Cảnh báo');
    assert.equal(translate('vi', 'action.acknowledge'), 'Tiếp nhận');
  });
});
