// JSON API of private subscription links and .ics upload, under /api/feeds (docs/feeds.md).
// Same rules as src/web/api.ts: a session cookie identifies the user, every change needs the
// session's CSRF token in X-CSRF-Token, bad input is a 4xx JSON error ({ error, message }).
//   GET    /api/feeds                    the user's links (never their tokens)
//   POST   /api/feeds                    { calendar?, group?, details?, alarms?, label? } → link + URLs, once
//   POST   /api/feeds/:id/regenerate     new secret, same options → link + URLs, once
//   DELETE /api/feeds/:id                revoke
//   POST   /api/feeds/import?calendar=U  body text/calendar → import summary
import type { Context } from 'koa';
import type { Router } from '@koa/router';
import type { Config } from '../config.js';
import type { CalendarInstance, Store } from '../store/types.js';
import { ApiError } from '../http/errors.js';
import { readBody } from '../http/body.js';
import { decodeCalendarText } from '../ical/parse.js';
import { CalendarDataError } from '../ical/errors.js';
import { createLink, listLinks, regenerateLink, revokeLink, type NewLink } from '../feeds/links.js';
import { feedUrls } from '../feeds/tokens.js';
import { importCalendar } from '../ical-files/import.js';
import { objectLimitsOf } from '../ical/limits.js';
import { forbiddenAction, missing } from '../services/errors.js';
import { warnIfPassedThreshold } from '../services/large-calendars.js';
import type { Sessions } from './sessions.js';
import { readJson } from './json.js';
import { apiErrors, jsonRouter, requireSession, type SessionState } from './session-auth.js';
import { baseUrlOf } from './api.js';
import type { ImportGate } from './import-gate.js';

export interface FeedsApiDeps {
  store: Store;
  config: Config;
  sessions: Sessions;
  /** Imports running at once (shared with the address books' import). */
  imports: ImportGate;
}

/** Largest .ics upload: a 30,000-event export is about 15 MB. */
export const IMPORT_LIMIT = 32 * 1024 * 1024;
/** Skipped components listed in the answer; the count is always complete. */
const MAX_SKIPPED_LISTED = 200;

export function feedsRouter({ store, config, sessions, imports }: FeedsApiDeps): Router {
  const router = jsonRouter('/api/feeds');
  router.use(apiErrors);
  router.use(requireSession(store, sessions));
  const me = (ctx: Context) => (ctx.state as SessionState).user;

  const withUrls = (ctx: Context, made: NewLink) => {
    const { url, webcal } = feedUrls(baseUrlOf(ctx, config), made.token);
    return { link: made.link, url, webcalUrl: webcal };
  };

  router.get('/', async (ctx) => {
    ctx.body = { feeds: await listLinks(store, me(ctx)) };
  });

  router.post('/', async (ctx) => {
    const body = await readJson(ctx);
    const made = await createLink(store, me(ctx), { calendar: body.calendar, group: body.group, details: body.details, alarms: body.alarms, label: body.label });
    ctx.status = 201;
    ctx.body = withUrls(ctx, made);
  });

  router.post('/import', async (ctx) => {
    const uri = ctx.query.calendar;
    if (typeof uri !== 'string' || uri === '') throw new ApiError(400, 'invalid', 'which calendar? (?calendar=<uri>)');
    const instance = await store.getInstance(me(ctx).id, uri);
    if (!instance) throw missing(`no calendar "${uri}"`);
    if (instance.access === 'read') throw forbiddenAction('this calendar is shared with you read-only');
    if (!ctx.is('text/calendar')) throw new ApiError(415, 'unsupported_media_type', 'send text/calendar');
    await imports.run(ctx, me(ctx).id, () => importIcs(ctx, uri, instance));
  });

  const importIcs = async (ctx: Context, uri: string, instance: CalendarInstance) => {
    const raw = await readBody(ctx, IMPORT_LIMIT, () => new ApiError(413, 'too_large', `an import is at most ${IMPORT_LIMIT / 1024 / 1024} MB`));
    let text: string;
    try {
      text = decodeCalendarText(raw);
    } catch (err) {
      if (err instanceof CalendarDataError) throw new ApiError(400, 'invalid_calendar', 'the file is not UTF-8 text');
      throw err;
    }
    const summary = await importCalendar(store, instance.collection, text, { maxResourceSize: config.maxResourceSize, limits: objectLimitsOf(config), sharee: instance.access !== 'owner' });
    if (ctx.state.log) warnIfPassedThreshold(ctx.state.log, config.largeCalendarThreshold, instance.collection, instance.collection.objectCount, summary.entries);
    ctx.state.log?.info({ calendar: uri, imported: summary.imported, replaced: summary.replaced, unchanged: summary.unchanged, skipped: summary.skipped.length }, 'import');
    ctx.body = {
      ...summary,
      skipped: summary.skipped.slice(0, MAX_SKIPPED_LISTED),
      skippedCount: summary.skipped.length,
      large: summary.entries > config.largeCalendarThreshold,
    };
  };

  router.post('/:id/regenerate', async (ctx) => {
    ctx.body = withUrls(ctx, await regenerateLink(store, me(ctx), ctx.params.id));
  });

  router.delete('/:id', async (ctx) => {
    await revokeLink(store, me(ctx), ctx.params.id);
    ctx.status = 204;
  });

  return router;
}
