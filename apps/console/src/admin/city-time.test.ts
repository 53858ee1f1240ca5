import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cityOffset, fromCityInput, toCityInput } from './city-time.ts';

describe('date-time inputs in city time', () => {
  it('reads an input as the city’s wall clock (UTC+7), whatever the machine’s zone', () => {
    assert.equal(cityOffset(new Date('2026-11-25T00:00:00Z')), '+07:00');
    assert.equal(fromCityInput('2026-11-25T07:30'), '2026-11-25T07:30:00+07:00');
    assert.equal(new Date(fromCityInput('2026-11-25T07:30')!).toISOString(), '2026-11-25T00:30:00.000Z');
    assert.equal(fromCityInput('2026-11-25T07:30:15'), '2026-11-25T07:30:15+07:00');
  });

  it('refuses what is not a date and time', () => {
    for (const v of ['', 'yesterday', '2026-11-25', '2026-13-45T99:00']) assert.equal(fromCityInput(v), undefined, v);
  });

  it('writes an instant back as the input’s value', () => {
    assert.equal(toCityInput('2026-11-25T00:30:00Z'), '2026-11-25T07:30');
    assert.equal(toCityInput(Date.parse('2026-12-31T20:00:00Z')), '2027-01-01T03:00');
    assert.equal(fromCityInput(toCityInput('2026-11-25T00:30:00Z')), '2026-11-25T07:30:00+07:00');
  });
});
