// The one place where failures become responses. DavError → `<d:error>` XML with its status;
// ApiError → JSON; a database that cannot be reached → 503 with Retry-After; any other error is a
// bug: logged with its stack and answered 500 without internals. Nothing thrown by a request can
// take the process down.
import type { Context, Middleware, Next } from 'koa';
import { DavError } from '../dav/errors.js';
import { errorXml } from '../xml/serialize.js';
import type { Logger } from '../log.js';
import { StorageFull, StorageReadOnly, StorageUnavailable } from '../store/errors.js';

// Connection-level failures caused by the client: a cancelled upload (the socket closes before
// the body ends), a malformed request Node's parser refuses (HPE_*: a bad chunk size, an early
// EOF). They are client behaviour, not faults of the server: logged at debug (aborts) or info
// (malformed requests), and only their code and message (issue 11 Low: each cancelled upload
// was two error lines).
const ABORT_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_EOF_STATE']);

export function clientFault(err: unknown): 'aborted' | 'malformed' | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && ABORT_CODES.has(code)) return 'aborted';
  if ((err as Error | null)?.message === 'aborted' || (err as Error | null)?.message === 'request aborted') return 'aborted';
  if (typeof code === 'string' && code.startsWith('HPE_')) return 'malformed';
  return null;
}

/** The listener for Koa's 'error' event: client faults at debug/info, anything else at error. */
export function koaErrorListener(log: Logger): (err: unknown) => void {
  return (err) => {
    const fault = clientFault(err);
    const brief = { code: (err as { code?: unknown }).code, message: (err as Error).message };
    if (fault === 'aborted') log.debug({ err: brief }, 'connection closed by the client');
    else if (fault === 'malformed') log.info({ err: brief }, 'malformed request refused');
    else log.error({ err }, 'koa error');
  };
}

/** An error of the JSON API (/api) or the web pages. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export interface ErrorMiddlewareOptions {
  /** Retry-After of the 503 answers while the database cannot be reached (SUNDIAL_DATABASE_RETRY_AFTER_SECONDS). */
  retryAfterSeconds: number;
  /** The server's logger: one warning per Retry-After window while the database is away, not one per request. */
  log: Logger;
}

export function errorMiddleware({ retryAfterSeconds, log }: ErrorMiddlewareOptions): Middleware {
  let lastOutageWarning = -Infinity;
  return async function errors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } catch (err) {
      ctx.remove('ETag');
      ctx.remove('Last-Modified');
      if (err instanceof DavError) {
        // A HEAD answer has no body. Body before status: Koa turns the status into 204 when a
        // null body is assigned after it, and a 204 to HEAD says the resource exists.
        if (ctx.method === 'HEAD') ctx.body = null;
        ctx.status = err.status;
        for (const [k, v] of Object.entries(err.headers)) ctx.set(k, v);
        if (ctx.method === 'HEAD') return;
        ctx.type = 'application/xml; charset=utf-8';
        ctx.body = errorXml(err.condition, err.children, err.message);
        ctx.state.log?.debug({ status: err.status, condition: err.condition }, err.message);
        return;
      }
      if (err instanceof ApiError) {
        ctx.status = err.status;
        ctx.body = { error: err.code, message: err.message };
        return;
      }
      // A full disk or a read-only database is the server's condition, not a bug of ours and not
      // the request's fault: 507 Insufficient Storage (RFC 4918 §11.5), "the server is unable to
      // store the representation needed to complete the request", without a stack trace; one
      // warning line. Reads never get here; DELETE works whenever SQLite can record it.
      if (err instanceof StorageFull || err instanceof StorageReadOnly) {
        ctx.state.log?.warn({ method: ctx.method, error: err.name }, err.message);
        ctx.status = 507;
        if (ctx.method === 'HEAD') return;
        const message = err instanceof StorageFull
          ? 'The server cannot store this change: it is out of space. Reading and deleting still work.'
          : 'The server cannot store this change: its database is read-only.';
        if (ctx.path.startsWith('/api/')) {
          ctx.body = { error: 'insufficient_storage', message };
        } else {
          ctx.type = 'application/xml; charset=utf-8';
          ctx.body = errorXml(null, [], message);
        }
        return;
      }
      // PostgreSQL restarting, a network cut, a connect timeout (store/postgres/faults.ts): neither
      // a bug nor the request's fault, and temporary. 503 with Retry-After (RFC 9110 §15.6.4,
      // §10.2.3) tells clients to come back; DAVx5, Thunderbird and iOS retry a sync later
      // instead of reporting a server error. Nothing was committed by the failed request; the
      // pool reconnects by itself, so service resumes without a restart.
      if (err instanceof StorageUnavailable) {
        const now = Date.now();
        if (now - lastOutageWarning >= retryAfterSeconds * 1000) {
          lastOutageWarning = now;
          log.warn({ reason: err.reason, retryAfterSeconds }, 'database unreachable: answering 503 with Retry-After');
        } else {
          ctx.state.log?.debug({ method: ctx.method, reason: err.reason }, 'database unreachable');
        }
        if (ctx.method === 'HEAD') ctx.body = null;
        ctx.status = 503;
        ctx.set('Retry-After', String(retryAfterSeconds));
        ctx.set('Cache-Control', 'no-store');
        if (ctx.method === 'HEAD') return;
        const message = 'The server cannot reach its database right now; try again in a few seconds.';
        if (ctx.path.startsWith('/api/')) {
          ctx.body = { error: 'unavailable', message };
        } else if (ctx.path === '/dav' || ctx.path.startsWith('/dav/') || ctx.path === '/') {
          ctx.type = 'application/xml; charset=utf-8';
          ctx.body = errorXml(null, [], message);
        } else {
          ctx.type = 'text/plain; charset=utf-8';
          ctx.body = message;
        }
        return;
      }
      // Errors raised by Koa or its body parsing with a client status (ctx.throw(400), aborted
      // uploads) are exposed as they are; everything else is our bug.
      const status = (err as { status?: unknown; expose?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        if (clientFault(err)) ctx.state.log?.debug({ err: { code: (err as { code?: unknown }).code, message: (err as Error).message } }, 'request body not received');
        ctx.status = status;
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = (err as { expose?: boolean }).expose ? (err as Error).message : `${status}`;
        return;
      }
      ctx.state.log?.error({ err }, 'unhandled error');
      ctx.status = 500;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'Internal server error';
    }
  };
}
