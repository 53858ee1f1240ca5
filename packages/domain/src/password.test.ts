import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPassword } from './password.ts';

const reasons = (p: string, username = 'hc.operator') => checkPassword(p, { username }).map((e) => e.reason);

describe('checkPassword', () => {
  it('accepts 12+ characters of three kinds, or a 20+ character passphrase of any kind', () => {
    assert.deepEqual(reasons('Sông-Hàn-2026'), []);
    assert.deepEqual(reasons('cau rong phun lua dem thu bay'), []);
  });
  it('refuses short, long, simple, common and username-bearing passwords, naming the field', () => {
    assert.deepEqual(reasons('Ab1!'), ['too_short']);
    assert.deepEqual(reasons('x'.repeat(257)), ['too_long']);
    assert.deepEqual(reasons('abcdefghijkm'), ['too_simple']);
    assert.deepEqual(reasons('!!Password!!'), ['too_common']);
    assert.deepEqual(reasons('Password-2026'), ['too_common'], 'a common word with digits and symbols around it');
    assert.deepEqual(reasons('aaaaaaaaaaaaaaaaaaaaaaaa'), ['too_common']);
    assert.deepEqual(reasons('Xin-chao-hc.operator-1'), ['contains_username']);
    assert.deepEqual(reasons('HC.OPERATOR-is-me-2026'), ['contains_username'], 'case-insensitively');
    assert.equal(checkPassword('short', { username: 'u' })[0]!.field, 'password');
  });
  it('folds Vietnamese diacritics before comparing with common words', () => {
    assert.deepEqual(reasons('!!Mật Khẩu!!'), ['too_common']);
    assert.deepEqual(reasons('Mật-Khẩu-Sông-Hàn-1'), []);
  });
});
