// Responses of objects rendered straight from their rows (properties/row-derived.ts), for the
// Depth 1 listing (methods/propfind.ts), the token-less sync-collection (reports/sync-collection.ts)
// and the narrow calendar-multiget (reports/calendar-multiget.ts):
// no Resource, no ResponseEntry and no promise per member, and the text of each response equal,
// byte for byte, to what the general path (propstats.ts, xml/serialize.ts writeResponse) renders
// for the same member (test/protocol/row-listing.test.ts and carddav-sync-rows.test.ts check every
// combination).
import type { ObjectEtag, ObjectRow } from '../store/objects.js';
import type { Store } from '../store/types.js';
import { encodeHref, escapeText, memberHrefText, okResponseOfHrefText, propstatXml, type PropValue, type ResponseEntry } from '../xml/serialize.js';
import { rowValues, SUPPLIED, valueOf, type RowSelection } from './properties/row-derived.js';
import { hiddenFromSharee } from './sharee-view.js';
import { withProps } from '../with-props.js';

const END = '</d:response>';

/**
 * Renders the responses of one collection's members for a selection. A name without a value is
 * answered as propstats.ts does: from the member's dead properties if it has one, else in a 404
 * propstat (none with Prefer: return=minimal, RFC 7240 / propstats.ts `finish`). Whether any
 * member holds a dead property is asked once per renderer (one indexed EXISTS): when none does —
 * the usual case; clients rarely PROPPATCH events — every missing name is a 404, and the 404
 * propstat of each set of missing names is rendered once and reused.
 */
export class RowResponses {
  private dead: Promise<boolean> | boolean | undefined;
  private readonly notFound = new Map<string, string>();
  /** The collection's href, encoded and escaped once (serialize.ts `memberHrefText`). */
  private readonly parentText: string;

  /** For the members of the collection `collectionId` at `parentHref` (ending in '/'). */
  constructor(private readonly sel: RowSelection, private readonly store: Store, private readonly collectionId: number, parentHref: string, private readonly minimal: boolean) {
    this.parentText = escapeText(encodeHref(parentHref));
  }

  /** The `<d:response>` of the member `o` (an ObjectRow for a wide selection; `supplied` = the report's own property). */
  render(o: ObjectEtag | ObjectRow, supplied?: PropValue): string | Promise<string> {
    const href = memberHrefText(this.parentText, o.name);
    const { found, missing } = rowValues(this.sel, o, supplied);
    if (missing === null) return okResponseOfHrefText(href, found);
    this.dead ??= this.store.membersHaveDeadProperties(this.collectionId).then((d) => (this.dead = d));
    if (this.dead === false) return this.compose(href, found, missing);
    return (async () => ((await this.dead) ? this.withDead(href, o, supplied) : this.compose(href, found, missing)))();
  }

  /** propstats.ts `finish`: a 200 propstat unless only missing names (or minimal), a 404 unless minimal. `href` is the member's href text. */
  private compose(href: string, found: PropValue[], missing: string[]): string {
    if (this.minimal || missing.length === 0) return okResponseOfHrefText(href, found);
    const key = missing.join('\n');
    let notFound = this.notFound.get(key);
    if (notFound === undefined) {
      notFound = propstatXml({ status: 404, props: missing.map((name) => ({ name })) });
      this.notFound.set(key, notFound);
    }
    // okResponseOfHrefText is writeResponse of one 200 propstat (serialize.ts); the 404 one follows it
    // (passed in rather than cut in after: slicing the rendered response flattened it, a copy
    // per member of every listing that asks a property members lack, such as Thunderbird's getctag).
    if (found.length > 0) return okResponseOfHrefText(href, found, notFound);
    return `<d:response><d:href>${href}</d:href>${notFound}${END}`;
  }

  /** A member in a collection where some member holds dead properties: its own, in request order. */
  private async withDead(href: string, o: ObjectEtag | ObjectRow, supplied?: PropValue): Promise<string> {
    const dead = await this.store.getDeadProperties(this.collectionId, o.name);
    const found: PropValue[] = [];
    const missing: string[] = [];
    for (const e of this.sel.entries) {
      if (e === SUPPLIED) {
        if (supplied) found.push(supplied);
        continue;
      }
      const name = typeof e === 'string' ? e : e.name;
      const value = typeof e === 'string' ? undefined : valueOf(e, o);
      if (value !== undefined) {
        found.push(value === null ? { name } : { name, value });
        continue;
      }
      const d = dead.find((p) => p.name === name);
      if (d) found.push({ name, value: { raw: d.xml } });
      else missing.push(name);
    }
    return this.compose(href, found, missing);
  }
}

/**
 * Rows per page of a listing: ~80 KB of XML. A page's rows and renderings are what a scavenge
 * finds alive (and, after two, promotes) in the middle of a listing: with pages of 1000, a 9000-
 * member Thunderbird listing under 4 MB semi-spaces (shipped then; 2 MB now) promoted enough to cause a full
 * GC every 2–3 listings (17 mark-compacts in 43 listings, --trace-gc); with 250, 2 in 43, and
 * ~25% less server CPU. The covering index (schema 012) keeps the 36 page reads cheap.
 */
const LISTING_PAGE = 250;

/**
 * The Depth 1 listing of a calendar or address book for a row-derived selection — after `self`,
 * the collection's own response; a sync-collection without a token (RFC 6578 §3.4) has none and
 * lists the members alone — read and rendered a page at a time while the body is sent: at any
 * moment only one page of rows is alive, so a 100,000-member listing holds 250 rows instead of
 * all of them for the whole transfer (which also made them outlive young-generation GCs and pile
 * up in the old space). Pages continue after the last name sent, so every member that exists
 * throughout the listing is listed exactly once; one created or deleted while it is sent may or
 * may not be — as if the listing had been taken at some moment during the response. A sharee's
 * listing leaves private objects out and shows confidential ones as busy views (sharee-view.ts);
 * paging still follows the stored rows.
 */
export async function* rowListing(self: ResponseEntry | null, parentHref: string, store: Store, collectionId: number, sel: RowSelection, opts: { sharee: boolean; minimal: boolean }): AsyncGenerator<(ResponseEntry | string)[]> {
  if (self) yield [self];
  const responses = new RowResponses(sel, store, collectionId, parentHref, opts.minimal);
  let after = '';
  for (;;) {
    // Three columns when only etag-derived properties are asked (the bench's listing), seven else.
    const rows: (ObjectEtag | ObjectRow)[] = sel.wide ? await store.listObjectRows(collectionId, { after, limit: LISTING_PAGE }) : await store.listObjectEtags(collectionId, { after, limit: LISTING_PAGE });
    // Rows are rendered to text at once: no response objects per row to outlive a scavenge
    // (measured: GC was a quarter of the listing's server time).
    const page: string[] = [];
    for (const o of rows) {
      if (opts.sharee && hiddenFromSharee(o.classification)) continue;
      const x = responses.render(opts.sharee && o.classification === 'confidential' ? withProps(o, { busyView: true as const }) : o);
      page.push(typeof x === 'string' ? x : await x);
    }
    yield page;
    if (rows.length < LISTING_PAGE) return;
    after = rows[rows.length - 1]!.name;
  }
}
