// The one place where failures become responses. DavError → `<d:error>` XML with its status;
// ApiError → JSON; any other error is a bug: logged with its stack and answered 500 without
// internals. Nothing thrown by a request can take the process down.
import type { Context, Next } from 'koa';
import { DavError } from '../dav/errors.js';
import { errorXml } from '../xml/serialize.js';
import type { Logger } from '../log.js';
import { StorageFull, StorageReadOnly } from '../store/errors.js';

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

export async function errorMiddleware(ctx: Context, next: Next): Promise<void> {
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
}
