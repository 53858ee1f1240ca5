import { ROLE_LABELS, ROLES, SECTORS, type Role, type Sector } from '@haidang/domain';
import { useCallback } from 'react';
import type { UnitView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { addAssignment, type AssignmentDraft, changeAssignment, inManageScope, removeAssignment } from './assignments.ts';
import { FieldProblems } from './FieldProblems.tsx';
import type { Problem } from './form-errors.ts';
import { UnitSelect } from './UnitSelect.tsx';

/** Role assignments as rows of role × unit × sector; units offered are those within one's own scope. */
export function AssignmentsEditor({ value, onChange, kind, problems, disabled = false }: { value: readonly AssignmentDraft[]; onChange: (next: AssignmentDraft[]) => void; kind: 'person' | 'service'; problems: readonly Problem[]; disabled?: boolean }) {
  const { t, pick } = useI18n();
  const session = useSession();
  const keep = useCallback((u: UnitView) => inManageScope(session.grants, session.tree, u.code), [session.grants, session.tree]);
  const roles = kind === 'service' ? (['data_provider'] as Role[]) : ROLES;
  const home = value.at(-1)?.unitCode ?? session.grants[0]?.unitCode ?? session.user.unitCode;
  return (
    <div className="assignments">
      {value.map((a, i) => (
        <fieldset key={i} className="assignment" disabled={disabled}>
          <legend>{t('admin.assignment.n', { n: i + 1 })}</legend>
          <label>
            {t('admin.assignment.role')}
            <select name={`assignments/${i}/role`} value={a.role} onChange={(e) => onChange(changeAssignment(value, i, { role: e.target.value as Role }))}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {pick(ROLE_LABELS[r])}
                </option>
              ))}
            </select>
            <FieldProblems problems={problems} field={`assignments/${i}/role`} />
          </label>
          <UnitSelect label={t('admin.assignment.unit')} name={`assignments/${i}/unitCode`} value={a.unitCode} keep={keep} onChange={(unitCode) => onChange(changeAssignment(value, i, { unitCode }))}>
            <FieldProblems problems={problems} field={`assignments/${i}/unitCode`} />
          </UnitSelect>
          <label>
            {t('admin.assignment.sector')}
            <select name={`assignments/${i}/sector`} value={a.sector ?? ''} onChange={(e) => onChange(changeAssignment(value, i, { sector: (e.target.value || null) as Sector | null }))}>
              <option value="">{t('rule.allSectors')}</option>
              {SECTORS.map((s) => (
                <option key={s} value={s}>
                  {pick(session.units.find((u) => u.kind === 'sector_oc' && u.sector === s)?.name) || s}
                </option>
              ))}
            </select>
            <FieldProblems problems={problems} field={`assignments/${i}/sector`} />
          </label>
          <button type="button" className="link" aria-label={t('admin.assignment.remove', { n: i + 1 })} onClick={() => onChange(removeAssignment(value, i))}>
            ×
          </button>
          <FieldProblems problems={problems} field={`assignments/${i}`} />
        </fieldset>
      ))}
      <FieldProblems problems={problems} field="assignments" />
      <button type="button" disabled={disabled} onClick={() => onChange(addAssignment(value, { role: roles[0]!, unitCode: home, sector: null }))}>
        {t('admin.assignment.add')}
      </button>
    </div>
  );
}
