import type { OrgTree } from '@haidang/domain';
import { type FormEvent, useCallback, useState } from 'react';
import { api } from '../api/client.ts';
import type { UnitView } from '../api/types.ts';
import { allows } from '../auth/permissions.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { FieldProblems } from './FieldProblems.tsx';
import { type Problem, problemsOf } from './form-errors.ts';
import { ProblemList } from './ProblemList.tsx';
import { UnitSelect } from './UnitSelect.tsx';

/** Retires a unit: its records belong to the successor (an active unit outside it, one may manage) from now on. */
export function UnitRetireForm({ unit, units, tree, onDone, onCancel }: { unit: UnitView; units: readonly UnitView[]; tree: OrgTree; onDone: (code: string) => void; onCancel: () => void }) {
  const { t, pick } = useI18n();
  const session = useSession();
  const keep = useCallback((u: UnitView) => !tree.covers(unit.code, u.code) && allows(session.grants, tree, 'unit.manage', { unitCode: u.code }), [tree, unit.code, session.grants]);
  const [successor, setSuccessor] = useState(unit.parent ?? '');
  const [failure, setFailure] = useState<{ message: string | null; fields: Problem[] }>({ message: null, fields: [] });
  const [busy, setBusy] = useState(false);
  const labels = { successor: t('admin.unit.successor'), code: t('admin.unit.code') };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api('POST', `/api/v1/units/${encodeURIComponent(unit.code)}/retire`, { successor });
      onDone(unit.code);
    } catch (err) {
      setFailure(problemsOf(err));
    } finally {
      setBusy(false);
    }
  };
  const title = t('admin.unit.retireTitle', { name: pick(unit.name) });
  return (
    <form className="admin-form inline" aria-label={title} onSubmit={(e) => void submit(e)}>
      <h3>{title}</h3>
      <p className="muted">{t('admin.unit.retireHelp')}</p>
      <UnitSelect label={labels.successor} name="successor" value={successor} onChange={setSuccessor} units={units} keep={keep} empty="—">
        <FieldProblems problems={failure.fields} field="successor" />
      </UnitSelect>
      <div className="buttons">
        <button type="submit" className="danger" disabled={busy || !successor}>
          {t('admin.units.retire')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
      </div>
      <ProblemList message={failure.message} problems={failure.fields} labels={labels} />
    </form>
  );
}
