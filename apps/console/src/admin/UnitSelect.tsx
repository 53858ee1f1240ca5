import { type ReactNode, useMemo } from 'react';
import type { UnitView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { unitChoices } from './org-tree.ts';

/** A labelled select of active units in tree order, indented; `keep` narrows the choice (e.g. to one's scope). */
export function UnitSelect(props: {
  label: string;
  name: string;
  value: string;
  onChange: (code: string) => void;
  keep?: (u: UnitView) => boolean;
  units?: readonly UnitView[];
  empty?: string;
  disabled?: boolean;
  children?: ReactNode;
}) {
  const { pick } = useI18n();
  const session = useSession();
  const { keep, units = session.units } = props;
  const choices = useMemo(() => unitChoices(units, keep), [units, keep]);
  return (
    <label>
      {props.label}
      <select name={props.name} value={props.value} disabled={props.disabled} onChange={(e) => props.onChange(e.target.value)}>
        {props.empty !== undefined && <option value="">{props.empty}</option>}
        {choices.map(({ unit, depth }) => (
          <option key={unit.code} value={unit.code}>
            {'\u00a0\u00a0'.repeat(depth)}
            {pick(unit.name)} ({unit.code})
          </option>
        ))}
      </select>
      {props.children}
    </label>
  );
}
