// Serves the preferences page's files (src/web/static) — a fixed, known set read once at start,
// so no request path ever reaches the file system.
import fs from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';
import { packageRoot } from '../package-root.js';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export function staticFiles() {
  const dir = path.join(packageRoot(), 'src', 'web', 'static');
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of fs.readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(name, { body: fs.readFileSync(path.join(dir, name)), type });
  }
  const page = files.get('index.html')!;
  const send = (ctx: Context, f: { body: Buffer; type: string }) => {
    ctx.type = f.type;
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.body = f.body;
  };
  return async function staticMiddleware(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/' || ctx.path === '/admin') return send(ctx, page);
    if (ctx.path.startsWith('/static/')) {
      const f = files.get(ctx.path.slice('/static/'.length));
      if (f) return send(ctx, f);
    }
    return next();
  };
}
