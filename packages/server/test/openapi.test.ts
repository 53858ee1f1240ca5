/**
 * The OpenAPI document describes the API the app really serves: every route, each with a summary
 * and its error responses, with schemas sound enough for generators. And docs/errors.md, generated
 * from the error catalog, is up to date.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ERRORS } from '@haidang/domain';
import type { HTTPMethods } from 'fastify';
import { ERRORS_MD, renderErrorDocs } from '../../../scripts/gen-error-docs.ts';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { backends } from './support/databases.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; schema: Obj }[];
  requestBody?: { content: Record<string, { schema: Obj }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Obj }> }>;
  operationId?: string;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ERROR_STATUSES = new Set(Object.values(ERRORS).map((e) => String(e.status)));
const JSON_TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'string', 'integer']);

/** `/api/v1/devices/:id` → `/api/v1/devices/{id}` */
const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Resolves a local JSON pointer (`#/components/schemas/Device`) in the document. */
function resolvePointer(doc: Json, ref: string): Json | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Obj)[key];
  }
  return node;
}

/** Every `$ref` in the document, with where it is. */
function refs(node: Json, at = '#'): { at: string; ref: string }[] {
  if (node === null || typeof node !== 'object') return [];
  const out: { at: string; ref: string }[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') out.push({ at, ref: v });
    else out.push(...refs(v, `${at}/${k}`));
  }
  return out;
}

/** Structural checks of a JSON Schema (2020-12, as OpenAPI 3.1 uses): problems, with where. */
function schemaProblems(s: Json, at: string): string[] {
  if (typeof s === 'boolean') return [];
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return [`${at}: a schema must be an object or a boolean`];
  const p: string[] = [];
  const sub = (v: Json, where: string) => p.push(...schemaProblems(v, where));
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    for (const ty of types) if (typeof ty !== 'string' || !JSON_TYPES.has(ty)) p.push(`${at}/type: ${JSON.stringify(ty)} is not a JSON Schema type`);
  }
  if (s.properties !== undefined) {
    if (typeof s.properties !== 'object' || s.properties === null || Array.isArray(s.properties)) p.push(`${at}/properties: not an object`);
    else for (const [k, v] of Object.entries(s.properties)) sub(v, `${at}/properties/${k}`);
  }
  if (s.required !== undefined) {
    if (!Array.isArray(s.required) || s.required.some((r) => typeof r !== 'string')) p.push(`${at}/required: not an array of names`);
    else if (s.properties && typeof s.properties === 'object') {
      for (const r of s.required as string[]) if (!(r in (s.properties as Obj))) p.push(`${at}/required: ${r} is not a property`);
    }
  }
  for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
    if (s[k] === undefined) continue;
    if (!Array.isArray(s[k]) || (s[k] as Json[]).length === 0) p.push(`${at}/${k}: must be a non-empty array`);
    else (s[k] as Json[]).forEach((v, i) => sub(v, `${at}/${k}/${i}`));
  }
  for (const k of ['items', 'additionalProperties', 'not', 'contains', 'propertyNames'] as const) if (s[k] !== undefined) sub(s[k], `${at}/${k}`);
  if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0)) p.push(`${at}/enum: must be a non-empty array`);
  for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']) {
    if (s[k] !== undefined && typeof s[k] !== 'number') p.push(`${at}/${k}: must be a number (3.1 uses numeric exclusive bounds)`);
  }
  for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties']) {
    if (s[k] !== undefined && !(Number.isInteger(s[k]) && (s[k] as number) >= 0)) p.push(`${at}/${k}: must be a non-negative integer`);
  }
  if (typeof s.minimum === 'number' && typeof s.maximum === 'number' && s.minimum > s.maximum) p.push(`${at}: minimum > maximum`);
  if (s.pattern !== undefined) {
    try {
      new RegExp(String(s.pattern), 'u');
    } catch (e) {
      p.push(`${at}/pattern: ${(e as Error).message}`);
    }
  }
  if (s.nullable !== undefined) p.push(`${at}/nullable: not in OpenAPI 3.1 (use type: [..., "null"])`);
  if (s.$ref !== undefined && typeof s.$ref !== 'string') p.push(`${at}/$ref: not a string`);
  return p;
}

