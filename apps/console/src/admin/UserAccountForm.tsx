import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import type { AdminUserView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { FieldProblems } from './FieldProblems.tsx';
import { type Problem, problemsOf } from './form-errors.ts';
import { ProblemList } from './ProblemList.tsx';

/** A user's display name, and disabling (which ends their sessions at once) or enabling the account. */
export function UserAccountForm({ user, refusal, onSaved }: { user: AdminUserView; refusal: string | undefined; onSaved: () => void }) {
  const { t } = useI18n();
  const session = useSession();
  const [name, setName] = useState(user.displayName);
  const [failure, setFailure] = useState<{ message: string | null; fields: Problem[] }>({ message: null, fields: [] });
  const [busy, setBusy] = useState(false);
  const labels = { displayName: t('admin.user.displayName'), disabled: t('admin.user.status') };
  const patch = async (body: { displayName?: string; disabled?: boolean }) => {
    setBusy(true);
    try {
      await api('PATCH', `/api/v1/users/${encodeURIComponent(user.id)}`, body);
      setFailure({ message: null, fields: [] });
      onSaved();
    } catch (err) {
      setFailure(problemsOf(err));
    } finally {
      setBusy(false);
    }
  };
  const save = (e: FormEvent) => (e.preventDefault(), void patch({ displayName: name }));
  const toggle = () => {
    if (!user.disabled && !confirm(t('admin.user.confirmDisable'))) return;
    void patch({ disabled: !user.disabled });
  };
  const disableRefusal = refusal ?? (user.id === session.user.id ? t('admin.user.notSelf') : undefined);
  return (
    <form className="admin-form" aria-label={t('admin.user.account')} onSubmit={save}>
      <h3>{t('admin.user.account')}</h3>
      <label>
        {labels.displayName}
        <input name="displayName" value={name} maxLength={200} disabled={!!refusal} onChange={(e) => setName(e.target.value)} />
        <FieldProblems problems={failure.fields} field="displayName" />
      </label>
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy || !!refusal || name === user.displayName} title={refusal}>
          {t('admin.save')}
        </button>
        <button type="button" className={user.disabled ? '' : 'danger'} disabled={busy || !!disableRefusal} title={disableRefusal} onClick={toggle}>
          {user.disabled ? t('admin.user.enable') : t('admin.user.disable')}
        </button>
      </div>
      <ProblemList message={failure.message} problems={failure.fields} labels={labels} />
    </form>
  );
}
