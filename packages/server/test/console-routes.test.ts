import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import { loadStaticAssets } from '../src/adapters/web/static-files.ts';
import { consoleCsp, consoleRoutes } from '../src/http/console.routes.ts';
import { loadConfig } from '../src/config/config.ts';
import { startTestIoc, tempDir } from './support/ioc.ts';

async function builtConsole() {
  const dir = await tempDir('console-dist-');
  await mkdir(join(dir.path, 'assets'));
  await writeFile(join(dir.path, 'index.html'), '<!doctype html><title>Hải Đăng</title><div id="root"></div>');
  await writeFile(join(dir.path, 'assets', 'index-abc123.js'), 'console.log("hi")');
  await writeFile(join(dir.path, 'assets', 'index-abc123.css'), 'body{}');
  return dir;
}

async function appWith(dir: string | undefined, tileUrl: string | null = null) {
  const app = Fastify();
  await app.register(consoleRoutes({ assets: dir ? await loadStaticAssets(dir) : undefined, tileUrl, tileAttribution: tileUrl ? '© Sở TT&TT Đà Nẵng' : null }));
  return app;
}

describe('the console, served', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup) await c();
  });

  it('serves the app: index for every route of the single-page app, hashed assets cached for good, a CSP on every page', async () => {
    const dir = await builtConsole();
    cleanup.push(dir.remove);
    const app = await appWith(dir.path);
    const index = await app.inject('/console/');
    assert.equal(index.statusCode, 200);
    assert.match(index.headers['content-type'] as string, /text\/html/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(index.headers['content-security-policy'] as string, /script-src 'self'/);
    assert.match(index.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    assert.equal((await app.inject('/console/alerts/17')).body, index.body, 'an app route gets the app');
    const js = await app.inject('/console/assets/index-abc123.js');
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /text\/javascript/);
    assert.match(js.headers['cache-control'] as string, /immutable/);
    const again = await app.inject({ url: '/console/assets/index-abc123.js', headers: { 'if-none-match': js.headers.etag as string } });
    assert.equal(again.statusCode, 304);
    assert.equal((await app.inject('/')).headers.location, '/console/');
    assert.equal((await app.inject('/console')).headers.location, '/console/');
  });

  it('answers 404 for a missing asset (never the app as a script), and nothing outside the folder', async () => {
    const dir = await builtConsole();
    cleanup.push(dir.remove);
    const app = await appWith(dir.path);
    assert.equal((await app.inject('/console/assets/gone-999.js')).statusCode, 404);
    assert.equal((await app.inject('/console/favicon.ico')).statusCode, 404);
    for (const url of ['/console/../package.json', '/console/%2e%2e/%2e%2e/package.json', '/console/assets/..%2f..%2findex.html']) {
      const r = await app.inject(url);
      assert.ok(r.statusCode === 404 || !r.body.includes('"name"'), `${url}: ${r.statusCode}`);
    }
  });

  it('says how to build it when it has not been built (503, both languages)', async () => {
    const app = await appWith(undefined);
    const r = await app.inject('/console/');
    assert.equal(r.statusCode, 503);
    assert.match(r.body, /npm run build/);
    assert.match(r.body, /chưa được build/);
  });

  it('hands the console its map settings; a configured tile server is the one other origin the CSP allows', async () => {
    const tiles = 'https://tiles.danang.gov.vn/osm/{z}/{x}/{y}.png';
    const app = await appWith(undefined, tiles);
    assert.deepEqual((await app.inject('/console/config.json')).json(), { tileUrl: tiles, tileAttribution: '© Sở TT&TT Đà Nẵng' });
    assert.match(consoleCsp(tiles), /img-src 'self' data: blob: https:\/\/tiles\.danang\.gov\.vn/);
    assert.doesNotMatch(consoleCsp(null), /https:/);
    assert.equal(loadConfig({ IOC_MAP_TILE_URL: tiles }).mapTileUrl, tiles);
    assert.equal(loadConfig({}).mapTileUrl, null);
  });

  it('is served by the real IOC, with the console built from apps/console when it exists', async () => {
    const dir = await builtConsole();
    cleanup.push(dir.remove);
    const ioc = await startTestIoc({ IOC_CONSOLE_DIR: dir.path });
    cleanup.push(() => ioc.stop());
    const r = await fetch(`${ioc.httpUrl}/console/`);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /Hải Đăng/);
  });
});
