import { ROLE_LABELS } from '@haidang/domain';
import { useCallback, useEffect, useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import type { AdminUserView, UnitView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { navigate, routeHash } from '../shared/route.ts';
import { useAsync } from '../shared/useAsync.ts';
import { useDebounced } from '../shared/useDebounced.ts';
import { inManageScope } from './assignments.ts';
import { Pager } from './Pager.tsx';
import { pageInfo, stepPage } from './paging.ts';
import { UnitSelect } from './UnitSelect.tsx';
import { UserCreateForm } from './UserCreateForm.tsx';
import { UserDetail } from './UserDetail.tsx';

const PAGE = 50;

/** Users in one's scope, searchable, in pages; the selected user, or the form for a new one. */
export function UsersPage({ selectedId }: { selectedId: string | undefined }) {
  const { t, pick } = useI18n();
  const session = useSession();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim());
  const [unit, setUnit] = useState('');
  const [offset, setOffset] = useState(0);
  useEffect(() => setOffset(0), [q]);
  const list = useAsync((signal) => api<{ items: AdminUserView[]; total: number }>('GET', withQuery('/api/v1/users', { q, unit, limit: PAGE, offset }), undefined, { signal }), [q, unit, offset]);
  const keep = useCallback((u: UnitView) => inManageScope(session.grants, session.tree, u.code), [session.grants, session.tree]);
  const total = list.data?.total ?? 0;
  const unitName = (code: string) => pick(session.unitsByCode.get(code)?.name) || code;
  return (
    <div className="users">
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label className="grow">
          {t('admin.users.search')}
          <input type="search" name="q" value={text} maxLength={100} onChange={(e) => setText(e.target.value)} />
        </label>
        <UnitSelect label={t('alerts.unit')} name="unit" value={unit} keep={keep} empty={t('alerts.any')} onChange={(u) => (setUnit(u), setOffset(0))} />
        <a className="button primary" href={routeHash({ view: 'admin', tab: 'users', id: 'new' })}>
          {t('admin.users.new')}
        </a>
      </form>
      {list.error && (
        <p className="error" role="alert">
          {t('app.error', { message: list.error.message })}
        </p>
      )}
      <div className="inbox-body">
        <section className="device-list" aria-label={t('admin.tab.users')}>
          {!list.data && list.loading && <p className="muted">{t('app.loading')}</p>}
          {list.data && total === 0 && <p className="muted">{t('admin.users.none')}</p>}
          <ul>
            {list.data?.items.map((u) => (
              <li key={u.id} className={u.id === selectedId ? 'selected' : ''} data-user={u.username}>
                <a href={routeHash({ view: 'admin', tab: 'users', id: u.id })} aria-current={u.id === selectedId ? 'true' : undefined}>
                  <span className="title">
                    {u.displayName} <code>{u.username}</code>
                    {u.kind === 'service' && <span className="badge kind">{t('admin.user.service')}</span>}
                    {u.disabled && <span className="badge retired">{t('admin.user.disabled')}</span>}
                    {u.locked && <span className="badge retired">{t('admin.user.locked')}</span>}
                  </span>
                  <span className="meta">
                    {unitName(u.unitCode)} · {u.assignments.map((a) => `${pick(ROLE_LABELS[a.role])} @ ${unitName(a.unitCode)}${a.sector ? ` (${a.sector})` : ''}`).join('; ') || t('admin.user.noRoles')}
                  </span>
                </a>
              </li>
            ))}
          </ul>
          <Pager info={pageInfo(offset, PAGE, total)} onStep={(dir) => setOffset(stepPage(offset, PAGE, total, dir))} />
        </section>
        <section className="alert-detail-panel">
          {selectedId === 'new' ? (
            <UserCreateForm onCreated={(u) => (list.reload(), navigate({ view: 'admin', tab: 'users', id: u.id }))} />
          ) : selectedId ? (
            <UserDetail key={selectedId} id={selectedId} onChanged={list.reload} />
          ) : (
            <p className="muted">{t('admin.users.select')}</p>
          )}
        </section>
      </div>
    </div>
  );
}
