// sync-collection (RFC 6578): what changed in a collection since a token — changed members with
// the requested properties, removed ones as 404 responses — and the new token. Calendars, address
// books (with address-data, RFC 6352 §8.7.1 as DAVx5 and iOS ask it) and plain collections alike.
// On a home (calendar home or address-book home), the members are the calendars or address books
// listed there: added (or switched on), changed, and removed (or switched off) ones (SPEC
// "Per-calendar synchronization"). An unknown token is 403
// valid-sync-token, which makes Thunderbird and DAVx5 start over (CLIENTS.md §2.3, §3).
import { DAV } from '../../xml/names.js';
import { textOf, type XmlElement } from '../../xml/parse.js';
import type { ResponseEntry } from '../../xml/serialize.js';
import { allObjectMetas, type CalendarInstance, type Change, type HomeChange, type ObjectMeta, type Store, type User } from '../../store/types.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import { DavError, badRequest, forbidden, syncTraversalSupported, validSyncToken } from '../errors.js';
import { depthOf } from '../depth.js';
import { objectResource } from '../members.js';
import { multistatus, startedStream } from '../multistatus.js';
import { propContextFor, propstatsFor, type PropRequest } from '../propstats.js';
import { homeSyncTokenOf, parseHomeSyncToken, parseSyncToken, syncTokenOf } from '../properties/values.js';
import { instanceResource, type Resource } from '../resources.js';
import { wantsMinimal } from '../prefer.js';
import { translated } from '../store-errors.js';
import { reportPropRequest } from '../requests/prop-request.js';
import { dataPropertyOf, type DataRendering } from '../data-properties.js';
import { isSharee, visibleMetas, visibleObjects } from '../sharee-view.js';
import { homeDelta, homeSeqFor } from '../home-view.js';
import { rowSelection, type PropContext } from '../properties/index.js';
import { rowListing } from '../row-listing.js';

interface SyncRequest {
  seq: number | null; // null = initial sync
  limit: number | null;
}

function parseSyncRequest(root: XmlElement, req: DavRequest, target: Resource): SyncRequest {
  // RFC 6578 §3.2 defines the report for Depth 0 (a missing Depth is 0 on REPORT). Thunderbird
  // also sends Depth: 1 with sync-level 1, for servers of the older draft where Depth set the
  // scope (CalDavRequestHandlers.sys.mjs doWebDAVSync), and reads any 4xx as "token invalid, start
  // over": Depth 1 is accepted as the same scope as level 1; infinity is refused.
  if (depthOf(req, '0') === 'infinity') throw badRequest('sync-collection takes Depth: 0 (RFC 6578 §3.2); use sync-level for the scope');
  const tokenEl = root.children.find((c) => c.name === DAV.syncToken);
  const levelEl = root.children.find((c) => c.name === DAV.syncLevel);
  if (!tokenEl) throw badRequest('sync-collection needs a sync-token element');
  const level = levelEl ? textOf(levelEl).trim() : '1';
  if (level !== '1' && level !== 'infinite') throw badRequest('sync-level must be 1 or infinite');
  // §3.3: infinite would include the members of the home's calendars (or of sub-collections),
  // which is not served; a calendar or address book has no sub-collections, so infinite is level 1 there.
  if (level === 'infinite' && target.kind !== 'calendar' && target.kind !== 'addressbook') throw syncTraversalSupported();
  const token = textOf(tokenEl).trim();
  let seq: number | null = null;
  if (token !== '') {
    // A home's token must be one handed out for the requesting view (values.ts homeSyncTokenOf).
    seq = target.kind === 'home' ? parseHomeSyncToken(token, target.device?.id) : parseSyncToken(token);
    if (seq === null) throw validSyncToken();
  }
  let limit: number | null = null;
  const limitEl = root.children.find((c) => c.name === DAV.limit);
  if (limitEl) {
    const n = limitEl.children.find((c) => c.name === DAV.nresults);
    const value = n ? Number(textOf(n).trim()) : NaN;
    if (!Number.isInteger(value) || value < 1) throw badRequest('limit/nresults must be a positive integer');
    limit = value;
  }
  return { seq, limit };
}

