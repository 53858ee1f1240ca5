/** Starts a whole IOC (the real composition) for integration tests, on free ports and a temp folder. */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startIoc, type Ioc } from '../../src/compose.ts';
import { loadConfig } from '../../src/config/config.ts';
import { TEST_ADMIN_PASSWORD } from './test-app.ts';

/** A port free at this moment (the OS picks; a tiny race with other processes is acceptable in tests). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function tempDir(prefix = 'ioc-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface TestIoc extends Ioc {
  stop(): Promise<void>;
}

/** The IOC with the given environment on top of test defaults (no demo, quiet logs, embedded DB). */
export async function startTestIoc(env: Record<string, string> = {}, opts: { keepDataDir?: boolean; clock?: () => number } = {}): Promise<TestIoc> {
  const dir = env.IOC_DATA_DIR ? { path: env.IOC_DATA_DIR, remove: async () => undefined } : await tempDir();
  const ioc = await startIoc(
    loadConfig({
      IOC_HTTP_PORT: '0',
      IOC_HTTP_HOST: '127.0.0.1',
      IOC_MQTT_PORT: String(await freePort()),
      IOC_MQTT_HOST: '127.0.0.1',
      IOC_DATA_DIR: dir.path,
      IOC_DEMO: '0',
      IOC_LOG_LEVEL: 'silent',
      IOC_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      ...env,
    }),
    opts.clock ? { clock: opts.clock } : {},
  );
  return Object.assign(ioc, {
    async stop() {
      await ioc.close();
      if (!opts.keepDataDir) await dir.remove();
    },
  });
}

const adminTokens = new Map<string, Promise<string>>();

/** A bearer token of the first admin of the IOC at `base` (one sign-in per IOC). */
export function adminToken(base: string): Promise<string> {
  let t = adminTokens.get(base);
  if (!t) {
    t = fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }) })
      .then(async (r) => {
        if (!r.ok) throw new Error(`admin sign-in failed: HTTP ${r.status} ${await r.text()}`);
        return ((await r.json()) as { accessToken: string }).accessToken;
      });
    t.catch(() => adminTokens.delete(base));
    adminTokens.set(base, t);
  }
  return t;
}

/**
 * JSON over HTTP against a running IOC, as its first admin unless `token` says otherwise
 * (`token: null` sends no credentials).
 */
export async function api<T = unknown>(base: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string | null } = {}): Promise<{ status: number; body: T }> {
  const token = init.token === undefined && path.startsWith('/api/') ? await adminToken(base) : init.token;
  const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers };
  const res = await fetch(base + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A counter's value from the Prometheus text, 0 when absent. */
export async function metric(base: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) total += Number(line.split(' ').at(-1));
  }
  return total;
}

/** Waits until `probe` returns a truthy value, or fails after `ms`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, ms = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Removes persistent sessions a test left on an external broker (clean start, then disconnect). */
export async function purgeMqttSessions(url: string, clientIds: string[]): Promise<void> {
  await Promise.all(
    clientIds.map(async (clientId) => {
      const c = await mqtt.connectAsync(url, { clientId, clean: true, protocolVersion: 5, properties: { sessionExpiryInterval: 0 }, reconnectPeriod: 0 });
      await c.endAsync();
    }),
  );
}
