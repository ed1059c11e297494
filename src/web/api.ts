// The JSON API under /api that the preferences page uses (documented in docs/api.md). Same
// rules for every route: a session cookie identifies the user; every change needs the session's
// CSRF token in X-CSRF-Token; bad input is a 4xx JSON error ({ error, message }).
import type { Context } from 'koa';
import type { Router } from '@koa/router';
import type { Config } from '../config.js';
import type { Store, User } from '../store/types.js';
import type { Authenticator } from '../auth/authenticator.js';
import { ApiError } from '../http/errors.js';
import { requestOrigin } from '../http/origin.js';
import { calendarView, createCalendar, listCalendars, removeCalendar, shareCalendar, unshareCalendar, updateCalendar } from '../services/calendars.js';
import { addUser, changeOwnPassword, removeUser, resetPassword } from '../services/users.js';
import { COOKIE, Sessions } from './sessions.js';
import { apiErrors, jsonRouter, requireSession, type SessionState } from './session-auth.js';
import { readJson } from './json.js';
import { withoutTrailingSlashes } from '../feeds/tokens.js';
import { appleProfile } from './apple-profile.js';
import { absoluteUrl, addressbookHomePath, homePath, principalPath } from '../urls.js';

export interface ApiDeps {
  store: Store;
  config: Config;
  authenticator: Authenticator;
  sessions: Sessions;
}

type State = SessionState;

const userJson = (u: User) => ({ username: u.username, displayName: u.displayName, isAdmin: u.isAdmin, email: u.email });

export function baseUrlOf(ctx: Context, config: Config): string {
  return withoutTrailingSlashes(config.baseUrl ?? requestOrigin(ctx));
}