export async function syncCollection(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  const sync = parseSyncRequest(root, req, target);
  const propReq = reportPropRequest(root);
  if (target.kind === 'home') return syncHome(req, svc, target, sync, propReq);
  if (target.kind !== 'calendar' && target.kind !== 'addressbook' && target.kind !== 'collection') throw forbidden('sync-collection is supported on calendars, address books, collections and the homes');
  const collection = target.collection;
  const store = svc.store;
  // A sharee: private members are never listed, and a change that made one private reaches them
  // as a 404 removal; confidential ones come as their busy view (sharee-view.ts).
  const sharee = isSharee(target);
  // calendar-data, or address-data in an address book (data-properties.ts).
  const rendering = dataPropertyOf(target).prepare(root, propReq, svc);
  const minimal = wantsMinimal(req);
  // A sync without a token is the Depth 1 listing without the collection's own response and with
  // the token at the end (RFC 6578 §3.4, §6.3): when every property asked is cheap (any
  // combination: properties/row-derived.ts), it is read and rendered from rows a page at a time,
  // as the listing is (row-listing.ts) — what Thunderbird's and DAVx5's first sync of a calendar
  // and iOS's and DAVx5's of an address book send. A limit that some member count could exceed
  // takes the general path, which counts the members the viewer sees (the 507 below). The token is
  // the one read with the collection, before any row: a member changed while the pages are read
  // is reported again by the next sync, never missed.
  const sel = sync.seq === null && rendering === null && propReq.type === 'prop' && (target.kind === 'calendar' || target.kind === 'addressbook') && (sync.limit === null || collection.objectCount <= sync.limit) ? rowSelection(propReq.names) : null;
  if (sel) {
    // The first page is read before the 207 is committed: an error there is still a proper status.
    const pages = await startedStream(rowListing(null, target.href, store, collection.id, sel, { sharee, minimal }));
    return multistatus(pages, { syncToken: syncTokenOf(collection.syncSeq) });
  }
  let changes: Change[];
  let newSeq: number;
  // The responses are rendered from these rows (one read, not a query per member).
  let metas: Map<string, ObjectMeta>;
  if (sync.seq === null) {
    const all = visibleMetas(sharee, await allObjectMetas(store, collection.id));
    metas = new Map(all.map((m) => [m.name, m]));
    changes = all.map((m) => ({ name: m.name, deleted: false, seq: collection.syncSeq }));
    newSeq = collection.syncSeq;
  } else {
    // The changes with their members' rows, read together (one round trip on PostgreSQL).
    const set = await translated(() => store.changedMetasSince(collection.id, sync.seq!));
    changes = set.changes;
    newSeq = set.seq;
    metas = new Map(visibleMetas(sharee, set.metas).map((m) => [m.name, m]));
  }
  // RFC 6578 §3.6: past the client's limit, answer the first changes, a token that covers
  // exactly those, and a 507 response for the collection itself.
  let truncated = false;
  if (sync.limit !== null && changes.length > sync.limit) {
    // An initial listing has no order of changes to cut at, so it cannot be truncated with a
    // token that covers exactly what was sent: refuse (§3.6 allows 507 here).
    if (sync.seq === null) throw new DavError(507, DAV.numberOfMatchesWithinLimits, 'Too many members for the requested limit; synchronize without a limit');
    changes = changes.slice(0, sync.limit);
    newSeq = changes[changes.length - 1]!.seq;
    truncated = true;
  }
  const withData = rendering !== null;
  const ctx = await propContextFor(svc, []);

  // The first response is computed before the 207 is committed: an error there is a proper 4xx.
  const entries = changedEntries({ changes, metas, truncated, target: target as CollectionTarget, sharee, rendering, propReq, ctx, minimal, store });
  return multistatus(await startedStream(entries), { syncToken: syncTokenOf(newSeq) });
}

type CollectionTarget = Extract<Resource, { kind: 'calendar' | 'addressbook' | 'collection' }>;

/** What the responses of a collection's changes are made of. */
interface ChangedInput {
  changes: readonly Change[];
  /** The changed members' rows, by name (those a sharee may see). */
  metas: ReadonlyMap<string, ObjectMeta>;
  /** Cut at the client's limit: a 507 for the collection follows. */
  truncated: boolean;
  target: CollectionTarget;
  sharee: boolean;
  rendering: DataRendering | null;
  propReq: PropRequest;
  ctx: PropContext;
  minimal: boolean;
  store: Store;
}

