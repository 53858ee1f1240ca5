import { useEffect, useRef } from 'react';
import { useAlertEvents } from './AlertStream.tsx';

/**
 * Calls `reload` after live alert events (once per burst: a storm brings many at once, `debounceMs`
 * apart at most) and every `everyMs` when nothing else prompts it.
 */
export function useLiveRefresh(reload: () => void, { debounceMs, everyMs }: { debounceMs: number; everyMs: number }): void {
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  useAlertEvents(() => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      reload();
    }, debounceMs);
  });
  useEffect(() => {
    const timer = setInterval(reload, everyMs);
    return () => {
      clearInterval(timer);
      if (pending.current) clearTimeout(pending.current);
      pending.current = undefined;
    };
  }, [reload, everyMs]);
}
