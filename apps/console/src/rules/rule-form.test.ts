import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeChoices, draftErrors, draftOf, emptyRule, errorsOf, LEAF_KINDS, newCondition, setAt } from './rule-form.ts';

describe('rule form', () => {
  it('starts from a rule the domain accepts once it has a name and a threshold', () => {
    const draft = emptyRule('492');
    assert.ok(draftErrors(draft).some((e) => e.field.startsWith('name')), 'a name is required');
    const named = setAt(setAt(draft, ['name'], { vi: 'Ngập sâu', en: 'Deep flooding' }), ['condition', 'raise'], 50);
    assert.deepEqual(draftErrors(setAt(named, ['condition', 'clear'], 30)), []);
  });

  it('offers a valid default for every kind of condition', () => {
    for (const kind of [...LEAF_KINDS, 'all', 'any'] as const) {
      const cond = newCondition(kind, 'depth');
      const rule = { ...emptyRule('492'), name: { vi: 'Thử', en: 'Test' }, condition: kind === 'threshold' || kind === 'window' ? { ...cond, raise: 50, clear: 30 } : cond };
      if (kind === 'all' || kind === 'any') (rule.condition as { conditions: Record<string, unknown>[] }).conditions = [{ ...newCondition('threshold', 'depth'), raise: 50, clear: 30 }];
      assert.deepEqual(draftErrors(rule), [], kind);
    }
  });

  it('names the field of each problem as the server does, so it shows under its control', () => {
    const rule = { ...emptyRule('492'), name: { vi: 'Thử', en: 'Test' }, condition: { kind: 'all', conditions: [{ kind: 'rate', attr: 'depth', change: 0, minutes: 5000 }] } };
    const errors = draftErrors(rule);
    assert.ok(errorsOf(errors, ['condition', 'conditions', 0, 'minutes']).length === 1, JSON.stringify(errors));
  });

  it('edits nested values without touching the original', () => {
    const a = { condition: { kind: 'any', conditions: [{ raise: 1 }, { raise: 2 }] } };
    const b = setAt(a, ['condition', 'conditions', 1, 'raise'], 9);
    assert.equal(a.condition.conditions[1]!.raise, 2);
    assert.equal(b.condition.conditions[1]!.raise, 9);
    assert.equal(b.condition.conditions[0], a.condition.conditions[0]);
    assert.equal('raise' in setAt(a, ['condition', 'conditions', 0, 'raise'], undefined).condition.conditions[0]!, false);
  });

  it('edits a saved rule without its view-only fields, keeping the version apart', () => {
    const { draft, version } = draftOf({ id: 'r1', version: 3, name: { vi: 'a', en: 'b' }, condition: { kind: 'absence', factor: 3 }, activeFrom: 'x', createdAt: 'x', updatedAt: 'x', createdBy: null });
    assert.equal(version, 3);
    assert.deepEqual(Object.keys(draft).sort(), ['condition', 'id', 'name']);
  });

  it('offers the measured and derived attributes of the device type', () => {
    assert.ok(attributeChoices('river_level').includes('alarm_level'));
    assert.ok(attributeChoices('air_quality').includes('aqi'));
    assert.ok(attributeChoices(undefined).includes('depth'));
  });
});
