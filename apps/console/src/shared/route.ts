import { useEffect, useState } from 'react';

/** The tabs of the administration view. */
export const ADMIN_TABS = ['units', 'users', 'delegations', 'audit'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

export type Route =
  | { view: 'overview'; unit?: string }
  | { view: 'alerts'; id?: string }
  | { view: 'devices'; id?: string }
  | { view: 'rules'; id?: string }
  | { view: 'wall' }
  | { view: 'admin'; tab?: AdminTab; id?: string }
  | { view: 'not-found'; path: string };

/** The admin route of `#/admin/<tab>/<id>`; undefined for a tab that does not exist. */
function adminRoute(tab: string | undefined, id: string | undefined): Route | undefined {
  if (tab === undefined) return { view: 'admin' };
  if (!(ADMIN_TABS as readonly string[]).includes(tab)) return undefined;
  return id ? { view: 'admin', tab: tab as AdminTab, id } : { view: 'admin', tab: tab as AdminTab };
}

/** Reads the route off the location hash: `#/overview`, `#/overview/492`, `#/alerts`, `#/alerts/17`, `#/devices/aq-hc-001`, `#/admin/users/<id>`. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [view, arg] = parts;
  if (view === undefined || view === 'overview') return arg ? { view: 'overview', unit: arg } : { view: 'overview' };
  if (view === 'alerts') return arg ? { view: 'alerts', id: arg } : { view: 'alerts' };
  if (view === 'devices') return arg ? { view: 'devices', id: arg } : { view: 'devices' };
  if (view === 'rules') return arg ? { view: 'rules', id: arg } : { view: 'rules' };
  if (view?.split('?')[0] === 'wall') return { view: 'wall' };
  if (view === 'admin') return adminRoute(arg, parts[2]) ?? { view: 'not-found', path: parts.join('/') };
  return { view: 'not-found', path: parts.join('/') };
}

/** The hash of a route (links and navigation). */
export function routeHash(r: Route): string {
  switch (r.view) {
    case 'overview':
      return r.unit ? `#/overview/${encodeURIComponent(r.unit)}` : '#/overview';
    case 'alerts':
      return r.id ? `#/alerts/${encodeURIComponent(r.id)}` : '#/alerts';
    case 'devices':
      return r.id ? `#/devices/${encodeURIComponent(r.id)}` : '#/devices';
    case 'rules':
      return r.id ? `#/rules/${encodeURIComponent(r.id)}` : '#/rules';
    case 'wall':
      return '#/wall';
    case 'admin':
      if (!r.tab) return '#/admin';
      return r.id ? `#/admin/${r.tab}/${encodeURIComponent(r.id)}` : `#/admin/${r.tab}`;
    case 'not-found':
      return `#/${r.path}`;
  }
}

export const navigate = (r: Route): void => void (location.hash = routeHash(r));

/** The current route, following the hash. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
