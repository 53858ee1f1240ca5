import { ROLE_LABELS } from '@haidang/domain';
import { lazy, Suspense } from 'react';
import { showsAdmin } from './admin/admin-access.ts';
import { AlertInbox } from './alerts/AlertInbox.tsx';
import { AlertStreamProvider, useAlertEvents } from './alerts/AlertStream.tsx';
import { allowsSomewhere } from './auth/permissions.ts';
import { SessionProvider, useSession } from './auth/session.tsx';
import { I18nProvider, useI18n } from './i18n/i18n.tsx';
import { DevicesPage } from './devices/DevicesPage.tsx';
import { OverviewPage } from './overview/OverviewPage.tsx';
import { RulesPage } from './rules/RulesPage.tsx';
import { LanguageSwitch } from './shared/LanguageSwitch.tsx';
import { VideoWall } from './wall/VideoWall.tsx';
import { type Route, routeHash, useRoute } from './shared/route.ts';

// Administration is used by few, and rarely: its code loads when it is opened.
const AdminPage = lazy(() => import('./admin/AdminPage.tsx').then((m) => ({ default: m.AdminPage })));

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <AlertStreamProvider>
          <Shell />
        </AlertStreamProvider>
      </SessionProvider>
    </I18nProvider>
  );
}

function Shell() {
  const { t, pick } = useI18n();
  const session = useSession();
  const route = useRoute();
  const { connected } = useAlertEvents(() => undefined);
  if (route.view === 'wall') return <VideoWall />;
  const scope = session.grants.map((g) => `${pick(ROLE_LABELS[g.role])} · ${pick(session.unitsByCode.get(g.unitCode)?.name) || g.unitCode}${g.sector ? ` (${g.sector})` : ''}`).join('; ');
  const nav: { route: Route; label: string; show: boolean }[] = [
    { route: { view: 'overview' }, label: t('nav.overview'), show: allowsSomewhere(session.grants, 'device.read') },
    { route: { view: 'alerts' }, label: t('nav.alerts'), show: allowsSomewhere(session.grants, 'alert.read') },
    { route: { view: 'devices' }, label: t('nav.devices'), show: allowsSomewhere(session.grants, 'device.read') },
    { route: { view: 'rules' }, label: t('nav.rules'), show: allowsSomewhere(session.grants, 'alert.read') },
    { route: { view: 'wall' }, label: t('nav.wall'), show: allowsSomewhere(session.grants, 'device.read') },
    { route: { view: 'admin' }, label: t('nav.admin'), show: showsAdmin(session.grants) },
  ];
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="#/overview">
          <span className="brand-mark" aria-hidden="true">◉</span> {t('app.short')}
        </a>
        <nav aria-label={t('nav.main')}>
          {nav
            .filter((n) => n.show)
            .map((n) => (
              <a key={n.route.view} href={routeHash(n.route)} aria-current={route.view === n.route.view ? 'page' : undefined}>
                {n.label}
              </a>
            ))}
        </nav>
        <span className={`live-dot ${connected ? 'on' : 'off'}`} title={connected ? t('app.live') : t('app.reconnecting')} />
        <span className="who" title={t('app.scope', { scope })}>
          {t('app.signedInAs', { name: session.user.displayName || session.user.username })}
        </span>
        <LanguageSwitch />
        <button type="button" onClick={() => void session.signOut()}>
          {t('app.signOut')}
        </button>
      </header>
      <main className="content">
        {route.view === 'overview' && <OverviewPage unit={route.unit} />}
        {route.view === 'alerts' && <AlertInbox selectedId={route.id} />}
        {route.view === 'devices' && <DevicesPage selectedId={route.id} />}
        {route.view === 'rules' && <RulesPage selectedId={route.id} />}
        {route.view === 'admin' && (
          <Suspense fallback={<p role="status">{t('app.loading')}</p>}>
            <AdminPage tab={route.tab} id={route.id} />
          </Suspense>
        )}
        {route.view === 'not-found' && <OverviewPage unit={undefined} />}
      </main>
    </div>
  );
}