export function apiRouter({ store, config, authenticator, sessions }: ApiDeps): Router {
  const router = jsonRouter('/api');

  // Service errors → JSON 4xx; everything else goes on to the error middleware.
  router.use(apiErrors);

  const secureCookie = (ctx: Context) => ctx.protocol === 'https';

  router.post('/login', async (ctx) => {
    const body = await readJson(ctx);
    const { username, password } = body;
    if (typeof username !== 'string' || typeof password !== 'string') throw new ApiError(400, 'invalid', 'username and password required');
    const result = await authenticator.authenticate(username, password, ctx.ip);
    if (!result.ok) {
      if (result.reason === 'throttled') {
        ctx.set('Retry-After', String(result.retryAfter));
        throw new ApiError(429, 'throttled', 'too many failed logins; try again later');
      }
      throw new ApiError(401, 'invalid_credentials', 'wrong user name or password');
    }
    const { id, session } = await sessions.create(result.user.id, result.credentialVersion);
    ctx.cookies.set(COOKIE, id, { httpOnly: true, sameSite: 'strict', secure: secureCookie(ctx), path: '/', overwrite: true });
    ctx.body = { user: userJson(result.user), csrfToken: session.csrf };
  });

  // Everything below needs a session; changes need the CSRF token too.
  router.use(requireSession(store, sessions));

  const me = (ctx: Context) => (ctx.state as State).user;
  const admin = (ctx: Context) => {
    if (!me(ctx).isAdmin) throw new ApiError(403, 'forbidden', 'administrators only');
    return me(ctx);
  };

  router.get('/me', (ctx) => {
    ctx.body = { user: userJson(me(ctx)), csrfToken: (ctx.state as State).session.csrf, largeCalendarThreshold: config.largeCalendarThreshold };
  });

  router.post('/logout', async (ctx) => {
    await sessions.destroy(ctx.cookies.get(COOKIE));
    ctx.cookies.set(COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: secureCookie(ctx), path: '/', maxAge: 0 });
    ctx.status = 204;
  });

  router.post('/password', async (ctx) => {
    const body = await readJson(ctx);
    const user = me(ctx);
    // The current password goes through the authenticator, so guessing it from a stolen or
    // unattended session is throttled like any login (SPEC "Accounts and security").
    if (typeof body.current === 'string') {
      const check = await authenticator.authenticate(user.username, body.current, ctx.ip);
      if (!check.ok && check.reason === 'throttled') {
        ctx.set('Retry-After', String(check.retryAfter));
        throw new ApiError(429, 'throttled', 'too many failed attempts; try again later');
      }
    }
    await changeOwnPassword(store, user, body.current, body.password);
    authenticator.cache.clear();
    // Other sessions of this user (another browser, a forgotten computer) end; this one stays.
    await sessions.destroyUser(user.id, (ctx.state as State).session);
    ctx.status = 204;
  });

  // --- calendars ---------------------------------------------------------------------------------
  router.get('/calendars', async (ctx) => {
    ctx.body = await listCalendars(store, me(ctx), config.largeCalendarThreshold);
  });

  router.post('/calendars', async (ctx) => {
    const body = await readJson(ctx);
    const i = await createCalendar(store, me(ctx), { displayName: body.displayName, color: body.color });
    ctx.status = 201;
    ctx.body = await calendarView(store, me(ctx), i, config.largeCalendarThreshold, new Map());
  });

  router.patch('/calendars/:uri', async (ctx) => {
    const body = await readJson(ctx);
    const i = await updateCalendar(store, me(ctx), ctx.params.uri!, { displayName: body.displayName, color: body.color, sync: body.sync, freeBusy: body.freeBusy });
    ctx.body = await calendarView(store, me(ctx), i, config.largeCalendarThreshold, new Map());
  });

  router.delete('/calendars/:uri', async (ctx) => {
    ctx.body = { result: await removeCalendar(store, me(ctx), ctx.params.uri!) };
  });

  router.put('/calendars/:uri/shares/:username', async (ctx) => {
    const body = await readJson(ctx);
    await shareCalendar(store, me(ctx), ctx.params.uri!, ctx.params.username, body.access);
    ctx.status = 204;
  });

  router.delete('/calendars/:uri/shares/:username', async (ctx) => {
    await unshareCalendar(store, me(ctx), ctx.params.uri!, ctx.params.username!);
    ctx.status = 204;
  });

  // --- connection help -----------------------------------------------------------------------------
  router.get('/connection', (ctx) => {
    const base = baseUrlOf(ctx, config);
    const user = me(ctx).username;
    ctx.body = {
      serverUrl: `${base}/`,
      principalUrl: absoluteUrl(base, principalPath(user)),
      homeUrl: absoluteUrl(base, homePath(user)),
      addressbookHomeUrl: absoluteUrl(base, addressbookHomePath(user)),
      username: user,
      https: base.startsWith('https:'),
    };
  });

  router.get('/apple-profile', (ctx) => {
    const user = me(ctx).username;
    ctx.set('Content-Disposition', `attachment; filename="sundial-${user.replace(/[^A-Za-z0-9._-]/g, '_')}.mobileconfig"`);
    ctx.type = 'application/x-apple-aspen-config';
    ctx.body = appleProfile({ baseUrl: baseUrlOf(ctx, config), username: user });
  });

  // --- administration ------------------------------------------------------------------------------
  router.get('/users', async (ctx) => {
    admin(ctx);
    ctx.body = { users: (await store.listUsers()).map(userJson) };
  });

  router.post('/users', async (ctx) => {
    admin(ctx);
    const body = await readJson(ctx);
    const u = await addUser(store, { username: body.username, password: body.password, isAdmin: body.isAdmin });
    ctx.status = 201;
    ctx.body = userJson(u);
  });

  router.delete('/users/:username', async (ctx) => {
    const actor = admin(ctx);
    const target = await store.getUser(ctx.params.username!);
    await removeUser(store, actor, ctx.params.username!);
    if (target) await sessions.destroyUser(target.id);
    ctx.status = 204;
  });

  router.post('/users/:username/password', async (ctx) => {
    admin(ctx);
    const body = await readJson(ctx);
    await resetPassword(store, ctx.params.username!, body.password);
    authenticator.cache.clear();
    // A reset ends the user's web sessions, as their DAV clients' old password stops working.
    const target = await store.getUser(ctx.params.username!);
    if (target && target.id !== me(ctx).id) await sessions.destroyUser(target.id);
    ctx.status = 204;
  });

  return router;
}
