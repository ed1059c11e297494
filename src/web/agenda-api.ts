// JSON API of the web agenda (docs/api.md "Agenda"), under /api. Same rules as src/web/api.ts:
// a session cookie identifies the user, every change needs the session's CSRF token in
// X-CSRF-Token, bad input is a 4xx JSON error ({ error, message }).
//   GET    /api/agenda?start=&end=[&calendar=a&calendar=b | &calendars=a,b]   instances, expanded as CalDAV expand does
//   POST   /api/calendars/:uri/events                { summary, start, end, allDay?, location?, description? }
//   PATCH  /api/calendars/:uri/events/:name          the same fields, any subset, and etag
//   DELETE /api/calendars/:uri/events/:name?etag=    the event (a whole series when it recurs)
import type { Context } from 'koa';
import type { Router } from '@koa/router';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import { AgendaCache, agenda, createEvent, deleteEvent, updateEvent } from '../services/events.js';
import type { Sessions } from './sessions.js';
import { readJson } from './json.js';
import { apiErrors, jsonRouter, requireSession, type SessionState } from './session-auth.js';

export interface AgendaApiDeps {
  store: Store;
  config: Config;
  sessions: Sessions;
}

export function agendaRouter({ store, config, sessions }: AgendaApiDeps): Router {
  const router = jsonRouter('/api');
  router.use(apiErrors);
  router.use(requireSession(store, sessions));
  const me = (ctx: Context) => (ctx.state as SessionState).user;
  // Instances per calendar and range while the calendar is unchanged (services/events.ts).
  const cache = new AgendaCache();

  router.get('/agenda', async (ctx) => {
    // ?calendar=a&calendar=b (any URI, commas included) or ?calendars=a,b; none of them: every calendar.
    const one = ctx.query.calendar;
    const calendars = one !== undefined ? (Array.isArray(one) ? one : [one])
      : typeof ctx.query.calendars === 'string' ? ctx.query.calendars.split(',').filter(Boolean) : undefined;
    ctx.body = await agenda(store, me(ctx), ctx.query.start, ctx.query.end, { maxInstances: config.maxInstances, cache, ...(calendars ? { calendars } : {}) });
  });

  router.post('/calendars/:uri/events', async (ctx) => {
    const made = await createEvent(store, me(ctx), ctx.params.uri!, await readJson(ctx));
    ctx.status = 201;
    ctx.body = made;
  });

  router.patch('/calendars/:uri/events/:name', async (ctx) => {
    ctx.body = await updateEvent(store, me(ctx), ctx.params.uri!, ctx.params.name!, await readJson(ctx));
  });

  router.delete('/calendars/:uri/events/:name', async (ctx) => {
    await deleteEvent(store, me(ctx), ctx.params.uri!, ctx.params.name!, ctx.query.etag);
    ctx.status = 204;
  });

  return router;
}
