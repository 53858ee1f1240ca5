import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

export interface PGliteResult<R> {
  rows: R[];
  affectedRows?: number;
}

/** A PostgreSQL error raised in the database thread, with the protocol's fields (code, constraint…). */
export class PGliteError extends Error {
  code?: string;
  detail?: string;
  constraint?: string;
}

/** A compiled WebAssembly module (the API is a JavaScript global; TypeScript types it only in the DOM library). */
type WasmModule = object;
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> };

interface CompiledPGlite {
  pgliteWasmModule: WasmModule;
  initdbWasmModule: WasmModule;
}

let compiled: Promise<CompiledPGlite> | undefined;

/**
 * PGlite's WebAssembly, compiled once per process and handed to every database thread (a module
 * crosses threads without being compiled again: each open saves about a second).
 */
function compiledPGlite(): Promise<CompiledPGlite> {
  compiled ??= (async () => {
    const dist = new URL('.', import.meta.resolve('@electric-sql/pglite'));
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all(['pglite.wasm', 'initdb.wasm'].map(async (f) => WebAssembly.compile(await readFile(new URL(f, dist)))));
    return { pgliteWasmModule: pgliteWasmModule!, initdbWasmModule: initdbWasmModule! };
  })();
  return compiled;
}

/**
 * PGlite in a worker thread (pglite.worker.mjs): the embedded database's statements run beside the
 * event loop instead of on it. One connection: the caller serializes transactions (the dialect's
 * lock); requests are answered in order.
 */
export class PGliteClient {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (r: PGliteResult<unknown>) => void; reject: (e: Error) => void }>();
  private dead: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: { id: number; result?: PGliteResult<unknown>; error?: Record<string, unknown> & { message: string } }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.error) p.reject(Object.assign(new PGliteError(m.error.message), m.error));
      else p.resolve(m.result!);
    });
    const fail = (e: Error) => {
      this.dead = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new Error(`the embedded database thread failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`the embedded database thread has stopped (exit code ${code})`)));
  }

  /** Starts the thread and opens PGlite in `dir` (in memory when undefined). */
  static async open(dir: string | undefined): Promise<PGliteClient> {
    const modules = await compiledPGlite();
    // No inherited preloads (`--import tsx`, a benchmark's watcher): the thread is plain JavaScript.
    const worker = new Worker(new URL('./pglite.worker.mjs', import.meta.url), { workerData: { dir, ...modules }, execArgv: [] });
    return new Promise((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the embedded database thread stopped while opening (exit code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (m: { ready?: true; failed?: { message: string } }) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (m.ready) {
          worker.unref();
          resolve(new PGliteClient(worker));
        }
        else {
          void worker.terminate();
          reject(new Error(m.failed?.message ?? 'the embedded database could not be opened'));
        }
      });
    });
  }

  query<R>(sql: string, params: readonly unknown[]): Promise<PGliteResult<R>> {
    return this.send({ op: 'query', sql, params }) as Promise<PGliteResult<R>>;
  }

  /** A script of statements without parameters (simple protocol); the last statement's result. */
  exec<R>(sql: string): Promise<PGliteResult<R>> {
    return this.send({ op: 'exec', sql }) as Promise<PGliteResult<R>>;
  }

  /** Closes the database (its files are consistent) and stops the thread. */
  async close(): Promise<void> {
    if (this.dead) return;
    await this.send({ op: 'close' });
    await this.worker.terminate();
  }

  private send(msg: { op: string; sql?: string; params?: readonly unknown[] }): Promise<PGliteResult<unknown>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    // The thread keeps the process alive only while a request is under way (an idle database left
    // open must not hold a finished program, or a test run, forever).
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...msg });
    });
  }
}
