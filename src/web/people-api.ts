// JSON API of people and groups (issue 15 items 1 and 6; docs/api.md). Same rules as
// src/web/api.ts: a session cookie identifies the user, every change needs the session's CSRF
// token in X-CSRF-Token, bad input is a 4xx JSON error ({ error, message }).
//   GET   /api/profile                      { username, displayName, addresses }
//   PATCH /api/profile                      { displayName?, addresses? } → the profile
//   GET   /api/users/:username/profile      (admins) the user's profile
//   PATCH /api/users/:username/profile      (admins) { displayName?, addresses? } → the profile
import type { Context } from 'koa';
import { Router } from '@koa/router';
import type { Store } from '../store/types.js';
import { ApiError } from '../http/errors.js';
import { missing } from '../services/errors.js';
import { profileOf, setProfile } from '../services/people.js';
import type { Sessions } from './sessions.js';
import { readJson } from './json.js';
import { apiErrors, requireSession, type SessionState } from './session-auth.js';

export interface PeopleApiDeps {
  store: Store;
  sessions: Sessions;
}

export function peopleRouter({ store, sessions }: PeopleApiDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.use(apiErrors);
  router.use(requireSession(store, sessions));

  const me = (ctx: Context) => (ctx.state as SessionState).user;
  const admin = (ctx: Context) => {
    if (!me(ctx).isAdmin) throw new ApiError(403, 'forbidden', 'administrators only');
    return me(ctx);
  };

  router.get('/profile', async (ctx) => {
    ctx.body = await profileOf(store, me(ctx));
  });

  router.patch('/profile', async (ctx) => {
    const body = await readJson(ctx);
    ctx.body = await setProfile(store, me(ctx).username, { displayName: body.displayName, addresses: body.addresses });
  });

  router.get('/users/:username/profile', async (ctx) => {
    admin(ctx);
    const user = await store.getUser(ctx.params.username!);
    if (!user) throw missing(`no user "${ctx.params.username}"`);
    ctx.body = await profileOf(store, user);
  });

  router.patch('/users/:username/profile', async (ctx) => {
    admin(ctx);
    const body = await readJson(ctx);
    ctx.body = await setProfile(store, ctx.params.username!, { displayName: body.displayName, addresses: body.addresses });
  });

  return router;
}
