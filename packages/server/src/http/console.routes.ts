import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { StaticAsset, StaticAssets } from '../services/ports.ts';

export interface ConsoleRoutesOptions {
  /** The built console; undefined when it has not been built (`npm run build`). */
  assets: StaticAssets | undefined;
  /** An XYZ raster tile URL for a base map (IOC_MAP_TILE_URL); null = none, the map works without. */
  tileUrl: string | null;
  tileAttribution: string | null;
}

/**
 * The console's Content-Security-Policy: only this server's scripts; MapLibre draws with WebGL and
 * runs its workers from blob: URLs; a configured tile server is the only other origin allowed.
 */
export function consoleCsp(tileUrl: string | null): string {
  const tiles = tileUrl ? ` ${new URL(tileUrl.replace(/\{[a-z]\}/g, '0')).origin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${tiles}`,
    `connect-src 'self'${tiles}`,
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

const NOT_BUILT = `<!doctype html><html lang="vi"><meta charset="utf-8"><title>Hải Đăng</title>
<p>Giao diện điều hành chưa được build: chạy <code>npm run build</code> rồi khởi động lại.</p>
<p>The operator console has not been built: run <code>npm run build</code> and start again.</p></html>`;

/** The operator console at /console (a single-page app: unknown paths get its index.html). */
export const consoleRoutes =
  (opts: ConsoleRoutesOptions): FastifyPluginAsyncTypebox =>
  async (app) => {
    const csp = consoleCsp(opts.tileUrl);
    const send = (reply: FastifyReply, f: StaticAsset, ifNoneMatch: string | undefined, immutable: boolean) => {
      void reply
        .header('content-type', f.type)
        .header('etag', f.etag)
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .header('content-security-policy', csp)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'same-origin');
      if (ifNoneMatch === f.etag) return reply.status(304).send();
      return reply.send(f.body);
    };

    app.get('/', { config: { access: 'public' }, schema: { hide: true } }, (_req, reply) => reply.redirect('/console/'));
    app.get('/console', { config: { access: 'public' }, schema: { hide: true } }, (_req, reply) => reply.redirect('/console/'));

    app.get('/console/config.json', {
      config: { access: 'public' },
      schema: {
        tags: ['console'],
        summary: 'Settings the operator console needs before sign-in / Cấu hình giao diện điều hành',
        response: { 200: Type.Object({ tileUrl: Type.Union([Type.String(), Type.Null()]), tileAttribution: Type.Union([Type.String(), Type.Null()]) }) },
      },
    }, async () => ({ tileUrl: opts.tileUrl, tileAttribution: opts.tileAttribution }));

    app.get('/console/*', { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) => {
      const path = (req.params as { '*': string })['*'];
      const ifNoneMatch = req.headers['if-none-match'];
      if (!opts.assets) return reply.status(503).header('content-type', 'text/html; charset=utf-8').header('retry-after', '60').send(NOT_BUILT);
      const file = opts.assets.get(path);
      // Hashed build outputs never change; everything else (index.html) is checked every time.
      if (file) return send(reply, file, ifNoneMatch, path.startsWith('assets/'));
      // A missing asset is a 404 (not the app), so a stale page does not run HTML as a script.
      if (path.startsWith('assets/') || /\.[a-z0-9]{1,5}$/i.test(path)) return reply.status(404).header('content-type', 'text/plain; charset=utf-8').send('not found');
      return send(reply, opts.assets.get('index.html')!, ifNoneMatch, false);
    });
  };
