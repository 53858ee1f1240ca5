/** Starts load-generator processes (load-worker.ts), hands them their slice, and collects results. */
import { fork, type ChildProcess } from 'node:child_process';
import type { LoadResult, LoadTask } from '../load-worker.ts';

const WORKER = new URL('../load-worker.ts', import.meta.url).pathname;

export interface WorkerGroup {
  pids: number[];
  /** Readings sent and acknowledged so far, summed over workers (updated each second). */
  progress(): { sentReadings: number; ackedReadings: number };
  /** Starts the load in every worker at once; resolves with every worker's result. */
  go(): Promise<LoadResult[]>;
  kill(): void;
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; sentReadings: number; ackedReadings: number }
  | { type: 'done'; result: LoadResult }
  | { type: 'failed'; error: string };

/** Forks one worker per task and waits until each has connected. */
export async function startWorkers(tasks: LoadTask[]): Promise<WorkerGroup> {
  const children: ChildProcess[] = [];
  const progress = tasks.map(() => ({ sentReadings: 0, ackedReadings: 0 }));
  const results: Promise<LoadResult>[] = [];
  const ready: Promise<void>[] = [];
  tasks.forEach((task, i) => {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    let onReady!: () => void;
    let onFail!: (e: Error) => void;
    ready.push(new Promise<void>((res, rej) => ((onReady = res), (onFail = rej))));
    results.push(
      new Promise<LoadResult>((resolve, reject) => {
        child.on('message', (m: FromWorker) => {
          if (m.type === 'ready') onReady();
          else if (m.type === 'progress') progress[i] = { sentReadings: m.sentReadings, ackedReadings: m.ackedReadings };
          else if (m.type === 'done') resolve(m.result);
          else if (m.type === 'failed') {
            const e = new Error(`load worker ${i} failed: ${m.error}`);
            onFail(e);
            reject(e);
          }
        });
        child.once('exit', (code) => {
          const e = new Error(`load worker ${i} exited (${code}) before reporting`);
          onFail(e);
          reject(e);
        });
      }),
    );
    // A rejection nobody awaits yet must not crash the run; go() and the ready wait report it.
    results[i]!.catch(() => undefined);
    child.send({ type: 'task', task });
  });
  try {
    await Promise.all(ready);
  } catch (e) {
    for (const c of children) c.kill();
    throw e;
  }
  return {
    pids: children.map((c) => c.pid!),
    progress: () => progress.reduce((a, p) => ({ sentReadings: a.sentReadings + p.sentReadings, ackedReadings: a.ackedReadings + p.ackedReadings }), { sentReadings: 0, ackedReadings: 0 }),
    go() {
      for (const c of children) c.send({ type: 'go' });
      return Promise.all(results);
    },
    kill() {
      for (const c of children) if (c.exitCode === null) c.kill();
    },
  };
}
