// GET/HEAD /feeds/<token>.ics (SPEC "Subscription feeds"): no login — the token is the secret.
// Unknown and revoked tokens get the same 404; a known one gets text/calendar with a strong ETag,
// 304 on If-None-Match, and a streamed body. The token never reaches a log line (request-context
// masks the path).
import { Readable } from 'node:stream';
import type { Context, Next } from 'koa';
import { StorageFull } from '../store/errors.js';
import type { Store } from '../store/types.js';
import { feedBody, resolveFeed } from './feed.js';

const FEED_PATH = /^\/feeds\/([^/]*)\.ics$/;
/** last_used_at is written at most this often per link, so polling never becomes a write load. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Cache-Control of a feed. `private`: the URL is a capability, so shared caches (proxies, CDNs)
 * must not keep a copy that would outlive a revocation or be served from their storage.
 * `max-age=300`: a subscriber's own cache may reuse the feed for five minutes — feeds are polled
 * (hourly at best, per REFRESH-INTERVAL; Google every several hours), so this bounds staleness
 * at five minutes and spares us bursts of re-downloads; after that, If-None-Match revalidates for
 * the price of a few indexed queries.
 */
export const FEED_CACHE_CONTROL = 'private, max-age=300';

function matchesIfNoneMatch(header: string, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  // RFC 9110 §13.1.2: If-None-Match uses the weak comparison.
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

export function feedRoute({ store }: { store: Store }) {
  return async function feedMiddleware(ctx: Context, next: Next): Promise<void> {
    const m = FEED_PATH.exec(ctx.path);
    if (!m) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD');
      ctx.status = 405;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'Method not allowed';
      return;
    }
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    const resolved = await resolveFeed(store, m[1]!);
    if (!resolved) {
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 404;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'Not found';
      return;
    }
    const { feed, etag } = resolved;
    const last = feed.lastUsedAt ? Date.parse(feed.lastUsedAt) : NaN;
    // Recording the last use is bookkeeping: on a full disk the feed is still served.
    if (!(Date.now() - last < TOUCH_EVERY_MS)) await store.touchFeedToken(feed.id).catch((err: unknown) => { if (!(err instanceof StorageFull)) throw err; });

    ctx.set('ETag', etag);
    ctx.set('Cache-Control', FEED_CACHE_CONTROL);
    if (matchesIfNoneMatch(ctx.get('If-None-Match'), etag)) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'text/calendar; charset=utf-8';
    if (ctx.method === 'HEAD') {
      ctx.body = null;
      ctx.status = 200;
      ctx.type = 'text/calendar; charset=utf-8';
      return;
    }
    ctx.body = Readable.from(feedBody(store, resolved), { objectMode: false });
  };
}