// The generators below are module-level functions given what they need, not closures in the
// handlers: V8 keeps a generator's function context from the generator object after it finishes,
// and the object outlives the young generation, so a closure kept each request's scope alive
// into the old generation (reports/multiget.ts, where it was measured).

/** The responses of the changes, read in batches. */
async function* changedEntries(m: ChangedInput): AsyncGenerator<ResponseEntry> {
  const { changes, metas, target, rendering, store } = m;
  const collection = target.collection;
  const withData = rendering !== null;
  const sizeOf = (name: string) => metas.get(name)?.size ?? 0;
  let started = false;
  for (let i = 0; i < changes.length;) {
    // Batches bounded by count and, with calendar-data, by body bytes (see calendar-multiget.ts):
    // 100 objects of 10 MB each would otherwise be read at once.
    let end = i + 1;
    let bytes = withData ? sizeOf(changes[i]!.name) : 0;
    while (end < changes.length && end - i < SYNC_BATCH && (!withData || bytes + sizeOf(changes[end]!.name) <= SYNC_BATCH_BYTES)) {
      if (withData) bytes += sizeOf(changes[end]!.name);
      end++;
    }
    const batch = changes.slice(i, end);
    i = end;
    const data = withData ? new Map(visibleObjects(m.sharee, await store.getObjects(collection.id, batch.filter((c) => !c.deleted).map((c) => c.name))).map((o) => [o.name, o])) : null;
    for (const c of batch) {
      const href = target.href + c.name;
      const resolvedMeta = c.deleted ? undefined : data ? data.get(c.name) : metas.get(c.name);
      if (!resolvedMeta) {
        yield { href, status: 404 };
        continue;
      }
      const r = objectResource(target, resolvedMeta);
      const extra = data?.get(c.name);
      data?.delete(c.name); // the body is garbage once its response is written
      let entry: ResponseEntry;
      try {
        entry = { href, propstats: await propstatsFor(r, m.propReq, m.ctx, { minimal: m.minimal, ...(extra && rendering ? { extra: await rendering.extra(extra, collection) } : {}) }) };
      } catch (err) {
        // After the first response the 207 is under way: a member whose calendar-data cannot
        // be rendered (max-instances of an expand) gets the error in its own response.
        if (!started || !(err instanceof DavError)) throw err;
        entry = { href, status: err.status, ...(err.condition ? { error: { name: err.condition } } : {}), description: err.message };
      }
      started = true;
      yield entry;
    }
  }
  if (m.truncated) yield { href: target.href, status: 507, error: { name: DAV.numberOfMatchesWithinLimits } };
}

/** Changes per batch read from the store, and body bytes per batch when calendar-data is asked. */
const SYNC_BATCH = 100;
const SYNC_BATCH_BYTES = 4 * 1024 * 1024;

async function syncHome(req: DavRequest, svc: DavServices, home: Extract<Resource, { kind: 'home' }>, sync: SyncRequest, propReq: ReturnType<typeof reportPropRequest>): Promise<DavResponse> {
  const store = svc.store;
  const user = home.user;
  // The home as the requesting device sees it: its listing, its token (home-view.ts).
  const current = await homeSeqFor(store, user, home.device, home.home);
  if (sync.seq !== null && sync.seq > current) throw validSyncToken();
  const { changed, removed } = await homeDelta(store, user, home.device, sync.seq, home.home);
  const ctx = await propContextFor(svc, [home]);
  const minimal = wantsMinimal(req);
  return multistatus(homeEntries(user, home.href, changed, removed, propReq, ctx, minimal), { syncToken: homeSyncTokenOf(current, home.device?.id) });
}

/** The responses of a home's changed and removed calendars or address books. */
async function* homeEntries(user: User, homeHref: string, changed: readonly CalendarInstance[], removed: readonly HomeChange[], propReq: PropRequest, ctx: PropContext, minimal: boolean): AsyncGenerator<ResponseEntry> {
  for (const i of changed) {
    const r = instanceResource(user, i);
    yield { href: r.href, propstats: await propstatsFor(r, propReq, ctx, { minimal }) };
  }
  for (const t of removed) yield { href: `${homeHref}${t.uri}/`, status: 404 };
}
