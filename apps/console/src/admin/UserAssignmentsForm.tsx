import { type FormEvent, useMemo, useState } from 'react';
import { api } from '../api/client.ts';
import type { AdminUserView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { type AssignmentDraft, assignmentProblems, assignmentsBody } from './assignments.ts';
import { AssignmentsEditor } from './AssignmentsEditor.tsx';
import { type Problem, problemsOf } from './form-errors.ts';
import { ProblemList } from './ProblemList.tsx';

/** Replaces a user's role assignments (the whole list at once, as the API does). */
export function UserAssignmentsForm({ user, refusal, onSaved }: { user: AdminUserView; refusal: string | undefined; onSaved: () => void }) {
  const { t } = useI18n();
  const session = useSession();
  const [list, setList] = useState<AssignmentDraft[]>(user.assignments);
  const [failure, setFailure] = useState<{ message: string | null; fields: Problem[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const problems = useMemo(() => assignmentProblems(list, session.grants, session.tree, user.kind), [list, session.grants, session.tree, user.kind]);
  const labels = { assignments: t('admin.user.assignments'), role: t('admin.assignment.role'), unitCode: t('admin.assignment.unit'), sector: t('admin.assignment.sector') };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (problems.length) return setFailure({ message: t('rule.problems', { count: problems.length }), fields: problems });
    setBusy(true);
    try {
      await api('PUT', `/api/v1/users/${encodeURIComponent(user.id)}/assignments`, assignmentsBody(list));
      onSaved();
    } catch (err) {
      setFailure(problemsOf(err));
    } finally {
      setBusy(false);
    }
  };
  const shown = failure?.fields ?? problems;
  return (
    <form className="admin-form" aria-label={t('admin.user.assignments')} onSubmit={(e) => void submit(e)}>
      <h3>{t('admin.user.assignments')}</h3>
      <AssignmentsEditor value={list} kind={user.kind} problems={shown} disabled={!!refusal} onChange={(next) => (setList(next), setFailure(null))} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy || !!refusal} title={refusal}>
          {t('admin.user.saveAssignments')}
        </button>
      </div>
      <ProblemList message={failure?.message ?? null} problems={failure?.fields ?? []} labels={labels} />
    </form>
  );
}
