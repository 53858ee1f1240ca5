import { OrgTree, type Sector } from '@haidang/domain';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, ApiError, setCsrfToken, setUnauthorizedHandler } from '../api/client.ts';
import type { SessionView, UnitView } from '../api/types.ts';
import { LoginPage } from './LoginPage.tsx';

export interface Session extends SessionView {
  /** Every unit of the org tree (names and codes are readable by every user). */
  units: UnitView[];
  unitsByCode: Map<string, UnitView>;
  /** The active areas (city, districts, wards, communes, special zones): the places filters offer. */
  areas: UnitView[];
  tree: OrgTree;
  signOut: () => Promise<void>;
}

const Ctx = createContext<Session | null>(null);

const AREA_KINDS: ReadonlySet<string> = new Set(['city', 'district', 'ward', 'commune', 'special_zone']);

async function loadSession(): Promise<Omit<Session, 'signOut'>> {
  const s = await api<SessionView>('GET', '/api/v1/auth/session');
  setCsrfToken(s.csrfToken);
  const { items } = await api<{ items: UnitView[] }>('GET', '/api/v1/units?status=all');
  const tree = new OrgTree(items.map((u) => ({ code: u.code, parent: u.parent, status: u.status, successor: u.successor, sector: u.sector as Sector | null })));
  const areas = items.filter((u) => u.status === 'active' && AREA_KINDS.has(u.kind));
  return { ...s, units: items, unitsByCode: new Map(items.map((u) => [u.code, u])), areas, tree };
}

/** Holds the signed-in session; shows the sign-in page when there is none or it ends. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Omit<Session, 'signOut'> | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const refresh = useCallback(async () => {
    try {
      setSession(await loadSession());
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setSession(null);
      else throw e;
    }
  }, []);
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setExpired(true);
      setSession(null);
    });
    void refresh();
  }, [refresh]);
  const signOut = useCallback(async () => {
    await api('POST', '/api/v1/auth/logout').catch(() => undefined);
    setCsrfToken(null);
    setExpired(false);
    setSession(null);
  }, []);
  const value = useMemo(() => (session ? { ...session, signOut } : null), [session, signOut]);
  if (session === undefined) return <div className="loading" role="status" />;
  if (!value) return <LoginPage expired={expired} onSignedIn={() => void refresh().then(() => setExpired(false))} />;
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
