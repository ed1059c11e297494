// Gives every request an id (echoed as X-Request-Id) and a child logger carrying it, and logs one
// line per request when the response is finished. Only the path is logged, with feed tokens
// masked (the token in /feeds/<token>.ics is the secret); never headers or bodies.
// Per-request cost matters (clients poll): the id is a per-process random prefix and a counter
// rather than a UUID (per app), the child logger is created only when something logs, and the request line
// is only prepared when its level is enabled.
import { randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '../log.js';

export function maskPath(path: string): string {
  return path.replace(/^\/feeds\/[^/]+/, '/feeds/[token]');
}

const VALID_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Request ids of one app: unique within it and, by the random prefix, across restarts and
 * across apps in one process. Owned by the middleware of the app (no module-level counter).
 */
export function requestIds(): () => string {
  const prefix = randomBytes(6).toString('base64url');
  let counter = 0;
  return () => `${prefix}-${(++counter).toString(36)}`;
}

/** ctx.state of every request: the id, and the child logger made on first use. */
class RequestState {
  #log: Logger | undefined;
  [key: string]: unknown;
  constructor(private readonly base: Logger, readonly requestId: string) {}
  get log(): Logger {
    return (this.#log ??= this.base.child({ reqId: this.requestId }));
  }
  set log(l: Logger) {
    this.#log = l;
  }
}

export function requestContext(log: Logger) {
  const nextRequestId = requestIds();
  return async function requestContextMiddleware(ctx: Context, next: Next): Promise<void> {
    const incoming = ctx.get('X-Request-Id');
    const id = incoming && VALID_ID.test(incoming) ? incoming : nextRequestId();
    const state = new RequestState(log, id);
    ctx.state = state;
    ctx.set('X-Request-Id', id);
    if (log.isLevelEnabled('info')) {
      const started = process.hrtime.bigint();
      ctx.res.once('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        state.log.info({ method: ctx.method, path: maskPath(ctx.path), status: ctx.status, ms: Math.round(ms * 10) / 10, user: (ctx.state.user as { username?: string } | undefined)?.username }, 'request');
      });
    }
    await next();
  };
}
