import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../api/client.ts';
import { fieldLabel, problemKey, problemsAt, problemsOf } from './form-errors.ts';

describe('form problems', () => {
  it('takes the field problems of an API error', () => {
    const e = new ApiError(409, 'IOC_ERR_USER_EXISTS', 'username x is taken', undefined, [{ field: 'username', reason: 'exists', message: 'this username is taken' }]);
    const p = problemsOf(e);
    assert.equal(p.message, 'username x is taken');
    assert.deepEqual(problemsAt(p.fields, 'username'), [{ field: 'username', reason: 'exists', message: 'this username is taken' }]);
    assert.deepEqual(problemsAt(p.fields, 'user'), []);
    assert.deepEqual(problemsOf(new Error('offline')), { message: 'offline', fields: [] });
  });

  it('has its own text for the common reasons', () => {
    assert.equal(problemKey('required'), 'problem.required');
    assert.equal(problemKey('no_such_reason'), undefined);
  });

  it('names a field by its label, rows counted from 1', () => {
    const labels = { username: 'Tên đăng nhập', unitCode: 'Đơn vị' };
    assert.equal(fieldLabel('username', labels), 'Tên đăng nhập');
    assert.equal(fieldLabel('assignments/1/unitCode', labels), 'Đơn vị #2');
    assert.equal(fieldLabel('geometry', labels), 'geometry');
  });
});
