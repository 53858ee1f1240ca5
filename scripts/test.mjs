#!/usr/bin/env node
// Runs every test file (*.test.ts) under packages/ and bench/ with Node's test runner through tsx,
// then prints the totals as one line, `N passed, N failed`, for CI.
// Usage: npm test [-- <path filter>...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const files = ['packages', 'apps', 'bench', 'e2e', 'scripts']
  .flatMap((d) => { try { return find(join(root, d)); } catch { return []; } })
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files match', filters.join(' '));
  process.exit(1);
}

/**
 * Runs test files with Node's runner, `concurrency` at a time; resolves with the run's totals and exit code.
 * The summary lines (`ℹ pass N`…) can be followed by pages of failure details: they are kept apart.
 */
function run(batch, concurrency) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...batch],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'test' } },
    );
    let pending = '';
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (/^ℹ \w+ \d+/.test(l)) tail += `${l}\n`;
    });
    child.on('close', (code) => {
      if (/^ℹ \w+ \d+/.test(pending)) tail += pending;
      // The last summary wins (there is one per run).
      const num = (label) => Number([...tail.matchAll(new RegExp(`^ℹ ${label} (\\d+)`, 'gm'))].at(-1)?.[1] ?? 0);
      resolve({ passed: num('pass'), failed: num('fail') + num('cancelled'), skipped: num('skipped'), code: code ?? 1 });
    });
  });
}

// Browser end-to-end tests run last and alone: they assert on-screen latencies (an alert within
// 2 s), which the heaviest integration tests running beside them would distort.
const browser = files.filter((f) => f.startsWith('e2e/'));
const rest = files.filter((f) => !f.startsWith('e2e/'));
const results = [];
if (rest.length) results.push(await run(rest, 2));
if (browser.length) results.push(await run(browser, 1));
const sum = (k) => results.reduce((n, r) => n + r[k], 0);
const skipped = sum('skipped');
console.log(`${sum('passed')} passed, ${sum('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
