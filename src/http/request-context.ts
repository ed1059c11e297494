// Gives every request an id (echoed as X-Request-Id) and a child logger carrying it, and logs one
// line per request when the response is finished. Only the path is logged, with feed tokens
// masked (the token in /feeds/<token>.ics is the secret); never headers or bodies.
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '../log.js';

export function maskPath(path: string): string {
  return path.replace(/^\/feeds\/[^/]+/, '/feeds/[token]');
}

export function requestContext(log: Logger) {
  return async function requestContextMiddleware(ctx: Context, next: Next): Promise<void> {
    const incoming = ctx.get('X-Request-Id');
    const id = /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    const reqLog = log.child({ reqId: id });
    ctx.state.log = reqLog;
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    ctx.res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      reqLog.info({ method: ctx.method, path: maskPath(ctx.path), status: ctx.status, ms: Math.round(ms * 10) / 10, user: ctx.state.user?.username }, 'request');
    });
    await next();
  };
}
