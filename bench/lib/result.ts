/** Where a benchmark run is recorded: one JSON file per run under the `--out` folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, platform, release, totalmem } from 'node:os';
import { ROOT } from './server.ts';

/** The machine the figures were measured on. */
export function machine(): Record<string, unknown> {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${platform()} ${release()}` };
}

/** Writes `{bench, at, options, machine, results}` to `<out>/<bench>-<instant>.json`; returns the path ("" out = none). */
export async function writeResult(bench: string, out: string, options: unknown, results: unknown): Promise<string | undefined> {
  if (!out) return undefined;
  const dir = new URL(out.endsWith('/') ? out : `${out}/`, `file://${ROOT}`).pathname;
  await mkdir(dir, { recursive: true });
  const at = new Date().toISOString();
  const file = `${dir}${bench}-${at.replace(/[:.]/g, '-')}.json`;
  await writeFile(file, JSON.stringify({ bench, at, options, machine: machine(), results }, null, 2));
  return file;
}
