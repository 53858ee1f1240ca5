import { useEffect, useState } from 'react';

export type Route = { view: 'overview'; unit?: string } | { view: 'alerts'; id?: string } | { view: 'devices'; id?: string } | { view: 'rules'; id?: string } | { view: 'wall' } | { view: 'not-found'; path: string };

/** Reads the route off the location hash: `#/overview`, `#/overview/492`, `#/alerts`, `#/alerts/17`, `#/devices/aq-hc-001`. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [view, arg] = parts;
  if (view === undefined || view === 'overview') return arg ? { view: 'overview', unit: arg } : { view: 'overview' };
  if (view === 'alerts') return arg ? { view: 'alerts', id: arg } : { view: 'alerts' };
  if (view === 'devices') return arg ? { view: 'devices', id: arg } : { view: 'devices' };
  if (view === 'rules') return arg ? { view: 'rules', id: arg } : { view: 'rules' };
  if (view?.split('?')[0] === 'wall') return { view: 'wall' };
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
