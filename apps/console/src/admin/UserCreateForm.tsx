import { roleAllows } from '@haidang/domain';
import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import { api } from '../api/client.ts';
import type { AdminUserView, UnitView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { inManageScope } from './assignments.ts';
import { AssignmentsEditor } from './AssignmentsEditor.tsx';
import { FieldProblems } from './FieldProblems.tsx';
import { type Problem, problemsOf } from './form-errors.ts';
import { ProblemList } from './ProblemList.tsx';
import { UnitSelect } from './UnitSelect.tsx';
import { emptyUser, userBody, type UserDraft, userProblems, withKind } from './user-form.ts';

/** A new person (with a password) or service account (API keys), homed and given roles within one's own scope. */
export function UserCreateForm({ onCreated }: { onCreated: (u: AdminUserView) => void }) {
  const { t } = useI18n();
  const session = useSession();
  const home = session.grants.find((g) => roleAllows(g.role, 'user.manage'))?.unitCode ?? session.user.unitCode;
  const [draft, setDraft] = useState<UserDraft>(() => emptyUser(home));
  const [touched, setTouched] = useState(false);
  const [failure, setFailure] = useState<{ message: string | null; fields: Problem[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const policyId = useId();
  const problems = useMemo(() => userProblems(draft, session.grants, session.tree), [draft, session.grants, session.tree]);
  const shown = failure ? failure.fields : touched ? problems : [];
  const keep = useCallback((u: UnitView) => inManageScope(session.grants, session.tree, u.code), [session.grants, session.tree]);
  const set = (patch: Partial<UserDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setTouched(true);
    setFailure(null);
  };
  const labels = {
    username: t('admin.user.username'),
    displayName: t('admin.user.displayName'),
    kind: t('admin.user.kind'),
    unitCode: t('admin.user.home'),
    password: t('admin.user.password'),
    assignments: t('admin.user.assignments'),
    role: t('admin.assignment.role'),
    sector: t('admin.assignment.sector'),
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problems.length) return setFailure({ message: t('rule.problems', { count: problems.length }), fields: problems });
    setBusy(true);
    try {
      onCreated(await api<AdminUserView>('POST', '/api/v1/users', userBody(draft)));
    } catch (err) {
      setFailure(problemsOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="admin-form" aria-label={t('admin.users.new')} onSubmit={(e) => void submit(e)}>
      <h2>{t('admin.users.new')}</h2>
      <label>
        {labels.kind}
        <select name="kind" value={draft.kind} onChange={(e) => (setDraft((d) => withKind(d, e.target.value as UserDraft['kind'])), setFailure(null))}>
          <option value="person">{t('admin.user.person')}</option>
          <option value="service">{t('admin.user.service')}</option>
        </select>
      </label>
      <label>
        {labels.username}
        <input name="username" value={draft.username} maxLength={64} autoComplete="off" onChange={(e) => set({ username: e.target.value })} />
        <FieldProblems problems={shown} field="username" />
      </label>
      <label>
        {labels.displayName}
        <input name="displayName" value={draft.displayName} maxLength={200} onChange={(e) => set({ displayName: e.target.value })} />
        <FieldProblems problems={shown} field="displayName" />
      </label>
      <UnitSelect label={labels.unitCode} name="unitCode" value={draft.unitCode} keep={keep} onChange={(unitCode) => set({ unitCode })}>
        <FieldProblems problems={shown} field="unitCode" />
      </UnitSelect>
      {draft.kind === 'person' ? (
        <>
          <label>
            {labels.password}
            <input name="password" type="password" value={draft.password} maxLength={256} autoComplete="new-password" aria-describedby={policyId} onChange={(e) => set({ password: e.target.value })} />
            <FieldProblems problems={shown} field="password" />
          </label>
          <small id={policyId} className="muted">
            {t('admin.user.passwordPolicy')}
          </small>
        </>
      ) : (
        <p className="muted">{t('admin.keys.serviceHelp')}</p>
      )}
      <h3>{labels.assignments}</h3>
      <AssignmentsEditor value={draft.assignments} kind={draft.kind} problems={shown} onChange={(assignments) => set({ assignments })} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {t('admin.users.create')}
        </button>
      </div>
      <ProblemList message={failure?.message ?? null} problems={failure?.fields ?? []} labels={labels} />
    </form>
  );
}
