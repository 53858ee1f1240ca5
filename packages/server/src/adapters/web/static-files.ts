import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { StaticAsset, StaticAssets } from '../../services/ports.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * A built web application (the console's `dist/`) read into memory once: a few megabytes, served
 * with ETags. Only the files found at start exist; a request path can never leave the folder.
 */
export async function loadStaticAssets(dir: string): Promise<StaticAssets | undefined> {
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) return undefined;
  const files = new Map<string, StaticAsset>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const body = await readFile(p);
        const path = relative(dir, p).split(sep).join('/');
        files.set(path, { body, type: TYPES[extname(p).toLowerCase()] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
      }
    }
  };
  await walk(dir);
  if (!files.has('index.html')) return undefined;
  return { get: (path) => files.get(path), size: files.size };
}
