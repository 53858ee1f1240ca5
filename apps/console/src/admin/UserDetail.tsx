import { api } from '../api/client.ts';
import type { AdminUserView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime } from '../shared/format.ts';
import { useAsync } from '../shared/useAsync.ts';
import { ApiKeysPanel } from './ApiKeysPanel.tsx';
import { mayGive } from './assignments.ts';
import { PasswordResetForm } from './PasswordResetForm.tsx';
import { UserAccountForm } from './UserAccountForm.tsx';
import { UserAssignmentsForm } from './UserAssignmentsForm.tsx';

/** One user: their account (name, disabled), roles, password and API keys — each change refused with the reason where one may not make it. */
export function UserDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t, pick, lang } = useI18n();
  const session = useSession();
  const user = useAsync((signal) => api<AdminUserView>('GET', `/api/v1/users/${encodeURIComponent(id)}`, undefined, { signal }), [id]);
  if (user.error) {
    return (
      <p className="error" role="alert">
        {t('app.error', { message: user.error.message })}
      </p>
    );
  }
  if (!user.data) return <p role="status">{t('app.loading')}</p>;
  const u = user.data;
  // The server refuses changes to an account holding authority beyond one's own (delegations it received included).
  const refusal = u.assignments.every((a) => mayGive(session.grants, session.tree, a)) ? undefined : t('admin.user.beyondScope');
  const changed = () => (user.reload(), onChanged());
  return (
    <article className="user-detail" aria-labelledby="user-title" data-user={u.username}>
      <h2 id="user-title">
        {u.displayName} <code>{u.username}</code>
      </h2>
      <dl className="facts">
        <dt>{t('admin.user.kind')}</dt>
        <dd>{u.kind === 'service' ? t('admin.user.service') : t('admin.user.person')}</dd>
        <dt>{t('admin.user.home')}</dt>
        <dd>{pick(session.unitsByCode.get(u.unitCode)?.name) || u.unitCode}</dd>
        <dt>{t('admin.user.status')}</dt>
        <dd>{[u.disabled ? t('admin.user.disabled') : t('admin.user.enabled'), u.locked ? t('admin.user.locked') : ''].filter(Boolean).join(' · ')}</dd>
        <dt>{t('admin.user.created')}</dt>
        <dd>{formatDateTime(u.createdAt, lang)}</dd>
      </dl>
      {refusal && <p className="notice">{refusal}</p>}
      <UserAccountForm key={`a:${u.updatedAt}`} user={u} refusal={refusal} onSaved={changed} />
      <UserAssignmentsForm key={`r:${u.updatedAt}`} user={u} refusal={refusal} onSaved={changed} />
      <PasswordResetForm user={u} refusal={refusal} />
      <ApiKeysPanel user={u} refusal={refusal} />
    </article>
  );
}
