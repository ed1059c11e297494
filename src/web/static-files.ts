// Serves the web app's files (src/web/static) and the calendar UI library it uses, read from
// node_modules as `npm ci` installs it (no build step: FullCalendar ships a prebuilt global
// bundle and one file per locale). A fixed, known set read once at start, so no request path
// ever reaches the file system. The page's language comes from Accept-Language (RFC 9110
// §12.5.4) and is written into <html lang>; the page's own switch overrides it.
import fs from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';
import { packageRoot } from '../package-root.js';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The languages of the page: one catalogue each in static/lang-<code>.js. */
export const LANGUAGES = ['en', 'de', 'fr'] as const;

/** /static/vendor/<name> → file below node_modules. */
const VENDOR: Record<string, string> = {
  'fullcalendar.js': 'fullcalendar/index.global.min.js',
  'fullcalendar-de.js': '@fullcalendar/core/locales/de.global.min.js',
  'fullcalendar-fr.js': '@fullcalendar/core/locales/fr.global.min.js',
};

interface StaticFile {
  body: Buffer;
  type: string;
}

export function staticFiles() {
  const root = packageRoot();
  const dir = path.join(root, 'src', 'web', 'static');
  const files = new Map<string, StaticFile>();
  for (const name of fs.readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(name, { body: fs.readFileSync(path.join(dir, name)), type });
  }
  for (const [name, rel] of Object.entries(VENDOR)) {
    const file = path.join(root, 'node_modules', rel);
    // The settings page works without the agenda's library; a missing one is said in the agenda.
    if (fs.existsSync(file)) files.set(`vendor/${name}`, { body: fs.readFileSync(file), type: TYPES['.js']! });
  }
  const pageText = files.get('index.html')!.body.toString('utf8');
  const pages = new Map<string, StaticFile>(LANGUAGES.map((l) => [l, { body: Buffer.from(pageText.replace('<html lang="en">', `<html lang="${l}">`)), type: TYPES['.html']! }]));
  const send = (ctx: Context, f: StaticFile) => {
    ctx.type = f.type;
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'");
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.body = f.body;
  };
  return async function staticMiddleware(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/' || ctx.path === '/admin') {
      ctx.vary('Accept-Language');
      const lang = ctx.acceptsLanguages([...LANGUAGES]) || 'en';
      return send(ctx, pages.get(lang) ?? pages.get('en')!);
    }
    if (ctx.path.startsWith('/static/')) {
      const f = files.get(ctx.path.slice('/static/'.length));
      if (f) return send(ctx, f);
    }
    return next();
  };
}
