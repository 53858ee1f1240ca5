#!/usr/bin/env node
// Builds the operator console (apps/console → apps/console/dist) when it is missing or older than
// its sources (its own and the domain package it imports). `npm start` runs it first, so a fresh
// clone serves the console without a separate step; `--force` always builds.
// Usage: node scripts/build-console.mjs [--force] [--quiet]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const app = join(root, 'apps/console');
const stamp = join(app, 'dist/index.html');

function newest(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const name of readdirSync(p)) if (name !== 'node_modules' && name !== 'dist') t = Math.max(t, newest(join(p, name)));
  return t;
}

/** Whether the built console is older than anything it is built from. */
export function consoleIsStale() {
  if (!existsSync(stamp)) return true;
  const sources = [join(app, 'src'), join(app, 'index.html'), join(app, 'vite.config.ts'), join(app, 'package.json'), join(root, 'packages/domain/src')];
  return Math.max(...sources.map(newest)) > statSync(stamp).mtimeMs;
}

/** Builds the console if needed; throws with Vite's output when the build fails. */
export function buildConsole({ force = false, quiet = false } = {}) {
  if (!force && !consoleIsStale()) return false;
  if (!quiet) console.log('hai-dang: building the operator console (apps/console)…');
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', quiet ? 'error' : 'warn'], { cwd: app, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the console build failed:\n${r.stdout}\n${r.stderr}`);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    buildConsole({ force: process.argv.includes('--force'), quiet: process.argv.includes('--quiet') });
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
