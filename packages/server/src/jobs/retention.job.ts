import type { Clock, Logger, ReadingStore, Resolution } from '../services/ports.ts';

const DAY = 86_400_000;

export interface RetentionPolicy {
  rawDays: number;
  minuteDays: number;
  hourDays: number;
}

/** The cut-off instants of a policy at `now`; 0 days means keep forever. */
export function retentionCutoffs(p: RetentionPolicy, now: number): Partial<Record<Resolution, number>> {
  const out: Partial<Record<Resolution, number>> = {};
  if (p.rawDays > 0) out.raw = now - p.rawDays * DAY;
  if (p.minuteDays > 0) out['1m'] = now - p.minuteDays * DAY;
  if (p.hourDays > 0) out['1h'] = now - p.hourDays * DAY;
  return out;
}

/** Deletes data past its retention once at start and then every `intervalMs`. */
export function startRetentionJob(opts: { store: ReadingStore; policy: RetentionPolicy; clock: Clock; log: Logger; intervalMs?: number }): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = running.then(async () => {
      try {
        const deleted = await opts.store.purge(retentionCutoffs(opts.policy, opts.clock()));
        if (deleted.raw + deleted['1m'] + deleted['1h'] > 0) opts.log.info({ deleted }, 'retention: old data deleted');
      } catch (e) {
        opts.log.error({ err: (e as Error).message }, 'retention job failed; next run will retry');
      }
    });
  };
  const timer = setInterval(run, opts.intervalMs ?? 3_600_000);
  timer.unref();
  run();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