describe('OpenAPI document', () => {
  let database: Database;
  let t: TestApp;
  let doc: Obj;
  const routes: { method: string; url: string }[] = [];

  before(async () => {
    // The document does not depend on the database: take the one that opens fastest.
    const all = await backends();
    database = await (all.find((b) => b.name === 'postgres' && !b.skip) ?? all.find((b) => !b.skip)!).open();
    t = await buildTestApp(database, {
      onRoute: (r) => {
        for (const m of [r.method].flat()) routes.push({ method: m, url: r.url });
      },
    });
    const res = await t.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    doc = JSON.parse(res.body) as Obj;
  });
  after(async () => {
    await t?.close();
    await database?.close();
  });

  const paths = () => doc.paths as unknown as Record<string, Record<string, Operation>>;
  const operations = () =>
    Object.entries(paths()).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([m]) => METHODS.includes(m))
        .map(([method, op]) => ({ path, method, op, label: `${method.toUpperCase()} ${path}` })),
    );

  it('is OpenAPI 3.1.0 with an info block', () => {
    assert.equal(doc.openapi, '3.1.0');
    const info = doc.info as Obj;
    assert.equal(info.title, 'Hải Đăng IOC API');
    assert.equal(info.version, '0.0.0-test');
    assert.equal((info.license as Obj).identifier, 'Apache-2.0');
    assert.ok(Object.keys(doc.paths as Obj).length > 0);
  });

  it('lists every route the app serves, and no other', () => {
    // HEAD routes are the ones Fastify adds for every GET; the document leaves them out.
    const served = routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${toOpenApiPath(r.url)}`).sort();
    const documented = operations().map((o) => o.label).sort();
    assert.ok(served.length >= 12, `the onRoute hook saw the routes (${served.length})`);
    assert.deepEqual(documented, served);
    for (const { method, path } of operations()) {
      assert.ok(t.app.hasRoute({ method: method.toUpperCase() as HTTPMethods, url: path.replace(/\{([^}]+)\}/g, ':$1') }), `${method} ${path} is a route`);
    }
  });

  it('gives every operation a summary, known tags, a success response and its error responses', () => {
    const tags = new Set((doc.tags as Obj[]).map((tg) => tg.name));
    for (const { op, label, path } of operations()) {
      assert.ok(typeof op.summary === 'string' && op.summary.trim().length > 3, `${label}: summary`);
      assert.ok(op.tags?.length && op.tags.every((tg) => tags.has(tg)), `${label}: tags ${op.tags}`);
      const codes = Object.keys(op.responses);
      assert.ok(codes.some((c) => /^2\d\d$/.test(c)), `${label}: a 2xx response`);
      const errors = codes.filter((c) => /^[45]\d\d$/.test(c));
      assert.ok(errors.includes('500'), `${label}: declares 500`);
      const hasInput = Boolean(op.parameters?.length || op.requestBody);
      if (hasInput) assert.ok(errors.includes('400'), `${label}: takes input, so declares 400`);
      if (op.requestBody) for (const c of ['413', '415']) assert.ok(errors.includes(c), `${label}: has a body, so declares ${c}`);
      if (path.includes('{')) assert.ok(errors.includes('404'), `${label}: has a path parameter, so declares 404`);
      for (const c of errors) {
        assert.ok(ERROR_STATUSES.has(c), `${label}: ${c} is a status of the error catalog`);
        if (label === 'GET /readyz' && c === '503') continue; // readiness reports its checks, not an error body
        assert.equal(op.responses[c]!.content?.['application/json']?.schema.$ref, '#/components/schemas/Error', `${label}: ${c} is an Error body`);
      }
      for (const [c, r] of Object.entries(op.responses)) assert.equal(typeof r.description, 'string', `${label}: ${c} has a description`);
    }
  });

  it('declares the error responses each route can really give', () => {
    const op = (method: string, path: string) => paths()[path]![method]!;
    const has = (o: Operation, ...codes: string[]) => codes.every((c) => c in o.responses);
    assert.ok(has(op('post', '/iot/json'), '400', '401', '413', '415', '422', '503'));
    assert.ok(has(op('post', '/api/v1/devices'), '400', '409'));
    assert.ok(has(op('post', '/api/v1/devices/import'), '400', '413', '415', '422'));
    assert.ok(has(op('get', '/api/v1/devices/{id}/series/{attr}'), '400', '404'));
    assert.ok(has(op('get', '/readyz'), '503'));
  });

  it('documents parameters and bodies consistently', () => {
    const ids = new Set<string>();
    for (const { op, label, path } of operations()) {
      const params = op.parameters ?? [];
      const keys = params.map((p) => `${p.in}:${p.name}`);
      assert.equal(new Set(keys).size, keys.length, `${label}: no parameter twice`);
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(params.filter((p) => p.in === 'path').map((p) => p.name).sort(), inPath, `${label}: path parameters`);
      for (const p of params) {
        assert.ok(['query', 'path', 'header', 'cookie'].includes(p.in), `${label}: ${p.name} in ${p.in}`);
        if (p.in === 'path') assert.equal(p.required, true, `${label}: path parameter ${p.name} is required`);
        assert.ok(p.schema && typeof p.schema === 'object', `${label}: ${p.name} has a schema`);
      }
      if (op.requestBody) assert.ok(Object.keys(op.requestBody.content).length > 0, `${label}: body content types`);
      if (op.operationId) {
        assert.ok(!ids.has(op.operationId), `${label}: operationId unique`);
        ids.add(op.operationId);
      }
    }
    const imp = paths()['/api/v1/devices/import']!.post!;
    assert.deepEqual(Object.keys(imp.requestBody!.content).sort(), ['application/json', 'text/csv']);
    assert.deepEqual(imp.parameters!.map((p) => p.name).sort(), ['dryRun', 'mode']);
    const create = paths()['/api/v1/devices']!.post!;
    assert.equal(create.requestBody!.content['application/json']!.schema.$ref, '#/components/schemas/DeviceInput');
    const metrics = paths()['/metrics']!.get!;
    assert.ok(metrics.responses['200']!.content!['text/plain'], '/metrics is text');
  });

  it('resolves every $ref inside the document', () => {
    const all = refs(doc);
    assert.ok(all.length > 10);
    for (const { at, ref } of all) assert.notEqual(resolvePointer(doc, ref), undefined, `${at}: ${ref} does not resolve`);
    const schemas = (doc.components as Obj).schemas as Obj;
    for (const name of ['Attribute', 'Device', 'DeviceInput', 'Error']) assert.ok(schemas[name], `components.schemas.${name}`);
  });

  it('has structurally sound schemas', () => {
    const problems: string[] = [];
    for (const [name, s] of Object.entries((doc.components as Obj).schemas as Obj)) problems.push(...schemaProblems(s, `#/components/schemas/${name}`));
    for (const { op, label } of operations()) {
      for (const p of op.parameters ?? []) problems.push(...schemaProblems(p.schema, `${label} parameter ${p.name}`));
      for (const [ct, c] of Object.entries(op.requestBody?.content ?? {})) problems.push(...schemaProblems(c.schema, `${label} body ${ct}`));
      for (const [code, r] of Object.entries(op.responses)) for (const [ct, c] of Object.entries(r.content ?? {})) problems.push(...schemaProblems(c.schema, `${label} ${code} ${ct}`));
    }
    assert.deepEqual(problems, []);
  });

  it('describes the error body the API really sends', async () => {
    const err = (doc.components as Obj).schemas as Obj;
    const props = (err.Error as Obj).properties as Obj;
    const res = await t.inject({ method: 'GET', url: '/api/v1/devices?limit=0' });
    const body = res.json() as Obj;
    for (const k of Object.keys(body)) assert.ok(k in props, `Error schema has ${k}`);
    assert.deepEqual([...((props.code as Obj).enum as string[])].sort(), Object.keys(ERRORS).sort(), 'code enumerates the catalog');
  });

  it('serves the same document every time', async () => {
    const again = await t.inject({ method: 'GET', url: '/openapi.json' });
    assert.deepEqual(JSON.parse(again.body), doc);
  });
});

describe('docs/errors.md', () => {
  it('is what scripts/gen-error-docs.ts generates from the catalog (run it after changing ERRORS)', () => {
    let committed = '';
    try {
      committed = readFileSync(ERRORS_MD, 'utf8');
    } catch {
      assert.fail(`${ERRORS_MD} is missing: run node --import tsx scripts/gen-error-docs.ts`);
    }
    assert.equal(committed, renderErrorDocs(), 'docs/errors.md is out of date: run node --import tsx scripts/gen-error-docs.ts');
  });

  it('lists every code with its status and both titles', () => {
    const text = renderErrorDocs();
    for (const [code, e] of Object.entries(ERRORS)) assert.ok(text.includes(`| \`${code}\` | ${e.status} | ${e.vi} | ${e.en} |`), code);
  });

  it('has a --check mode for CI', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/gen-error-docs.ts', '--check'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /up to date/);
  });
});
