// The multiget reports, written once: calendar-multiget (RFC 4791 §7.9) and addressbook-multiget
// (RFC 6352 §8.7) — the listed objects with the requested properties, usually getetag and the
// data property (calendar-data, address-data: data-properties.ts), in one round trip.
// Thunderbird asks in batches of 100 (CLIENTS.md §2.3). Hrefs inside the addressed collection are
// fetched together, in batches bounded by count and by bytes; others are resolved one by one;
// unknown or unreachable ones are answered 404 in their own response. The answer is streamed
// batch by batch (dav/multistatus.ts), and an href named twice is answered once: one request
// naming one 5 MB object a thousand times used to build a 5 GB answer in memory and kill the
// process (issue 11).
import { DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import { charDataProperty, type ResponseEntry } from '../../xml/serialize.js';
import type { ObjectTextUpTo, StoredObject } from '../../store/types.js';
import { StorageUnavailable } from '../../store/errors.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import { badRequest, DavError, multigetHrefLimit } from '../errors.js';
import { objectResource } from '../members.js';
import { multistatus, startedStream } from '../multistatus.js';
import { hrefToPath } from '../paths.js';
import { propContextFor, propstatsFor } from '../propstats.js';
import { rowSelection } from '../properties/index.js';
import { RowResponses } from '../row-listing.js';
import type { RowSelection } from '../properties/row-derived.js';
import { resolve, type CollectionResource, type Resource } from '../resources.js';
import { wantsMinimal } from '../prefer.js';
import { reportPropRequest } from '../requests/prop-request.js';
import { textOf } from '../../xml/parse.js';
import type { DataProperty } from '../data-properties.js';
import { hiddenFromSharee, isSharee, visibleObjects, visibleText } from '../sharee-view.js';

// An absolute path of unreserved characters without dot segments (what clients send, from our own
// listing) is its own URL path and its own decoding: no URL parsing per href.
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+\/?$/;

/**
 * The decoded path of a multiget href, or null when it is not one of ours or undecodable. Runs of
 * slashes become one, as the resolver reads them (urls.ts parseDavPath skips empty segments):
 * otherwise `/dav//addressbooks/…`, `/dav///…` and so on were each a new href for the same
 * object, past the de-duplication below — 1000 such hrefs to one 8 MB card streamed 880 MB and
 * grew the process to 2 GB (attack report of 2026-12-07).
 */
function decodedPath(href: string, origin: string): string | null {
  if (PLAIN_PATH.test(href)) return href;
  const path = hrefToPath(href, origin);
  if (path === null) return null;
  try {
    return decodeURIComponent(path).replace(/\/{2,}/g, '/');
  } catch {
    return null;
  }
}

/** Hrefs per batch read from the store and rendered before the next is read. */
const BATCH = 100;
/**
 * Body bytes per batch: a batch closes once its objects reach this much (one object larger than
 * this is a batch of its own), so what a multiget holds at a time is about this much plus one
 * object (at most maxResourceSize) and the rendering of it, whatever is asked.
 */
const BATCH_BYTES = 4 * 1024 * 1024;

type Item = ResponseEntry | string;

/** Hrefs in batches bounded by count and by the bytes of the bodies of the local ones (members of the addressed collection). */
function batchesOf(names: readonly (string | null)[], sizes: ReadonlyMap<string, number>): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let bytes = 0;
  names.forEach((n, i) => {
    // An href elsewhere is read on its own, size unknown: it fills a batch by itself.
    const size = n !== null ? sizes.get(n) ?? 0 : BATCH_BYTES;
    if (cur.length > 0 && (cur.length >= BATCH || bytes + size > BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(i);
    bytes += size;
  });
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * A multiget report on `target` whose objects carry `data` (calendar-data or address-data);
 * `report` names it in messages. `kind` is the collection the report is addressed to: hrefs in
 * other kinds of collection are answered 404 (an address-book multiget returns no events).
 */
export async function multiget(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement, data: DataProperty, report: string, kind: 'calendar' | 'addressbook'): Promise<DavResponse> {
  const propReq = reportPropRequest(root);
  const raw = root.children.filter((c) => c.name === DAV.href).map((h) => textOf(h).trim());
  if (raw.length === 0) throw badRequest(`${report} needs at least one href`);
  // Counted as sent, duplicates included: the limit bounds the request, not only the answer. It
  // is --max-multiget-hrefs, or the member count of the addressed collection when that is larger:
  // Thunderbird's first sync of an address book fetches every card in one addressbook-multiget
  // (CardDAVDirectory.fetchAllFromServer), and no request can name more distinct members than
  // exist; the answer is read and sent in bounded batches either way.
  const members = target.kind === kind || target.kind === 'collection' ? target.collection.objectCount : 0;
  const limit = Math.max(svc.config.maxMultigetHrefs, members);
  if (raw.length > limit) throw multigetHrefLimit(limit, raw.length, report);
  const rendering = data.prepare(root, propReq, svc);
  const withData = rendering !== null;
  const minimal = wantsMinimal(req);
  const ctx = await propContextFor(svc, []);
  // A sharee: private members answer 404, confidential ones their busy view (sharee-view.ts).
  const sharee = isSharee(target);

  // An href named twice (as sent, or decoding to the same path) is answered once, where it first
  // appears (RFC 4918 §14.24: a response per resource; RFC 4791 §7.9 does not ask for repeats).
  const hrefs: string[] = [];
  const paths: (string | null)[] = [];
  const seen = new Set<string>();
  for (const h of raw) {
    const path = decodedPath(h, req.origin);
    const key = path ?? `\u0000${h}`;
    if (seen.has(key)) continue;
    seen.add(key);
    hrefs.push(h);
    paths.push(path);
  }

  const coll = target.kind === kind || target.kind === 'collection' ? target : null;
  // Member name of each href inside the addressed collection, else null.
  const localNames = paths.map((p) => (coll && p && p.startsWith(coll.href) && p.length > coll.href.length && !p.slice(coll.href.length).includes('/') ? p.slice(coll.href.length) : null));
  // What clients send after a listing — cheap properties (any combination: properties/
  // row-derived.ts) and the stored data of members of the addressed collection — is read in small
  // rows and rendered straight to text, like the Depth 1 listing (row-listing.ts).
  const textProps = coll && rendering?.whole && propReq.type === 'prop' ? rowSelection(propReq.names, data.name) : null;

  // Objects answered so far, by collection and name: another spelling of an href that resolves to
  // one of them (a trailing slash, an alias the path rules above do not fold) is not answered
  // again, so no request can make the answer larger than one rendering per object it can read.
  // Made on the first href elsewhere: the hrefs clients send are all members (DAVx5: 900 a sync).
  let answered: Set<string> | null = null;

  /** The response of an href outside the addressed collection (or of one not found in it); null for an object already answered. */
  async function elsewhere(i: number): Promise<Item | null> {
    const path = paths[i];
    if (!path) return { href: hrefs[i]!, status: 404 };
    // An href that does not resolve is a 404 member; a database that cannot be reached is not
    // (a 404 would tell the client the object was deleted): it fails the request (503).
    const r = await resolve(svc.store, req.user, encodeURI(path)).catch((err: unknown) => {
      if (err instanceof StorageUnavailable) throw err;
      return null;
    });
    if (r?.kind !== 'object' || (r.parent.kind !== kind && r.parent.kind !== 'collection')) return { href: path, status: 404 };
    answered ??= new Set(coll ? localNames.filter((n): n is string => n !== null).map((n) => `${coll.collection.id}/${n}`) : []);
    const id = `${r.parent.collection.id}/${r.name}`;
    if (answered.has(id)) return null;
    answered.add(id);
    const stored = await svc.store.getObject(r.parent.collection.id, r.name);
    const obj = stored ? visibleObjects(isSharee(r.parent), [stored])[0] : undefined;
    if (!obj) return { href: path, status: 404 };
    return render(r.parent, obj);
  }

  async function render(parent: CollectionResource, obj: StoredObject): Promise<Item> {
    const resource = objectResource(parent, obj);
    // Transformed calendar-data (expand) is rendered in slices, like calendar-query's (issue 11).
    const extra = rendering ? await rendering.extra(obj, parent.collection) : undefined;
    const propstats = propstatsFor(resource, propReq, ctx, { minimal, ...(extra ? { extra } : {}) });
    return { href: resource.href, propstats: propstats instanceof Promise ? await propstats : propstats };
  }

  if (coll && textProps) return sent(textPages({ c: coll, sel: textProps, svc, data, sharee, minimal, localNames, paths, elsewhere }));

  const sizes = new Map<string, number>();
  if (coll) {
    const names = localNames.filter((n): n is string => n !== null);
    for (const o of await svc.store.getObjectSizes(coll.collection.id, names)) sizes.set(o.name, o.size);
  }

  /** A batch of any other selection (expand, dead or computed properties): whole stored objects, rendered by their definitions. */
  async function page(batch: number[]): Promise<Item[]> {
    const names = [...new Set(batch.map((i) => localNames[i]).filter((n): n is string => typeof n === 'string' && sizes.has(n)))];
    const items: Item[] = [];
    const fetched = coll ? new Map(visibleObjects(sharee, await svc.store.getObjects(coll.collection.id, names)).map((o) => [o.name, o])) : new Map<string, StoredObject>();
    for (const i of batch) {
      const n = localNames[i] ?? null;
      const obj = n !== null ? fetched.get(n) : undefined;
      if (obj) items.push(await render(coll!, obj));
      else if (n !== null) items.push({ href: paths[i]!, status: 404 });
      else {
        const x = await elsewhere(i);
        if (x !== null) items.push(x);
      }
    }
    return items;
  }

  const batches = batchesOf(localNames, sizes);
  // One batch (≤ 100 hrefs and ≤ 4 MB of bodies: every multiget clients send after a listing) is
  // already in memory: rendered at once and sent with a Content-Length, without the stream
  // machinery per response, which doubled the time of a 9000-event initial sync (bench).
  if (batches.length <= 1) return multistatus(batches.length === 0 ? [] : await page(batches[0]!));
  // The first batch (the whole answer for the ≤100 hrefs clients send) is computed before the
  // 207 is committed, so that an error in it (max-instances of an expand) is still a proper 403.
  return multistatus(await startedStream(pagesOf(batches, page, (i) => paths[i] ?? hrefs[i]!)));
}

// The generators below are module-level functions given what they need, never closures inside
// multiget(): V8 keeps a generator's function context from the generator object even after it
// has finished, and generator objects outlive the young generation, so an inner generator kept
// its request's whole scope (the parsed body, hrefs, rows, renderings) alive through scavenges
// into the old generation. For DAVx5's 900 multigets of an initial sync that was ~100 KB
// promoted every other scavenge, and full collections every ~180 ms (--trace-gc-nvp); a
// generator at module level holds only its arguments, which are cleared when it finishes.

/** The general path's batches in turn; a later batch that fails is answered per href (failedItem). */
async function* pagesOf(batches: readonly number[][], page: (batch: number[]) => Promise<Item[]>, hrefOf: (i: number) => string): AsyncGenerator<Item[]> {
  for (let k = 0; k < batches.length; k++) {
    const b = batches[k]!;
    let items: Item[];
    try {
      items = await page(b);
    } catch (err) {
      if (k === 0) throw err;
      items = b.map((i) => failedItem(err, hrefOf(i)));
    }
    yield items;
  }
}

/** What the text path's pages are made of: the addressed collection, the selection and the request's hrefs. */
interface TextPagesInput {
  c: CollectionResource;
  sel: RowSelection;
  svc: DavServices;
  data: DataProperty;
  sharee: boolean;
  minimal: boolean;
  /** Member name of each href inside `c`, else null. */
  localNames: readonly (string | null)[];
  paths: readonly (string | null)[];
  /** The response of an href outside `c`; null for an object already answered. */
  elsewhere: (i: number) => Promise<Item | null>;
}

/** A row rendered as its response (null: hidden from a sharee). */
function renderedRow(m: TextPagesInput, responses: RowResponses, row: ObjectTextUpTo & { text: string }): Item | Promise<Item | null> | null {
  // Read already escaped (`xml`) only for an owner: a sharee's confidential view is made from
  // the plain text.
  if (row.xml && !m.sharee) return responses.render(row, { name: m.data.name, value: charDataProperty(m.data.name, row.text) });
  const o = visibleText(m.sharee, row);
  return o ? responses.render(o, { name: m.data.name, value: o.text }) : null;
}

/**
 * The text path's pages: each run of at most BATCH hrefs of members is one read
 * (getObjectTextsUpTo), with every body up to an equal share of BATCH_BYTES; a body larger than
 * its share is read and sent as a page of its own, and so is each href elsewhere. What is held
 * at a time is thus at most BATCH_BYTES plus one object, as for the general path, without first
 * reading every size: for the 10 hrefs of DAVx5's multigets that was one statement of two.
 */
async function* textPages(m: TextPagesInput): AsyncGenerator<Page> {
  const { c, svc, sharee, localNames, paths } = m;
  const responses = new RowResponses(m.sel, svc.store, c.collection.id, c.href, m.minimal);
  const runs = runsOf(localNames);
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r]!;
    const lastRun = r === runs.length - 1;
    if (localNames[run[0]!] === null) {
      const x = await m.elsewhere(run[0]!);
      yield { items: x === null ? [] : [x], last: lastRun };
      continue;
    }
    const names = run.map((i) => localNames[i]!);
    const rows = new Map((await svc.store.getObjectTextsUpTo(c.collection.id, names, Math.floor(BATCH_BYTES / names.length), !sharee)).map((o) => [o.name, o]));
    let items: Item[] = [];
    for (let k = 0; k < run.length; k++) {
      const i = run[k]!;
      const row = rows.get(localNames[i]!);
      if (row && row.text === null && sharee && hiddenFromSharee(row.classification)) {
        // A private object a sharee cannot see: its body is not read at all.
        items.push({ href: paths[i]!, status: 404 });
        continue;
      }
      if (row && row.text === null) {
        // Larger than its share: what was rendered so far goes first, then this one alone.
        if (items.length > 0) yield { items, last: false };
        items = [];
        const [whole] = await svc.store.getObjectTexts(c.collection.id, [row.name]);
        const x = whole ? await renderedRow(m, responses, whole) : null;
        yield { items: [x ?? { href: paths[i]!, status: 404 }], last: lastRun && k === run.length - 1 };
        continue;
      }
      // A string is pushed as it is, without a microtask per member (render is synchronous unless
      // a member holds dead properties).
      const x = row ? renderedRow(m, responses, row as ObjectTextUpTo & { text: string }) : null;
      items.push((typeof x === 'string' || x === null ? x : await x) ?? { href: paths[i]!, status: 404 });
    }
    if (items.length > 0) yield { items, last: lastRun };
  }
}

/** Rendered responses, and whether nothing follows them. */
interface Page {
  items: Item[];
  last: boolean;
}

/**
 * The 207 of pages: a first page that is also the last (the ≤ 100 hrefs clients send after a
 * listing) is sent whole with a Content-Length, without the stream machinery per response, which
 * doubled the time of a 9000-event initial sync (bench); otherwise the pages are streamed, the
 * first computed before the 207 is committed so that an error in it is still a proper status.
 */
async function sent(source: AsyncGenerator<Page>): Promise<DavResponse> {
  const first = await source.next();
  if (first.done) return multistatus([]);
  if (first.value.last) {
    await source.return(undefined);
    return multistatus(first.value.items);
  }
  return multistatus(followedBy(first.value.items, source));
}

/** `head`, then the items of the pages still to come. */
async function* followedBy(head: Item[], rest: AsyncGenerator<Page>): AsyncGenerator<Item[]> {
  yield head;
  for await (const p of rest) yield p.items;
}

/** Indexes of the hrefs in the groups read together: runs of at most BATCH consecutive members of the addressed collection (non-null names); an href elsewhere is a group of its own. */
function runsOf(names: readonly (string | null)[]): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  names.forEach((n, i) => {
    if (n === null || cur.length >= BATCH) {
      if (cur.length > 0) out.push(cur);
      cur = [];
    }
    if (n === null) out.push([i]);
    else cur.push(i);
  });
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * A later batch that fails after the 207 is under way (a max-instances of an expand): each of
 * its hrefs is answered with the error's status and precondition, instead of cutting the body.
 */
function failedItem(err: unknown, href: string): Item {
  if (!(err instanceof DavError)) throw err;
  return { href, status: err.status, ...(err.condition ? { error: { name: err.condition } } : {}), description: err.message };
}
