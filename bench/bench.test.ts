/**
 * Smoke test of the benchmark harness: the dispatcher's argument parsing, a ~2-second ingest
 * run in embedded mode with a tiny load (a real IOC process and a real load process), a tiny
 * scope run (100 units, 120 devices, 4 requests per case, ~10 s), and a tiny console run in
 * headless Chromium (one load with the demo, 200 devices, 1 s of panning; skipped without Chromium).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { browserSkip } from '../e2e/browser.ts';
import { main, parseBenchArgs, UsageError } from './cli.ts';
import { JS_BUDGET_GZIP, runConsole, type ConsoleOptions } from './console.bench.ts';
import { runIngest, type IngestOptions } from './ingest.bench.ts';
import { BENCHES } from './run.ts';
import { runScope, type ScopeOptions } from './scope.bench.ts';

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, done) {
      w.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

describe('bench dispatcher', () => {
  it('parses a benchmark name and its options, with defaults for the rest', () => {
    const p = parseBenchArgs(['ingest', '--seconds', '2', '--modes=embedded', '--verbose'], BENCHES);
    assert.equal(p.kind, 'run');
    assert.ok(p.kind === 'run');
    assert.equal(p.name, 'ingest');
    assert.equal(p.options.seconds, 2);
    assert.deepEqual(p.options.modes, ['embedded']);
    assert.equal(p.options.verbose, true);
    assert.deepEqual(p.options.scenarios, ['mqtt-qos0', 'mqtt-qos1', 'http']);
    assert.equal(p.options.devices, 1000);
  });

  it('--help, or no name, asks for the usage', () => {
    assert.deepEqual(parseBenchArgs([], BENCHES), { kind: 'help' });
    assert.deepEqual(parseBenchArgs(['--help'], BENCHES), { kind: 'help' });
    assert.deepEqual(parseBenchArgs(['queries', '--help'], BENCHES), { kind: 'help', name: 'queries' });
  });

  it('refuses an unknown name, an unknown option, a bad number or a bad list item', () => {
    assert.throws(() => parseBenchArgs(['nope'], BENCHES), UsageError);
    assert.throws(() => parseBenchArgs(['ingest', '--nope', '1'], BENCHES), UsageError);
    assert.throws(() => parseBenchArgs(['ingest', '--seconds', 'soon'], BENCHES), UsageError);
    assert.throws(() => parseBenchArgs(['ingest', '--modes', 'embedded,cloud'], BENCHES), UsageError);
    assert.throws(() => parseBenchArgs(['queries', 'extra'], BENCHES), UsageError);
  });

  it('main lists the benchmarks on --help (exit 0) and prints the usage for an unknown name (exit 1)', async () => {
    const out = sink();
    const err = sink();
    assert.equal(await main(['--help'], BENCHES, out, err), 0);
    assert.match(out.text, /ingest/);
    assert.match(out.text, /queries/);
    assert.equal(await main(['nope'], BENCHES, out, err), 1);
    assert.match(err.text, /unknown benchmark "nope"/);
    assert.match(err.text, /Usage: npm run bench/);
  });
});

describe('ingest benchmark, smoke run', () => {
  it('a 2-second QoS 1 run in embedded mode stores readings and reports a positive rate', { timeout: 60_000 }, async () => {
    const p = parseBenchArgs(
      ['ingest', '--modes', 'embedded', '--scenarios', 'mqtt-qos1', '--devices', '20', '--workers', '1', '--window', '2', '--seconds', '2', '--warmup', '0.5', '--out', ''],
      BENCHES,
    );
    assert.ok(p.kind === 'run');
    const lines: string[] = [];
    const { results, file } = await runIngest(p.options as IngestOptions, (l) => lines.push(l));
    assert.equal(file, undefined);
    assert.equal(results.length, 1);
    const r = results[0]!;
    assert.equal(r.mode, 'embedded');
    assert.ok(r.storedPerSec > 0, `stored ${r.storedPerSec}/s`);
    assert.ok(r.sentReadings > 0);
    // QoS 1: everything sent was acknowledged, committed and is queryable.
    assert.equal(r.ackedReadings, r.sentReadings);
    assert.equal(r.storedReadings, r.sentReadings);
    assert.equal(r.queryableReadings, r.storedReadings);
    assert.equal(r.ackedNotQueryable, 0);
    assert.ok(r.latency && r.latency.n > 0 && r.latency.p50 > 0);
    assert.ok(r.peakRssMb > 0);
    assert.match(lines.join('\n'), /embedded\s+mqtt-qos1/);
  });
});

describe('scope benchmark, smoke run', () => {
  it('a tiny embedded run compares every scoped user with the admin on the same result set, and times logins and scrypt', { timeout: 120_000 }, async () => {
    const p = parseBenchArgs(
      ['scope', '--modes', 'embedded', '--units', '100', '--devices', '120', '--requests', '4', '--warmup', '1', '--logins', '1', '--hashes', '1', '--out', ''],
      BENCHES,
    );
    assert.ok(p.kind === 'run');
    const lines: string[] = [];
    const { results, hasher, file } = await runScope(p.options as ScopeOptions, (l) => lines.push(l));
    assert.equal(file, undefined);
    assert.equal(results.length, 1);
    const r = results[0]!;
    assert.ok(r.setup.units >= 100 && r.setup.units < 110, `${r.setup.units} units`);
    // 3 queries × (admin + 4 operators + 2 admin references)
    assert.equal(r.cases.length, 21);
    assert.ok(r.cases.every((c) => c.latency.n === 4 && c.latency.p50 > 0));
    assert.equal(r.comparisons.length, 9);
    for (const c of r.comparisons) assert.ok(c.sameResult, `${c.query} ${c.scoped.user}: not the admin's result set`);
    const latest = (user: string) => r.cases.find((c) => c.query === 'latest' && c.user === user && c.path === '/api/v1/latest')!.count;
    assert.equal(latest('admin'), 120);
    assert.equal(latest('city'), 120);
    assert.equal(latest('sector'), 60);
    assert.ok(latest('district') > 0 && latest('district') < latest('multi') && latest('multi') < 120);
    assert.equal(r.auth.length, 5);
    assert.equal(r.login?.n, 1);
    assert.ok(hasher && hasher.hash.p50 > 0 && hasher.verify.p50 > 0 && hasher.memoryPerCallMiB === 32);
    assert.match(lines.join('\n'), /embedded\s+latest\s+city/);
  });
});

describe('console benchmark, smoke run', { skip: browserSkip() }, () => {
  it('sizes the first view, times a first load of the overview with the demo, and pans a map of 200 devices', { timeout: 180_000 }, async () => {
    const p = parseBenchArgs(['console', '--runs', '1', '--warmup', '0', '--settle', '0', '--devices', '200', '--large-runs', '1', '--pan-seconds', '1', '--out', ''], BENCHES);
    assert.ok(p.kind === 'run');
    const lines: string[] = [];
    const { result: r, file } = await runConsole(p.options as ConsoleOptions, (l) => lines.push(l));
    assert.equal(file, undefined);
    // The first view: the entry script, its style sheet and MapLibre's worker, each gzipped smaller.
    assert.ok(r.budget.firstView.some((a) => a.kind === 'js') && r.budget.firstView.some((a) => a.kind === 'worker') && r.budget.firstView.some((a) => a.kind === 'css'));
    for (const a of r.budget.firstView) assert.ok(a.gzip > 0 && a.gzip < a.raw, a.file);
    assert.equal(r.budget.budgetGzip, JS_BUDGET_GZIP);
    assert.equal(r.budget.met, r.budget.js.gzip <= JS_BUDGET_GZIP);
    // The demo city: one measured load with every demo device on the map.
    assert.ok(r.demo);
    assert.equal(r.demo.samples.length, 1);
    assert.ok(r.demo.devices > 300, `${r.demo.devices} demo devices`);
    const s = r.demo.samples[0]!;
    assert.ok(s.wallMs > 0 && s.pageMs > 0 && s.domContentLoadedMs! > 0 && s.loadEventMs! > 0);
    assert.ok(s.drawnMs === null || s.drawnMs >= s.pageMs);
    assert.equal(r.demo.met, s.wallMs < 2000); // one load: p95 is that load
    // The large map: exactly the imported devices, and a panning record.
    assert.ok(r.large);
    assert.equal(r.large.devices, 200);
    assert.ok(r.large.samples.every((x) => x.devices === 200));
    assert.ok(r.large.pan && r.large.pan.drags > 0 && r.large.pan.seconds >= 1);
    assert.equal(r.large.pan.over100, r.large.pan.tasks.filter((t) => t.duration > 100).length);
    assert.equal(r.large.pan.met, r.large.pan.over100 === 0);
    assert.match(lines.join('\n'), /JavaScript of the first view: [\d.]+ kB gzipped/);
  });
});
