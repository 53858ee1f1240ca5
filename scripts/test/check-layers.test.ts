import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const SCRIPT = fileURLToPath(new URL('../check-layers.mjs', import.meta.url));

function run(tree: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  try {
    for (const [path, text] of Object.entries(tree)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, LAYERS_ROOT: dir }, encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the layering check passes a clean tree', () => {
  const r = run({
    'packages/domain/src/a.ts': "import { b } from './b.ts';\n",
    'packages/domain/src/b.ts': 'export const b = 1;\n',
    'packages/server/src/services/s.ts': "import { b } from '@haidang/domain';\nimport type { P } from './ports.ts';\n",
    'packages/server/src/adapters/db/r.ts': "import type { P } from '../../services/ports.ts';\n",
    'packages/server/src/compose.ts': "import { R } from './adapters/db/r.ts';\n",
  });
  assert.equal(r.status, 0, r.stderr);
});

test('the layering check fails when the domain imports I/O or a package', () => {
  const r = run({
    'packages/domain/src/a.ts': "import { readFile } from 'node:fs/promises';\nimport pg from 'pg';\n",
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /a\.ts:1: the domain is pure and may not import 'node:fs\/promises'/);
  assert.match(r.stderr, /a\.ts:2: .*'pg'/);
});

test('the layering check fails when anything but the composition root imports an adapter', () => {
  const r = run({
    'packages/server/src/services/s.ts': "import { R } from '../adapters/db/r.ts';\n",
    'packages/server/src/http/h.ts': "export { R } from '../adapters/db/r.ts';\n",
    'packages/server/src/app.ts': "const m = await import('./adapters/db/r.ts');\n",
    'packages/server/src/adapters/db/r.ts': "import { h } from '../../http/h.ts';\n",
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /services\/s\.ts:1: only the composition root/);
  assert.match(r.stderr, /http\/h\.ts:1: only the composition root/);
  assert.match(r.stderr, /app\.ts:1: only the composition root/);
  assert.match(r.stderr, /adapters\/db\/r\.ts:1: adapters may not import the http layer/);
});
