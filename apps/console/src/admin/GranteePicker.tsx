import { useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import type { AdminUserView } from '../api/types.ts';
import { allowsSomewhere } from '../auth/permissions.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useAsync } from '../shared/useAsync.ts';
import { useDebounced } from '../shared/useDebounced.ts';
import { FieldProblems } from './FieldProblems.tsx';
import type { Problem } from './form-errors.ts';

/**
 * The person to delegate to. Admins (user.manage) find them by name; anyone else enters the
 * person's user id (each user sees their own on this page), as the API lists users to admins only.
 */
export function GranteePicker({ value, onChange, problems }: { value: string; onChange: (id: string) => void; problems: readonly Problem[] }) {
  const { t } = useI18n();
  const session = useSession();
  const canSearch = allowsSomewhere(session.grants, 'user.manage');
  const [text, setText] = useState('');
  const q = useDebounced(text.trim());
  const found = useAsync(
    (signal) => (canSearch && q ? api<{ items: AdminUserView[] }>('GET', withQuery('/api/v1/users', { q, kind: 'person', limit: 20 }), undefined, { signal }) : Promise.resolve({ items: [] })),
    [canSearch, q],
  );
  const people = (found.data?.items ?? []).filter((u) => u.id !== session.user.id && !u.disabled);
  if (!canSearch) {
    return (
      <label>
        {t('admin.delegation.granteeId')}
        <input name="granteeId" value={value} maxLength={64} autoComplete="off" onChange={(e) => onChange(e.target.value)} />
        <small className="muted">{t('admin.delegation.granteeIdHelp')}</small>
        <FieldProblems problems={problems} field="granteeId" />
      </label>
    );
  }
  return (
    <>
      <label>
        {t('admin.delegation.findGrantee')}
        <input type="search" name="granteeSearch" value={text} maxLength={100} onChange={(e) => setText(e.target.value)} />
      </label>
      <label>
        {t('admin.delegation.grantee')}
        <select name="granteeId" value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{q ? t('admin.delegation.found', { count: people.length }) : '—'}</option>
          {people.map((u) => (
            <option key={u.id} value={u.id}>
              {u.displayName} ({u.username})
            </option>
          ))}
        </select>
        <FieldProblems problems={problems} field="granteeId" />
      </label>
    </>
  );
}
