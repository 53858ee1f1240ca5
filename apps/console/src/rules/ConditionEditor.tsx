import type { FieldError } from '@haidang/domain';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { type ConditionKind, errorsOf, fieldPath, LEAF_KINDS, newCondition } from './rule-form.ts';

type Path = (string | number)[];

interface Props {
  condition: Record<string, unknown>;
  path: Path;
  depth: number;
  attributes: string[];
  errors: readonly FieldError[];
  disabled: boolean;
  onChange: (path: Path, value: unknown) => void;
  onRemove?: () => void;
}

/** The fields each kind of condition has, in order, and their input kind. */
const FIELDS: Record<string, { key: string; label: MessageKey; type: 'number' | 'op' | 'agg' | 'attr'; optional?: true }[]> = {
  threshold: [{ key: 'attr', label: 'rule.attr', type: 'attr' }, { key: 'op', label: 'rule.op', type: 'op' }, { key: 'raise', label: 'rule.raise', type: 'number' }, { key: 'clear', label: 'rule.clear', type: 'number' }],
  duration: [{ key: 'attr', label: 'rule.attr', type: 'attr' }, { key: 'op', label: 'rule.op', type: 'op' }, { key: 'value', label: 'rule.value', type: 'number' }, { key: 'minutes', label: 'rule.minutes', type: 'number', optional: true }, { key: 'readings', label: 'rule.readings', type: 'number', optional: true }],
  rate: [{ key: 'attr', label: 'rule.attr', type: 'attr' }, { key: 'change', label: 'rule.change', type: 'number' }, { key: 'minutes', label: 'rule.minutes', type: 'number' }],
  window: [{ key: 'attr', label: 'rule.attr', type: 'attr' }, { key: 'agg', label: 'rule.agg', type: 'agg' }, { key: 'minutes', label: 'rule.minutes', type: 'number' }, { key: 'op', label: 'rule.op', type: 'op' }, { key: 'raise', label: 'rule.raise', type: 'number' }, { key: 'clear', label: 'rule.clear', type: 'number' }],
  anomaly: [{ key: 'attr', label: 'rule.attr', type: 'attr' }, { key: 'k', label: 'rule.k', type: 'number' }, { key: 'minDays', label: 'rule.minDays', type: 'number' }],
  absence: [{ key: 'factor', label: 'rule.factor', type: 'number' }, { key: 'attr', label: 'rule.attr', type: 'attr', optional: true }],
};

/** One condition of a rule, edited with fields for its kind; all/any hold a list of them (3 levels at most). */
export function ConditionEditor({ condition, path, depth, attributes, errors, disabled, onChange, onRemove }: Props) {
  const { t } = useI18n();
  const kind = condition.kind as ConditionKind;
  const kinds: ConditionKind[] = depth < 3 ? [...LEAF_KINDS, 'all', 'any'] : [...LEAF_KINDS];
  const listId = `attrs-${fieldPath(path).replace(/\W/g, '-')}`;
  const problems = (p: Path) =>
    errorsOf(errors, p).map((e) => (
      <small key={e.reason + e.message} className="error">
        {e.message}
      </small>
    ));
  return (
    <fieldset className={`condition depth-${depth}`} disabled={disabled}>
      <legend>
        <label>
          {t('rule.kind')}{' '}
          <select name={`${fieldPath(path)}/kind`} value={kind} onChange={(e) => onChange(path, newCondition(e.target.value as ConditionKind, typeof condition.attr === 'string' ? condition.attr : ''))}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t(`rule.kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        {onRemove && (
          <button type="button" className="link" onClick={onRemove}>
            {t('rule.removeCondition')}
          </button>
        )}
      </legend>
      {problems(path)}
      {kind === 'all' || kind === 'any' ? (
        <>
          {((condition.conditions as Record<string, unknown>[] | undefined) ?? []).map((c, i, all) => (
            <ConditionEditor
              key={i}
              condition={c}
              path={[...path, 'conditions', i]}
              depth={depth + 1}
              attributes={attributes}
              errors={errors}
              disabled={disabled}
              onChange={onChange}
              onRemove={all.length > 1 ? () => onChange([...path, 'conditions'], all.filter((_, j) => j !== i)) : undefined}
            />
          ))}
          {problems([...path, 'conditions'])}
          <button type="button" onClick={() => onChange([...path, 'conditions'], [...((condition.conditions as unknown[]) ?? []), newCondition('threshold', attributes[0] ?? '')])}>
            {t('rule.addCondition')}
          </button>
        </>
      ) : (
        <div className="fields">
          <datalist id={listId}>
            {attributes.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          {FIELDS[kind]?.map((f) => {
            const p = [...path, f.key];
            const v = condition[f.key];
            return (
              <label key={f.key}>
                {t(f.label)}
                {f.type === 'op' ? (
                  <select name={fieldPath(p)} value={String(v ?? '>=')} onChange={(e) => onChange(p, e.target.value)}>
                    {['>', '>=', '<', '<='].map((o) => (
                      <option key={o}>{o}</option>
                    ))}
                  </select>
                ) : f.type === 'agg' ? (
                  <select name={fieldPath(p)} value={String(v ?? 'sum')} onChange={(e) => onChange(p, e.target.value)}>
                    {['sum', 'avg', 'max', 'min'].map((o) => (
                      <option key={o}>{o}</option>
                    ))}
                  </select>
                ) : f.type === 'attr' ? (
                  <input name={fieldPath(p)} list={listId} value={String(v ?? '')} maxLength={32} onChange={(e) => onChange(p, e.target.value || (f.optional ? undefined : ''))} />
                ) : (
                  <input
                    name={fieldPath(p)}
                    type="number"
                    step="any"
                    value={v === undefined ? '' : String(v)}
                    onChange={(e) => onChange(p, e.target.value === '' ? (f.optional ? undefined : '') : Number(e.target.value))}
                  />
                )}
                {problems(p)}
              </label>
            );
          })}
        </div>
      )}
    </fieldset>
  );
}
