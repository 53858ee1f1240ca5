import { checkPassword } from '@haidang/domain';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/client.ts';
import type { AdminUserView } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { FieldProblems } from './FieldProblems.tsx';
import { type Problem, problemsOf } from './form-errors.ts';
import { ProblemList } from './ProblemList.tsx';

/** Sets a person's password (their sessions end); service accounts have none. */
export function PasswordResetForm({ user, refusal }: { user: AdminUserView; refusal: string | undefined }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const [failure, setFailure] = useState<{ message: string | null; fields: Problem[] }>({ message: null, fields: [] });
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const policyId = useId();
  if (user.kind !== 'person') return null;
  const labels = { password: t('admin.user.newPassword') };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    const problems = checkPassword(password, { username: user.username });
    if (problems.length) return setFailure({ message: null, fields: problems });
    setBusy(true);
    try {
      await api('PUT', `/api/v1/users/${encodeURIComponent(user.id)}/password`, { password });
      setPassword('');
      setFailure({ message: null, fields: [] });
      setDone(true);
    } catch (err) {
      setFailure(problemsOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="admin-form" aria-label={t('admin.user.resetPassword')} onSubmit={(e) => void submit(e)}>
      <h3>{t('admin.user.resetPassword')}</h3>
      <label>
        {labels.password}
        <input name="password" type="password" value={password} maxLength={256} autoComplete="new-password" aria-describedby={policyId} disabled={!!refusal} onChange={(e) => (setPassword(e.target.value), setDone(false))} />
        <FieldProblems problems={failure.fields} field="password" />
      </label>
      <small id={policyId} className="muted">
        {t('admin.user.passwordPolicy')}
      </small>
      <div className="buttons">
        <button type="submit" disabled={busy || !!refusal || !password} title={refusal}>
          {t('admin.user.setPassword')}
        </button>
      </div>
      {done && (
        <p className="ok" role="status">
          {t('admin.user.passwordSet')}
        </p>
      )}
      <ProblemList message={failure.message} problems={failure.fields} labels={labels} />
    </form>
  );
}
