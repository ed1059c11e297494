// addressbook-query (RFC 6352 §8.6): the cards of an address book (Depth 1; or the one card the
// request addresses) matching a filter (§10.5: prop-filter, param-filter, text-match with the
// i;unicode-casemap and i;ascii-casemap collations, anyof/allof), with the asked properties and
// address-data (§10.4). It reads parse → match → render → multistatus:
// - parse: the body into a typed request (requests/address-query.ts), 403 with the CardDAV
//   precondition for a bad filter or collation;
// - match: the members page by page (the list kept per state of the book, vcard/cache.ts), each
//   card parsed once per stored version and kept in the app's ParsedCardCache (svc.cards, keyed
//   by collection, name and etag), so a repeated query reads no bodies; over a kept list, the
//   text indexes (vcard/text-index.ts) name the candidate cards and matchCard decides each; the
//   work pauses for other requests every few milliseconds (time-slice.ts); a card with much
//   text is folded first in slices, each value once for all the filter's text-matches, under
//   the evaluation budget calendar-query has (SUNDIAL_MAX_EVALUATION_MS per card, past it 403
//   CALDAV:max-instances; vcard/filter.ts prepareCard, text-match-evaluation.ts);
// - render: address-data from the stored card (data-properties.ts): for a selection of
//   etag-derived or unknown properties, from the text the parsed card keeps (whole responses
//   kept on the card per request shape), else from rows fetched in batches bounded by count and
//   bytes;
// - multistatus: a small answer rendered whole; else the first page rendered before the 207 is
//   committed (a refused address-data conversion is still a 403), then streamed.
// CARDDAV:limit (§8.6.1): past nresults, the first nresults matches and a 507 response for the
// address book with DAV:number-of-matches-within-limits.
import { DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import type { ResponseEntry } from '../../xml/serialize.js';
import type { ObjectEtag, ObjectMeta, Store } from '../../store/types.js';
import { candidateCards, compileCardFilter, foldedFor, matchCard, needsPreparation, prepareCard } from '../../vcard/filter.js';
import { TextIndex } from '../../vcard/text-index.js';
import type { ParsedCard } from '../../vcard/card.js';
import { MAX_INDEXES, memberBytes, type CollectionCards } from '../../vcard/cache.js';
import { slicer } from '../../time-slice.js';
import { WorkBudget } from '../../ical/work-budget.js';
import { TextMatchEvaluation } from '../../text-match-evaluation.js';
import { toQueryDavError } from '../query/errors.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import { depthOf } from '../depth.js';
import { DavError, forbidden } from '../errors.js';
import { objectResource } from '../members.js';
import { multistatus, startedStream } from '../multistatus.js';
import { wantsMinimal } from '../prefer.js';
import { propContextFor, propstatsFor } from '../propstats.js';
import type { AddressbookResource, Resource } from '../resources.js';
import { parseAddressQuery } from '../requests/address-query.js';
import { ADDRESS_DATA, type DataRendering } from '../data-properties.js';
import { isSharee, visibleMeta, visibleMetas, visibleObjects, visibleText } from '../sharee-view.js';
import { rowSelection, type RowSelection } from '../properties/row-derived.js';
import { etagDerivedDefs } from '../properties/registry.js';
import { chunksToBuffer } from '../../xml/chunked-writer.js';
import { RowResponses } from '../row-listing.js';
import { withProps } from '../../with-props.js';

/** Members listed per page, and responses (or card bodies) read per batch. */
const PAGE = 500;
const BATCH = 100;
/** An answer of at most this many responses, and of address-data of at most this many characters, is sent whole. */
const WHOLE_MAX_MATCHES = 2000;
const WHOLE_MAX_CHARS = 1024 * 1024;
/** Body bytes read per batch (the same bound as the multigets'). */
const BATCH_BYTES = 4 * 1024 * 1024;
/**
 * Time the text indexes one query builds may take together (each build is one synchronous pass;
 * past it a build gives up and the cards are matched one by one, with pauses): a book of many
 * cards costly to fold would otherwise hold the event loop for the whole pass. A cold index of
 * 9000 non-ASCII names takes ~30 ms; the folds a build made are kept, so the next one is quicker.
 */
const INDEX_BUILD_MS = 50;

/** The members addressed: every card of the address book (Depth 1), none (Depth 0), or one card. */
function scopeOf(req: DavRequest, target: Resource): { book: AddressbookResource; only: string | null; none: boolean } {
  if (target.kind === 'object' && target.parent.kind === 'addressbook') return { book: target.parent, only: target.name, none: false };
  if (target.kind !== 'addressbook') throw forbidden('addressbook-query is supported on address books and their cards');
  // Depth 0 addresses the collection, which is no card; a missing Depth is taken as 1, as
  // clients mean (RFC 6352 §8.6 asks Depth 1; calendar-query reads it alike).
  return { book: target, only: null, none: depthOf(req, '1') === '0' };
}

type Sized = Pick<ObjectMeta, 'size'>;

/** A card parsed from a row read by the query, with the etag of that row. */
interface Parsed {
  etag: string;
  card: ParsedCard;
}

/** A matching member as the requester may see it, and its parsed card (which holds its stored text). */
interface Match {
  m: ObjectEtag;
  card: ParsedCard;
}

/** Consecutive runs of `metas` bounded by count and by the bytes of their bodies. */
function* batches<T extends Sized>(metas: readonly T[]): Generator<T[]> {
  let cur: T[] = [];
  let bytes = 0;
  for (const m of metas) {
    if (cur.length > 0 && (cur.length >= BATCH || bytes + m.size > BATCH_BYTES)) {
      yield cur;
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += m.size;
  }
  if (cur.length > 0) yield cur;
}

export async function addressbookQuery(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  const query = parseAddressQuery(root);
  const scope = scopeOf(req, target);
  const filter = compileCardFilter(query.filter);
  const rendering = ADDRESS_DATA.prepare(root, query.propReq, svc);
  const { book } = scope;
  const collection = book.collection;
  const store = svc.store;
  const sharee = isSharee(book);
  const pause = slicer();
  // The filter's text-matches: each value folded once per card, long ones in slices under the
  // request's evaluation budget (one per request, as calendar-query's; a new account per card).
  const budget = new WorkBudget(svc.config.maxEvaluationMs);
  const ev = new TextMatchEvaluation(budget);
  // This address book's parsed cards (one handle per request, vcard/cache.ts).
  const cache = svc.cards.collection(collection.id);

  // Match: the members listed by name and etag only (three columns: a warm query of 9000 cards
  // spent most of its time reading the twelve of every member's metadata), the parsed card of
  // each from the cache, else parsed from its body (read in batches bounded by bytes) and kept.
  // A match keeps its member (as the requester may see it) and its parsed card, which holds the
  // stored text: the render below needs no second read of what the match read.
  const matches: Match[] = [];
  let truncated = false;
  const seq = collection.syncSeq;
  /**
   * The cards named, read from their rows now (in batches bounded by bytes) and parsed into the
   * cache; a stored card that no longer parses (it was validated when stored) is left out and
   * matches nothing.
   */
  async function readParsed(names: string[]): Promise<Map<string, Parsed>> {
    const out = new Map<string, Parsed>();
    const sized = names.length > 0 ? await store.getObjectSizes(collection.id, names) : [];
    for (const batch of batches(sized)) {
      for (const o of await store.getObjectTexts(collection.id, batch.map((m) => m.name))) {
        try {
          out.set(o.name, { etag: o.etag, card: cache.get(o.name, o.etag, o.text) });
        } catch {
          // left out: matches nothing
        }
        const p = pause();
        if (p) await p;
      }
    }
    return out;
  }
  /**
   * takeRead: `take` for a card parsed from a row read now, which a write may have changed since
   * the member was listed: the match then answers with that row's etag, which is the one of the
   * text it renders.
   */
  function takeRead(m: ObjectEtag, read: Parsed | undefined): boolean {
    if (read === undefined) return true;
    return take(read.etag === m.etag ? m : withProps(m, { etag: read.etag }), read.card);
  }
  /**
   * A card with much text (vcard/filter.ts needsPreparation) has what the filter reads folded
   * before `take` matches it, in slices under the budget; past the budget the query answers 403
   * max-instances, as calendar-query does.
   */
  async function prepare(card: ParsedCard): Promise<void> {
    budget.startObject('a card');
    try {
      await prepareCard(card, filter, ev);
    } catch (err) {
      ev.clear();
      throw toQueryDavError(err);
    }
  }
  /** Matches `m` on its parsed card; false once the limit is passed (the scan stops). */
  function take(m: ObjectEtag, card: ParsedCard | undefined): boolean {
    const v = sharee ? visibleMeta(true, m) : m;
    if (v === null || card === undefined) {
      ev.clear();
      return true;
    }
    const hit = matchCard(card, filter, ev);
    ev.clear();
    if (!hit) return true;
    if (query.limit !== null && matches.length >= query.limit) {
      truncated = true;
      return false;
    }
    matches.push({ m: v, card });
    return true;
  }
  // The kept list's cards, one per member in its order (vcard/cache.ts cardsOf): a repeated query
  // over an unchanged book matches straight from them, without a lookup per member. A member
  // without a cached card (one that does not parse, or was evicted) is read and parsed first.
  const keptCards = scope.none || scope.only !== null ? undefined : cache.cardsOf(seq);
  const keptList = keptCards !== undefined ? cache.members<ObjectEtag>(seq) : undefined;
  if (keptCards !== undefined && keptList !== undefined) {
    const missing: string[] = [];
    for (let i = 0; i < keptList.length; i++) if (keptCards[i] === undefined) missing.push(keptList[i]!.name);
    const late = await readParsed(missing);
    // The cards that can match, from the text indexes kept with the list (vcard/text-index.ts),
    // built only over a list whose every card is parsed; the others are matched one by one. A
    // build is one synchronous pass over every card: one query builds at most as many as are kept
    // (MAX_INDEXES), so a filter of 100 prop-filters on distinct properties cannot hold the event
    // loop for 100 passes (past the cap: no index, hence no bound, and every card is matched one
    // by one, with pauses).
    // Cards with much text are left out of the indexes (always candidates: matched one by one,
    // prepared in slices), and the builds of one query stop after INDEX_BUILD_MS.
    let builds = 0;
    const deadline = performance.now() + INDEX_BUILD_MS;
    const candidates = missing.length > 0 ? null : candidateCards(filter, keptList.length, (name, collation) =>
      cache.textIndex(seq, `${collation}\0${name}`, () => (++builds > MAX_INDEXES ? null : TextIndex.buildWithin(keptCards as readonly ParsedCard[], name, (p) => foldedFor(p, collation), needsPreparation, deadline))));
    for (let i = 0; i < keptList.length; i++) {
      if (candidates !== null && candidates[i] === 0) continue;
      const m = keptList[i]!;
      const card = keptCards[i];
      const toMatch = card ?? late.get(m.name)?.card;
      if (toMatch !== undefined && needsPreparation(toMatch)) await prepare(toMatch);
      if (!(card !== undefined ? take(m, card) : takeRead(m, late.get(m.name)))) break;
      // Every 64 cards, or after any card whose values had to be folded (a cold card may take
      // milliseconds), the event loop gets its turn when the slice is used up.
      if ((i & 63) === 63 || ev.takeWork() > 0) {
        const p = pause();
        if (p) await p;
      }
    }
  } else {
    scan: for await (const page of listedMembers({ scope, store, collectionId: collection.id, cache, seq, pause })) {
      // Private cards a sharee may not see are not even read (visibleMetas; take's own view of
      // an already visible member is the same).
      const visible = visibleMetas(sharee, page);
      const parsed = await readParsed(visible.filter((m) => cache.peek(m.name, m.etag) === undefined).map((m) => m.name));
      for (const v of visible) {
        const read = parsed.get(v.name);
        const card = read !== undefined ? read.card : cache.peek(v.name, v.etag);
        if (card !== undefined && needsPreparation(card)) await prepare(card);
        if (!(read !== undefined ? takeRead(v, read) : take(v, card))) break scan;
        const p = pause();
        if (p) await p;
      }
    }
  }

  // Render: pages of responses, each batch of matches (bounded by count and bytes) read whole —
  // the response's properties and address-data come from the rows read now.
  const ctx = await propContextFor(svc, []);
  const minimal = wantsMinimal(req);
  const progress = { started: false };
  // Cheap properties (any combination, properties/row-derived.ts) and whole address-data or none —
  // what a search field asks — are rendered straight to text from the rows and bodies read, as
  // the multiget and the Depth 1 listing do (row-listing.ts), byte-equal to the general path
  // (test/protocol/carddav-query-rows.test.ts).
  const rowSel = query.propReq.type === 'prop' && (rendering === null || rendering.whole) ? rowSelection(query.propReq.names, ADDRESS_DATA.name) : null;
  // A selection that needs no row column (every property etag-derived or unknown: getetag, the
  // search field's ask) renders from the matches themselves — the member's etag and the stored
  // text its parsed card holds (the etag is a hash of those bytes) — reading nothing; only a
  // sharee's busy-only view of a card (none today: cards are stored public) and a card whose text
  // the cache does not keep (large bulky values, vcard/card.ts) read their rows.
  const fromMatches = rowSel !== null && !rowSel.wide;
  // When every property asked derives from the etag (getetag) but address-data, which is the
  // card's text, a response is a function of (card version, request shape, href): it is kept on
  // the card as bytes (vcard/cache.ts keepResponse), and a repeated query copies them instead of
  // escaping and encoding 400 KB of address-data again (as calendar-query keeps its responses).
  const responseKey = fromMatches && query.propReq.type === 'prop' && etagDerivedDefs(query.propReq.names, ADDRESS_DATA.name) !== null
    ? `${query.propReq.names.join(' ')}\u0001${rendering !== null}\u0001${minimal}\u0001` : null;
  async function renderRows(sel: RowSelection, names: string[]): Promise<string[]> {
    const responses = new RowResponses(sel, store, collection.id, book.href, minimal);
    const page: string[] = [];
    // In the order of the matches; a card deleted since the match is left out, as below.
    const byName = new Map((await store.getObjectTexts(collection.id, names)).map((o) => [o.name, o]));
    for (const name of names) {
      const row = byName.get(name);
      const o = row ? visibleText(sharee, row) : null;
      if (!o) continue;
      const x = responses.render(o, rendering ? { name: ADDRESS_DATA.name, value: o.text } : undefined);
      page.push(typeof x === 'string' ? x : await x);
    }
    return page;
  }
  async function render(names: string[]): Promise<ResponseEntry[]> {
    // A card deleted between the match and now is no longer a member to report.
    const objects = visibleObjects(sharee, await store.getObjects(collection.id, names));
    const page: ResponseEntry[] = [];
    for (const obj of objects) {
      const r = objectResource(book, obj);
      let extra;
      try {
        extra = rendering ? await rendering.extra(obj, collection) : undefined;
      } catch (err) {
        // Once the 207 is under way, a card whose address-data cannot be given gets the error
        // in its own response; before, the whole request is the 4xx.
        if (!progress.started || !(err instanceof DavError)) throw err;
        page.push({ href: r.href, status: err.status, ...(err.condition ? { error: { name: err.condition } } : {}), description: err.message });
        continue;
      }
      const propstats = propstatsFor(r, query.propReq, ctx, { minimal, ...(extra ? { extra } : {}) });
      page.push({ href: r.href, propstats: propstats instanceof Promise ? await propstats : propstats });
    }
    return page;
  }
  const source: PageSource = { matches, truncated, limit: query.limit, fromMatches, rowSel, responseKey, rendering, store, collectionId: collection.id, bookHref: book.href, cache, sharee, minimal, progress, renderRows, render };
  // A small answer rendered from the matches (its size known from the cards' texts) is rendered
  // whole and sent with one write (multistatus's array path, as a multiget batch): streaming it
  // page by page through the chunk generator and the socket's stream cost more than rendering it.
  if (fromMatches && matches.length <= WHOLE_MAX_MATCHES && !matches.some(needsRow)) {
    let size = 0;
    for (const x of matches) size += x.card.text!.length;
    if (rendering === null || size <= WHOLE_MAX_CHARS) {
      const all: (ResponseEntry | string)[] = [];
      for await (const page of responsePages(source)) all.push(...page);
      return multistatus(all);
    }
  }
  return multistatus(await startedStream(responsePages(source)));
}

/** What listedMembers reads: the request's scope, and the book's cards in the app's cache. */
interface MemberSource {
  scope: ReturnType<typeof scopeOf>;
  store: Store;
  collectionId: number;
  cache: CollectionCards;
  /** The book's sync sequence number, read with the collection when the request was resolved. */
  seq: number;
  pause: () => Promise<void> | undefined;
}

// The generators below are module-level functions given what they need, not closures in the
// handler: V8 keeps a generator's function context after it finishes, which kept the request's
// scope alive into the old generation (reports/multiget.ts, where it was measured).

/** The members addressed, page by page (name and etag only). */
async function* listedMembers(src: MemberSource): AsyncGenerator<ObjectEtag[]> {
  if (src.scope.none) return;
  if (src.scope.only !== null) {
    const m = await src.store.getObjectMeta(src.collectionId, src.scope.only);
    if (m) yield [m];
    return;
  }
  // The member list kept for this state of the address book (vcard/cache.ts): its sync
  // sequence number was read with the collection when the request was resolved, before any
  // member row, and every change of a member bumps it, so a list kept for that number is the
  // current one. A repeated query over an unchanged book reads no member rows.
  const kept = src.cache.members<ObjectEtag>(src.seq);
  if (kept !== undefined) {
    for (let i = 0; i < kept.length; i += PAGE) yield kept.slice(i, i + PAGE);
    return;
  }
  // Else listed by pages, and kept when whole and small enough (a list a write changed midway
  // is kept under the older number, which no later request has).
  let all: ObjectEtag[] | null = [];
  let bytes = 0;
  let after = '';
  for (;;) {
    const page = await src.store.listObjectEtags(src.collectionId, { after, limit: PAGE });
    if (all !== null) {
      for (const m of page) bytes += memberBytes(m);
      if (bytes > src.cache.maxMemberBytes) all = null;
      else all.push(...page);
    }
    if (page.length > 0) yield page;
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.name;
    const p = src.pause();
    if (p) await p;
  }
  if (all !== null) src.cache.keepMembers(src.seq, all, bytes);
}

/** What responsePages renders: the matches, and how (see the handler's comments). */
interface PageSource {
  matches: readonly Match[];
  truncated: boolean;
  limit: number | null;
  fromMatches: boolean;
  rowSel: RowSelection | null;
  responseKey: string | null;
  rendering: DataRendering | null;
  store: Store;
  collectionId: number;
  bookHref: string;
  cache: CollectionCards;
  sharee: boolean;
  minimal: boolean;
  /** Set once a page is yielded: an error after it goes into its card's own response. */
  progress: { started: boolean };
  renderRows: (sel: RowSelection, names: string[]) => Promise<string[]>;
  render: (names: string[]) => Promise<ResponseEntry[]>;
}

/** Whether a match's response needs its row read (a busy view, or a card whose text is not kept). */
function needsRow(x: Match): boolean {
  return x.m.busyView === true || x.card.text === null;
}

/** The responses of the matches, page by page, and the 507 past the limit. */
async function* responsePages(ps: PageSource): AsyncGenerator<(ResponseEntry | string)[]> {
  if (ps.fromMatches) {
    const need = ps.matches.filter(needsRow).map((x) => x.m.name);
    const sizeOf = new Map(need.length > 0 ? (await ps.store.getObjectSizes(ps.collectionId, need)).map((o) => [o.name, o.size]) : []);
    // A card deleted since the match (no size) is left out, as the row path does below.
    const sized = ps.matches.filter((x) => !needsRow(x) || sizeOf.has(x.m.name)).map((x) => ({ x, size: needsRow(x) ? sizeOf.get(x.m.name)! : x.card.text!.length }));
    const responses = new RowResponses(ps.rowSel!, ps.store, ps.collectionId, ps.bookHref, ps.minimal);
    for (const batch of batches(sized)) {
      const wanted = batch.filter((b) => needsRow(b.x)).map((b) => b.x.m.name);
      const rows = new Map(wanted.length > 0 ? (await ps.store.getObjectTexts(ps.collectionId, wanted)).map((o) => [o.name, o]) : []);
      const page: (ResponseEntry | string)[] = [];
      for (const { x } of batch) {
        let o: ObjectEtag = x.m;
        let text = x.card.text;
        const href = ps.bookHref + o.name;
        if (ps.responseKey !== null && !needsRow(x)) {
          // The whole response, kept on the card for this request shape (see responseKey in the handler).
          const key = ps.responseKey + href;
          const kept = x.card.response;
          if (kept !== null && kept.key === key) {
            page.push({ href, encoded: kept.bytes });
            continue;
          }
          const r = responses.render(o, ps.rendering ? { name: ADDRESS_DATA.name, value: text! } : undefined);
          if (typeof r !== 'string') {
            page.push(await r);
            continue;
          }
          const bytes = chunksToBuffer([r], true);
          ps.cache.keepResponse(o.name, o.etag, x.card, key, bytes);
          page.push({ href, encoded: bytes });
          continue;
        }
        if (needsRow(x)) {
          const row = rows.get(x.m.name);
          const v = row ? visibleText(ps.sharee, row) : null;
          if (!v) continue;
          o = v;
          text = v.text;
        }
        const r = responses.render(o, ps.rendering ? { name: ADDRESS_DATA.name, value: text! } : undefined);
        page.push(typeof r === 'string' ? r : await r);
      }
      ps.progress.started = true;
      yield page;
    }
  } else {
    for (let i = 0; i < ps.matches.length; i += PAGE) {
      // getObjectSizes answers in no particular order (PostgreSQL's `= ANY` does not keep SQLite's
      // name order): the batches follow the matches, so both paths list the cards by name.
      const slice = ps.matches.slice(i, i + PAGE).map((x) => x.m.name);
      const sizeOf = new Map((await ps.store.getObjectSizes(ps.collectionId, slice)).map((o) => [o.name, o.size]));
      const sized = slice.filter((name) => sizeOf.has(name)).map((name) => ({ name, size: sizeOf.get(name)! }));
      for (const batch of batches(sized)) {
        const page = ps.rowSel ? await ps.renderRows(ps.rowSel, batch.map((m) => m.name)) : await ps.render(batch.map((m) => m.name));
        ps.progress.started = true;
        yield page;
      }
    }
  }
  if (ps.truncated) yield [{ href: ps.bookHref, status: 507, error: { name: DAV.numberOfMatchesWithinLimits }, description: `More than ${ps.limit} cards match; only the first ${ps.limit} are listed` }];
}
