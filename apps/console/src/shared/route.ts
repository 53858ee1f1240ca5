import { useEffect, useState } from 'react';

export type Route = { view: 'overview'; unit?: string } | { view: 'alerts'; id?: string } | { view: 'not-found'; path: string };

/** Reads the route off the location hash: `#/overview`, `#/overview/492`, `#/alerts`, `#/alerts/17`. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [view, arg] = parts;
  if (view === undefined || view === 'overview') return arg ? { view: 'overview', unit: arg } : { view: 'overview' };
  if (view === 'alerts') return arg ? { view: 'alerts', id: arg } : { view: 'alerts' };
  return { view: 'not-found', path: parts.join('/') };
}

/** The hash of a route (links and navigation). */
export function routeHash(r: Route): string {
  switch (r.view) {
    case 'overview':
      return r.unit ? `#/overview/${encodeURIComponent(r.unit)}` : '#/overview';
    case 'alerts':
      return r.id ? `#/alerts/${encodeURIComponent(r.id)}` : '#/alerts';
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
