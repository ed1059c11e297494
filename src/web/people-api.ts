// JSON API of people and groups (issue 15 items 1 and 6; docs/api.md). Same rules as
// src/web/api.ts: a session cookie identifies the user, every change needs the session's CSRF
// token in X-CSRF-Token, bad input is a 4xx JSON error ({ error, message }).
//   GET   /api/profile                      { username, displayName, addresses }
//   PATCH /api/profile                      { displayName?, addresses? } → the profile
//   GET   /api/users/:username/profile      (admins) the user's profile
//   PATCH /api/users/:username/profile      (admins) { displayName?, addresses? } → the profile
//   GET    /api/groups                      { groups: [{ name, displayName, email, principal, members }] }
//   POST   /api/groups                      (admins) { name, displayName?, email?, members? } → 201 group
//   PATCH  /api/groups/:name                (admins) { displayName?, email? } → group
//   DELETE /api/groups/:name                (admins) → 204
//   PUT    /api/groups/:name/members        (admins) { members: [user…] } → group (one transaction)
//   PUT    /api/groups/:name/members/:user  (admins) → 204;  DELETE the same → 204
//   GET    /api/calendars/:uri/group-shares (owner) { shares: [{ group, access }] }
//   PUT    /api/calendars/:uri/group-shares/:group  (owner) { access } → 204;  DELETE → 204
//   the same under /api/addressbooks/:uri/group-shares for an address book
import type { Context } from 'koa';
import type { Router } from '@koa/router';
import type { Store } from '../store/types.js';
import { ApiError } from '../http/errors.js';
import { missing } from '../services/errors.js';
import { profileOf, setProfile } from '../services/people.js';
import { addGroup, addMember, groupNamed, groupSharesOf, groupView, listGroupViews, removeGroup, removeMember, setMembers, shareWithGroup, unshareWithGroup, updateGroup } from '../services/groups.js';
import type { Sessions } from './sessions.js';
import { readJson } from './json.js';
import { apiErrors, jsonRouter, requireSession, type SessionState } from './session-auth.js';

export interface PeopleApiDeps {
  store: Store;
  sessions: Sessions;
}

export function peopleRouter({ store, sessions }: PeopleApiDeps): Router {
  const router = jsonRouter('/api');
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

  // --- groups -------------------------------------------------------------------------------
  // Every user may list the groups (to share a calendar with one); only admins change them.
  router.get('/groups', async (ctx) => {
    ctx.body = { groups: await listGroupViews(store) };
  });

  router.post('/groups', async (ctx) => {
    admin(ctx);
    const body = await readJson(ctx);
    ctx.status = 201;
    ctx.body = await addGroup(store, { name: body.name, displayName: body.displayName, email: body.email, members: body.members });
  });

  router.patch('/groups/:name', async (ctx) => {
    admin(ctx);
    const body = await readJson(ctx);
    ctx.body = await updateGroup(store, ctx.params.name!, { displayName: body.displayName, email: body.email });
  });

  router.delete('/groups/:name', async (ctx) => {
    admin(ctx);
    await removeGroup(store, ctx.params.name!);
    ctx.status = 204;
  });

  router.put('/groups/:name/members', async (ctx) => {
    admin(ctx);
    const body = await readJson(ctx);
    ctx.body = await setMembers(store, ctx.params.name!, body.members);
  });

  router.put('/groups/:name/members/:username', async (ctx) => {
    admin(ctx);
    await addMember(store, ctx.params.name!, ctx.params.username!);
    ctx.status = 204;
  });

  router.delete('/groups/:name/members/:username', async (ctx) => {
    admin(ctx);
    await removeMember(store, ctx.params.name!, ctx.params.username!);
    ctx.status = 204;
  });

  router.get('/groups/:name', async (ctx) => {
    ctx.body = await groupView(store, await groupNamed(store, ctx.params.name));
  });

  // --- a calendar or an address book shared with groups (its owner) ---------------------------
  for (const [prefix, home] of [['calendars', 'calendars'], ['addressbooks', 'addressbooks']] as const) {
    router.get(`/${prefix}/:uri/group-shares`, async (ctx) => {
      ctx.body = { shares: await groupSharesOf(store, me(ctx), ctx.params.uri!, home) };
    });

    router.put(`/${prefix}/:uri/group-shares/:group`, async (ctx) => {
      const body = await readJson(ctx);
      await shareWithGroup(store, me(ctx), ctx.params.uri!, ctx.params.group, body.access, home);
      ctx.status = 204;
    });

    router.delete(`/${prefix}/:uri/group-shares/:group`, async (ctx) => {
      await unshareWithGroup(store, me(ctx), ctx.params.uri!, ctx.params.group!, home);
      ctx.status = 204;
    });
  }

  return router;
}
