// The session rules of every JSON API router (src/web/api.ts, src/web/feeds-api.ts): a session
// cookie identifies the user; every method other than GET/HEAD needs the session's CSRF token in
// X-CSRF-Token; service errors become JSON 4xx answers; nothing is cached.
import type { Context, Next } from 'koa';
import { Router } from '@koa/router';
import type { Store, User } from '../store/types.js';
import { ApiError } from '../http/errors.js';
import { ServiceError } from '../services/errors.js';
import { Conflict, NotFound, PreconditionFailed } from '../store/errors.js';
import { COOKIE, sameToken, type Session, type Sessions } from './sessions.js';

export interface SessionState {
  user: User;
  session: Session;
}

/**
 * A router for JSON API routes under `prefix`. Case-sensitive: @koa/router matches routes without
 * regard to case by default but ran the routers' `use` middleware (requireSession) only on the
 * exact prefix, so `GET /API/groups` reached its handler with no session — every group, its
 * members and address to anyone — and `POST /API/logout` skipped the CSRF check. URL paths are
 * case-sensitive (RFC 3986 §6.2.2.1), as on DAV: `/API/…` is not the API.
 */
export function jsonRouter(prefix: string): Router {
  return new Router({ prefix, sensitive: true });
}

/** Cache-Control: no-store and ServiceError → ApiError, around everything after it. */
export async function apiErrors(ctx: Context, next: Next): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  try {
    await next();
  } catch (err) {
    if (err instanceof ServiceError) throw new ApiError(err.status, err.code, err.message);
    // A domain error a service did not translate: what it checked was changed by a concurrent
    // request between its read and its write (a group, device or calendar deleted meanwhile).
    // A 4xx saying so, not a 500.
    if (err instanceof NotFound) throw new ApiError(404, 'not_found', 'it no longer exists (deleted meanwhile); reload');
    if (err instanceof Conflict || err instanceof PreconditionFailed) throw new ApiError(409, 'conflict', 'it was changed meanwhile; reload and try again');
    throw err;
  }
}

/** Requires a logged-in session (401) and, for changes, its CSRF token (403). */
export function requireSession(store: Store, sessions: Sessions) {
  return async function sessionAuth(ctx: Context, next: Next): Promise<void> {
    const cookie = ctx.cookies.get(COOKIE);
    const session = await sessions.get(cookie);
    const user = session ? await store.getUserById(session.userId) : null;
    if (!session || !user) throw new ApiError(401, 'not_logged_in', 'log in first');
    // A password changed since the session began (web page, admin reset, `sundial user passwd`
    // in another process: the version lives in the database) ends the session.
    const version = (await store.getCredentials(user.username))?.credentialVersion;
    if (version === undefined) throw new ApiError(401, 'not_logged_in', 'log in first');
    if (session.credentialVersion === null) await sessions.bind(session, version);
    else if (session.credentialVersion !== version) {
      await sessions.destroy(cookie);
      throw new ApiError(401, 'not_logged_in', 'your password was changed; log in again');
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && !sameToken(ctx.get('X-CSRF-Token') || undefined, session.csrf)) {
      throw new ApiError(403, 'csrf', 'missing or wrong CSRF token');
    }
    (ctx.state as SessionState).user = user;
    (ctx.state as SessionState).session = session;
    await next();
  };
}
