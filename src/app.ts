// The Koa application: request context and logging, error rendering, health check, well-known
// redirect, DAV (behind Basic auth) and the web app. Built from explicit dependencies so tests
// and the server compose it the same way.
import Koa from 'koa';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { Store } from './store/types.js';
import { Authenticator } from './auth/authenticator.js';
import { errorMiddleware, koaErrorListener } from './http/errors.js';
import { requestContext } from './http/request-context.js';
import { hostCheck } from './http/host-header.js';
import { basicAuth } from './http/auth.js';
import { davRoute } from './http/adapter.js';
import { QueryEngine } from './dav/query/engine.js';
import { XmlBodies } from './dav/xml-body.js';
import { ParsedCardCache } from './vcard/cache.js';
import { ANY_RESOURCE_ALLOW, DAV_CLASSES, isDavMethod } from './dav/allow.js';
import { apiRouter } from './web/api.js';
import { Sessions } from './web/sessions.js';
import { staticFiles } from './web/static-files.js';
import { ApiError } from './http/errors.js';
import { feedRoute } from './feeds/http.js';
import { feedsRouter } from './web/feeds-api.js';
import { agendaRouter } from './web/agenda-api.js';
import { peopleRouter } from './web/people-api.js';
import { devicesRouter } from './web/devices-api.js';
import { createScheduler } from './scheduling/compose.js';
import { scheduleReplyRoute } from './web/schedule-reply.js';
import { addressBooksRouter } from './web/addressbooks-api.js';
import { ImportGate } from './web/import-gate.js';

export interface AppDeps {
  config: Config;
  store: Store;
  log: Logger;
}

export interface SundialApp {
  koa: Koa;
  authenticator: Authenticator;
}

// Methods that make a request on "/" a DAV request rather than the web app: Apple clients
// PROPFIND "/" after a redirect or a change, and must get a 207, never HTML (CLIENTS.md §1.4).
const DAV_ON_ROOT = new Set(['PROPFIND', 'REPORT', 'PROPPATCH', 'OPTIONS']);

/** Methods of the web app and its JSON API, besides the DAV ones (allow.ts). */
const WEB_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function createApp({ config, store, log }: AppDeps): SundialApp {
  const koa = new Koa({ proxy: config.trustProxy });
  koa.silent = true;
  koa.on('error', koaErrorListener(log));

  const authenticator = new Authenticator(store, {
    cacheSeconds: config.credentialCacheSeconds,
    failureLimit: config.loginFailureLimit,
    throttleSeconds: config.loginThrottleSeconds,
    addressFailureLimit: config.loginAddressFailureLimit,
    devicePasswordsRequired: config.devicePasswordsRequired,
  });
  const requireUser = basicAuth(authenticator);
  // The report caches and parsed bodies belong to this store: one of each per app (issue 12 item 9).
  const scheduler = createScheduler(store, config, log);
  const dav = davRoute({ store, config, log, queries: new QueryEngine(), xmlBodies: new XmlBodies(), scheduler, cards: new ParsedCardCache() });

  koa.use(requestContext(log));
  // RFC 9112 §3.2: a missing (HTTP/1.1), repeated or invalid Host is 400, before anything builds
  // a link from it (host-header.ts); logged like any request.
  koa.use(hostCheck({ trustProxy: config.trustProxy }));
  koa.use(errorMiddleware({ retryAfterSeconds: config.databaseRetryAfterSeconds, log }));
  // Several processes on one database (issue 18 item 3): the request sees every write committed
  // before it began, by any process, also through the store's cached reads (Store.refresh).
  if (store.refresh) {
    const refresh = store.refresh.bind(store);
    koa.use(async (ctx, next) => {
      if (ctx.path !== '/healthz') await refresh();
      return next();
    });
  }
  // GET/HEAD /feeds/<token>.ics: no login, the token is the secret (SPEC "Subscription feeds").
  koa.use(feedRoute({ store }));
  // /schedule/reply: the Accept/Decline page of iMIP invitations (no login; the signed token is the key).
  koa.use(scheduleReplyRoute(scheduler));
  koa.use(async (ctx, next) => {
    const path = ctx.path;
    if (path === '/healthz') {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'ok' };
      return;
    }
    // RFC 6764 §5: the well-known URI redirects to the context path. 301 rather than 302
    // because TbSync requires it (Radicale app/__init__.py); PROPFIND gets the same redirect.
    // RFC 6352 §11 (RFC 6764 §5) the same for CardDAV: DAVx5 and iOS start address-book discovery there.
    if (path === '/.well-known/caldav' || path === '/.well-known/caldav/' || path === '/.well-known/carddav' || path === '/.well-known/carddav/') {
      ctx.status = 301;
      ctx.redirect('/dav/');
      ctx.status = 301;
      return;
    }
    if (path === '/dav' || path.startsWith('/dav/') || (path === '/' && DAV_ON_ROOT.has(ctx.method))) {
      // OPTIONS without credentials is answered too: it reveals nothing and some clients probe it first.
      if (ctx.method === 'OPTIONS' && !ctx.get('Authorization')) {
        ctx.set('DAV', DAV_CLASSES);
        ctx.set('Allow', ANY_RESOURCE_ALLOW);
        ctx.status = 200;
        ctx.body = '';
        return;
      }
      return requireUser(ctx, () => dav(ctx));
    }
    return next();
  });
  const sessions = new Sessions(store);
  const api = apiRouter({ store, config, authenticator, sessions });
  // The routers' 405/501 answers apply to their own /api/ routes only: elsewhere they turned a
  // PROPFIND of /.well-known/carddav or /x into "501, Allow: (empty)" (issue 12 item 3).
  const apiOnly = (mw: ReturnType<typeof api.allowedMethods>): Koa.Middleware => (ctx, next) => (ctx.path.startsWith('/api/') ? mw(ctx as Parameters<typeof mw>[0], next) : next());
  koa.use(api.routes());
  koa.use(apiOnly(api.allowedMethods()));
  // Uploads (.ics, .vcf) running at once: one per user, two in all (web/import-gate.ts).
  const imports = new ImportGate();
  const feedsApi = feedsRouter({ store, config, sessions, imports });
  koa.use(feedsApi.routes());
  koa.use(apiOnly(feedsApi.allowedMethods()));
  const agendaApi = agendaRouter({ store, config, sessions });
  koa.use(agendaApi.routes());
  koa.use(apiOnly(agendaApi.allowedMethods()));
  const peopleApi = peopleRouter({ store, sessions });
  koa.use(peopleApi.routes());
  koa.use(apiOnly(peopleApi.allowedMethods()));
  const devicesApi = devicesRouter({ store, config, sessions });
  koa.use(devicesApi.routes());
  koa.use(apiOnly(devicesApi.allowedMethods()));
  const addressBooksApi = addressBooksRouter({ store, config, sessions, imports });
  koa.use(addressBooksApi.routes());
  koa.use(apiOnly(addressBooksApi.allowedMethods()));
  koa.use(staticFiles());
  koa.use(async (ctx) => {
    if (ctx.path.startsWith('/api/')) throw new ApiError(404, 'not_found', 'no such API route');
    // RFC 9110 §15.6.2: a method the server does not know is 501; outside /dav/ and /api/ only
    // the web app's pages are served, so that is what Allow lists. Known methods get 404.
    if (!isDavMethod(ctx.method) && !WEB_METHODS.has(ctx.method)) {
      ctx.status = 501;
      ctx.set('Allow', 'GET, HEAD');
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `${ctx.method} is not implemented`;
      return;
    }
    ctx.status = 404;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'Not found';
  });
  return { koa, authenticator };
}
