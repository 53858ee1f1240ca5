/** Runs the real IOC command (main.ts) as a child process, as an operator would. */
import { TEST_ADMIN_PASSWORD } from './test-app.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from './ioc.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface IocProcess {
  child: ChildProcess;
  httpUrl: string;
  /** Everything the process wrote to stderr and stdout so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** Starts main.ts with `env` and waits until /readyz answers 200. */
export async function spawnIoc(env: Record<string, string>, opts: { httpPort: number; readyMs?: number }): Promise<IocProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...process.env, IOC_LOG_LEVEL: 'warn', IOC_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, ...env, IOC_HTTP_PORT: String(opts.httpPort), IOC_HTTP_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const httpUrl = `http://127.0.0.1:${opts.httpPort}`;
  let dead = false;
  void exited.then(() => (dead = true));
  try {
    await eventually(
      async () => {
        if (dead) throw new Error(`IOC exited during start-up:\n${out}`);
        return fetch(`${httpUrl}/readyz`).then((r) => r.status === 200, () => false);
      },
      opts.readyMs ?? 60_000,
      'the IOC to be ready',
    );
  } catch (e) {
    // Never leave a process behind that the caller cannot reach (it would hold the data folder).
    if (!dead) {
      child.kill('SIGKILL');
      await exited;
    }
    throw e;
  }
  return { child, httpUrl, output: () => out, exited };
}
