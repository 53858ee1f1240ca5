import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ADMIN_TABS, type AdminTab, routeHash } from '../shared/route.ts';
import { adminTabs, mayOpenTab, tabPermission } from './admin-access.ts';
import { AuditPage } from './AuditPage.tsx';
import { DelegationsPage } from './DelegationsPage.tsx';
import { OrgTreePage } from './OrgTreePage.tsx';
import { UsersPage } from './UsersPage.tsx';

/** Administration: the org tree, users and their roles and keys, delegations, the audit log — the tabs the user may use. */
export function AdminPage({ tab, id }: { tab: AdminTab | undefined; id: string | undefined }) {
  const { t } = useI18n();
  const session = useSession();
  const tabs = adminTabs(session.grants, ADMIN_TABS);
  const current = tab ?? tabs[0];
  return (
    <div className="admin">
      <header className="view-header">
        <h1>{t('admin.title')}</h1>
        <div className="admin-tabs" role="group" aria-label={t('admin.tabs')}>
          {tabs.map((x) => (
            <a key={x} href={routeHash({ view: 'admin', tab: x })} aria-current={x === current ? 'page' : undefined}>
              {t(`admin.tab.${x}`)}
            </a>
          ))}
        </div>
      </header>
      {current === undefined ? (
        <p className="muted">{t('admin.nothing')}</p>
      ) : !mayOpenTab(session.grants, current) ? (
        <p className="notice" role="alert">
          {t('admin.noPermission', { permission: tabPermission(current) ?? '' })}
        </p>
      ) : current === 'units' ? (
        <OrgTreePage />
      ) : current === 'users' ? (
        <UsersPage selectedId={id} />
      ) : current === 'delegations' ? (
        <DelegationsPage />
      ) : (
        <AuditPage />
      )}
    </div>
  );
}
