import { ROLE_LABELS, type Role, SECTORS, type Sector, scopeWithin } from '@haidang/domain';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import type { UnitView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { delegableGrants } from './admin-access.ts';
import { delegationBody, type DelegationDraft, delegationProblems, emptyDelegation } from './delegation-form.ts';
import { FieldProblems } from './FieldProblems.tsx';
import { type Problem, problemsOf } from './form-errors.ts';
import { GranteePicker } from './GranteePicker.tsx';
import { ProblemList } from './ProblemList.tsx';
import { UnitSelect } from './UnitSelect.tsx';

/** Lends part of one's own role and scope to another person, for a window (city time) of at most 90 days, with a reason. */
export function DelegationForm({ onCreated }: { onCreated: () => void }) {
  const { t, pick } = useI18n();
  const session = useSession();
  const own = delegableGrants(session.grants);
  const [draft, setDraft] = useState<DelegationDraft>(() => emptyDelegation(session.grants, Date.now()));
  const [touched, setTouched] = useState(false);
  const [failure, setFailure] = useState<{ message: string | null; fields: Problem[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const me = { id: session.user.id, kind: session.user.kind === 'service' ? ('service' as const) : ('person' as const) };
  const problems = delegationProblems(draft, me, session.grants, session.tree, Date.now());
  const shown = failure ? failure.fields : touched ? problems : [];
  const roles = [...new Set(own.map((g) => g.role))];
  const keep = (u: UnitView) => own.some((g) => g.role === draft.role && scopeWithin(session.tree, { unitCode: u.code, sector: draft.sector }, g));
  const set = (patch: Partial<DelegationDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setTouched(true);
    setFailure(null);
  };
  /** A role starts over the whole scope one holds it in. */
  const pickRole = (role: Role) => {
    const g = own.find((x) => x.role === role);
    set({ role, unitCode: g?.unitCode ?? draft.unitCode, sector: g?.sector ?? null });
  };
  const labels = { granteeId: t('admin.delegation.grantee'), role: t('admin.assignment.role'), unitCode: t('admin.assignment.unit'), sector: t('admin.assignment.sector'), validFrom: t('admin.delegation.from'), validUntil: t('admin.delegation.until'), reason: t('admin.delegation.reason') };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problems.length) return setFailure({ message: t('rule.problems', { count: problems.length }), fields: problems });
    setBusy(true);
    try {
      await api('POST', '/api/v1/delegations', delegationBody(draft));
      setDraft(emptyDelegation(session.grants, Date.now()));
      setTouched(false);
      onCreated();
    } catch (err) {
      setFailure(problemsOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="admin-form" aria-label={t('admin.delegation.new')} onSubmit={(e) => void submit(e)}>
      <h3>{t('admin.delegation.new')}</h3>
      <GranteePicker value={draft.granteeId} problems={shown} onChange={(granteeId) => set({ granteeId })} />
      <label>
        {labels.role}
        <select name="role" value={draft.role} onChange={(e) => pickRole(e.target.value as Role)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {pick(ROLE_LABELS[r])}
            </option>
          ))}
        </select>
        <FieldProblems problems={shown} field="role" />
      </label>
      <UnitSelect label={labels.unitCode} name="unitCode" value={draft.unitCode} keep={keep} onChange={(unitCode) => set({ unitCode })}>
        <FieldProblems problems={shown} field="unitCode" />
      </UnitSelect>
      <label>
        {labels.sector}
        <select name="sector" value={draft.sector ?? ''} onChange={(e) => set({ sector: (e.target.value || null) as Sector | null })}>
          <option value="">{t('rule.allSectors')}</option>
          {SECTORS.map((s) => (
            <option key={s} value={s}>
              {pick(session.units.find((u) => u.kind === 'sector_oc' && u.sector === s)?.name) || s}
            </option>
          ))}
        </select>
        <FieldProblems problems={shown} field="sector" />
      </label>
      <label>
        {labels.validFrom}
        <input name="validFrom" type="datetime-local" value={draft.from} onChange={(e) => set({ from: e.target.value })} />
        <small className="muted">{t('admin.delegation.fromHelp')}</small>
        <FieldProblems problems={shown} field="validFrom" />
      </label>
      <label>
        {labels.validUntil}
        <input name="validUntil" type="datetime-local" value={draft.until} onChange={(e) => set({ until: e.target.value })} />
        <FieldProblems problems={shown} field="validUntil" />
      </label>
      <label className="wide">
        {labels.reason}
        <textarea name="reason" value={draft.reason} rows={2} maxLength={500} onChange={(e) => set({ reason: e.target.value })} />
        <FieldProblems problems={shown} field="reason" />
      </label>
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {t('admin.delegation.create')}
        </button>
      </div>
      <ProblemList message={failure?.message ?? null} problems={failure?.fields ?? []} labels={labels} />
    </form>
  );
}
