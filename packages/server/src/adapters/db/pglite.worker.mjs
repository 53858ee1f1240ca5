// The embedded database's thread: PGlite (PostgreSQL compiled to WebAssembly) runs every statement
// synchronously on the thread that calls it, so it lives here, off the IOC's event loop, and MQTT,
// HTTP, rules and live streams go on while a batch commits. Plain JavaScript: worker threads do not
// inherit the TypeScript loader. The protocol is pglite-client.ts's.
//
// In:  { id, op: 'query', sql, params } | { id, op: 'exec', sql } | { id, op: 'close' }
// Out: { ready: true } once open, { failed: { message } } if it cannot open,
//      { id, result } or { id, error: { message, code, detail, … } } per request.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** The fields of a PostgreSQL error worth keeping (PGlite's DatabaseError carries the protocol's). */
const ERROR_FIELDS = ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'severity', 'position'];

const errorOf = (e) => {
  const out = { message: e instanceof Error ? e.message : String(e) };
  for (const k of ERROR_FIELDS) if (e && typeof e === 'object' && e[k] !== undefined) out[k] = e[k];
  return out;
};

/** Only what the driver reads: rows and the number of rows a statement changed. */
const resultOf = (r) => ({ rows: r?.rows ?? [], affectedRows: r?.affectedRows });

let pg;
try {
  // The WebAssembly comes compiled from the main thread (pglite-client.ts).
  const { dir, pgliteWasmModule, initdbWasmModule } = workerData;
  pg = await PGlite.create({ ...(dir && { dataDir: dir }), pgliteWasmModule, initdbWasmModule });
  await pg.exec(`SET TIME ZONE 'UTC'`);
  parentPort.postMessage({ ready: true });
} catch (e) {
  parentPort.postMessage({ failed: errorOf(e) });
}

// PGlite queues calls itself, so requests run in the order they arrive.
parentPort.on('message', async (m) => {
  try {
    if (m.op === 'query') parentPort.postMessage({ id: m.id, result: resultOf(await pg.query(m.sql, m.params)) });
    else if (m.op === 'exec') {
      // Without parameters, the simple protocol: several statements (migrations); the last result.
      const results = await pg.exec(m.sql);
      parentPort.postMessage({ id: m.id, result: resultOf(results.at(-1)) });
    } else if (m.op === 'close') {
      await pg.close();
      parentPort.postMessage({ id: m.id, result: { rows: [] } });
      parentPort.close();
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: errorOf(e) });
  }
});
