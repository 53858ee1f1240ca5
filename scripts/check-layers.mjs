#!/usr/bin/env node
// The layering rule (ARCHITECTURE.md, "Layers"), checked on every import of every source file:
// - domain: pure. It imports only its own files: no node:*, no packages, no I/O.
// - services: domain and their own ports; never adapters, http, app or the composition root.
// - http: services and domain; never adapters.
// - adapters: may use services' ports; never http.
// - only the composition root (compose.ts, main.ts) imports adapters. Tests wire their own.
// Prints every violation as `file:line: rule` and exits 1 if there is any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.env.LAYERS_ROOT ?? new URL('..', import.meta.url).pathname);
const SERVER = 'packages/server/src';
const COMPOSITION_ROOT = new Set([`${SERVER}/compose.ts`, `${SERVER}/main.ts`]);

function files(dir) {
  const out = [];
  let names = [];
  try {
    names = readdirSync(join(root, dir));
  } catch {
    return out; // a layer that does not exist has nothing to check
  }
  for (const name of names) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(join(root, p)).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/;

function layerOf(file) {
  if (file.startsWith('packages/domain/src/')) return 'domain';
  if (!file.startsWith(`${SERVER}/`)) return undefined;
  if (COMPOSITION_ROOT.has(file)) return 'root';
  return file.slice(SERVER.length + 1).split('/')[0].replace(/\.ts$/, '');
}

const violations = [];
for (const file of [...files('packages/domain/src'), ...files(SERVER)]) {
  const layer = layerOf(file);
  readFileSync(join(root, file), 'utf8').split('\n').forEach((line, i) => {
    const m = line.match(IMPORT);
    const spec = m && (m[1] ?? m[2] ?? m[3]);
    if (!spec) return;
    const where = `${file}:${i + 1}`;
    const relative_ = spec.startsWith('.');
    const target = relative_ ? relative(root, resolve(root, dirname(file), spec)) : spec;
    const targetLayer = relative_ ? layerOf(target) : undefined;
    if (layer === 'domain') {
      if (!relative_ || !target.startsWith('packages/domain/src/')) violations.push(`${where}: the domain is pure and may not import '${spec}'`);
      return;
    }
    if (targetLayer === 'adapters' && layer !== 'adapters' && layer !== 'root') {
      violations.push(`${where}: only the composition root (compose.ts, main.ts) may import an adapter ('${spec}')`);
    }
    if (layer === 'services' && ['http', 'app', 'root', 'sim', 'jobs'].includes(targetLayer)) {
      violations.push(`${where}: services may not import the ${targetLayer} layer ('${spec}')`);
    }
    if (layer === 'adapters' && ['http', 'app', 'root'].includes(targetLayer)) {
      violations.push(`${where}: adapters may not import the ${targetLayer} layer ('${spec}')`);
    }
    if (layer === 'http' && ['root', 'sim', 'jobs'].includes(targetLayer)) {
      violations.push(`${where}: http may not import the ${targetLayer} layer ('${spec}')`);
    }
  });
}

if (violations.length) {
  console.error(`layering: ${violations.length} violation(s)\n${violations.join('\n')}`);
  process.exit(1);
}
console.log('layering: ok');
