import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import type { AlertEventView, AlertView } from '../api/types.ts';

export interface StreamedAlert {
  event: AlertEventView;
  alert: AlertView;
}

type Listener = (e: StreamedAlert) => void;

interface StreamCtx {
  connected: boolean;
  subscribe: (l: Listener) => () => void;
}

const Ctx = createContext<StreamCtx | null>(null);

/**
 * One live alert stream per console (`/api/v1/live/alerts`, Server-Sent Events) shared by every
 * view. The browser's EventSource reconnects by itself and sends Last-Event-ID, so a dropped
 * connection misses nothing.
 */
export function AlertStreamProvider({ children }: { children: ReactNode }) {
  const [connected, setConnected] = useState(false);
  const listeners = useRef(new Set<Listener>());
  const [ctx] = useState<Omit<StreamCtx, 'connected'>>(() => ({
    subscribe: (l) => {
      listeners.current.add(l);
      return () => listeners.current.delete(l);
    },
  }));
  useEffect(() => {
    const es = new EventSource('/api/v1/live/alerts', { withCredentials: true });
    es.addEventListener('ready', () => setConnected(true));
    es.addEventListener('alert', (m) => {
      let e: StreamedAlert;
      try {
        e = JSON.parse((m as MessageEvent<string>).data) as StreamedAlert;
      } catch {
        return; // a malformed event is skipped; the next list refresh shows the truth
      }
      for (const l of listeners.current) l(e);
    });
    es.addEventListener('error', () => setConnected(es.readyState === EventSource.OPEN));
    return () => es.close();
  }, []);
  return <Ctx.Provider value={{ connected, subscribe: ctx.subscribe }}>{children}</Ctx.Provider>;
}

/** Calls `onEvent` with every alert event of the live stream while the component is mounted. */
export function useAlertEvents(onEvent: Listener): { connected: boolean } {
  const c = useContext(Ctx);
  if (!c) throw new Error('useAlertEvents outside AlertStreamProvider');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const { subscribe } = c;
  useEffect(() => subscribe((e) => handler.current(e)), [subscribe]);
  return { connected: c.connected };
}
