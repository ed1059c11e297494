// PROPFIND (RFC 4918 §9.1): properties of a resource (Depth 0) or of it and its members (Depth 1).
// Depth infinity is refused with propfind-finite-depth (§9.1, §16). PROPFIND never parses
// iCalendar: everything it reports comes from columns (ARCHITECTURE.md "Hot paths").
import { okResponseXml, type ResponseEntry } from '../../xml/serialize.js';
import type { Store } from '../../store/types.js';
import { DAV } from '../../xml/names.js';
import type { MethodHandler } from '../handler-types.js';
import { depthOf } from '../depth.js';
import { propfindFiniteDepth } from '../errors.js';
import { membersOf } from '../members.js';
import { multistatus } from '../multistatus.js';
import { preferenceApplied, wantsMinimal } from '../prefer.js';
import { propContextFor, propstatsFor } from '../propstats.js';
import { parsePropRequest } from '../requests/prop-request.js';
import { etagDerivedDefs, etagDerivedValues, type PropertyDef } from '../properties/index.js';
import { isCollectionKind, type Resource } from '../resources.js';
import { readXmlBody } from '../xml-body.js';
import { hiddenFromSharee, isSharee } from '../sharee-view.js';

/** Rows per page of an etag listing: ~150 KB of XML, a few of the 64 KB chunks sent. */
const LISTING_PAGE = 1000;

/**
 * The etag listing, read and rendered a page at a time while the body is sent: at any moment only
 * one page of rows is alive, so a 100,000-member listing holds ~1000 rows instead of all of them
 * for the whole transfer (which also made them outlive young-generation GCs and pile up in the old
 * space). Pages continue after the last name sent, so every member that exists throughout the
 * listing is listed exactly once; one created or deleted while it is sent may or may not be —
 * as if the listing had been taken at some moment during the response.
 */
async function* etagListing(self: ResponseEntry, parentHref: string, store: Store, collectionId: number, defs: (PropertyDef | null)[], sharee = false): AsyncGenerator<(ResponseEntry | string)[]> {
  yield [self];
  let after = '';
  for (;;) {
    const rows = await store.listObjectEtags(collectionId, { after, limit: LISTING_PAGE });
    // Rows are rendered to text at once: no response objects per row to outlive a scavenge
    // (measured: GC was a quarter of the listing's server time).
    const page: string[] = [];
    // A sharee's listing leaves private objects out (sharee-view.ts); paging still follows `rows`.
    for (const o of rows) if (!sharee || !hiddenFromSharee(o.classification)) page.push(okResponseXml(parentHref + o.name, etagDerivedValues(defs, o)));
    yield page;
    if (rows.length < LISTING_PAGE) return;
    after = rows[rows.length - 1]!.name;
  }
}

export const propfind: MethodHandler = async (req, svc, resource) => {
  let depth = depthOf(req, 'infinity');
  // Only a collection's Depth: infinity is costly; a non-collection has no members, so any depth
  // (and a missing Depth header, which means infinity, §10.2) is Depth 0 there.
  if (depth === 'infinity' && !isCollectionKind(resource)) depth = '0';
  if (depth === 'infinity') throw propfindFiniteDepth();
  const propReq = parsePropRequest(await readXmlBody(req, svc));
  const minimal = wantsMinimal(req);
  const headers = { ...preferenceApplied(req), Vary: 'Brief, Prefer' };
  // The etag listing every client sends reads two columns instead of whole metadata rows.
  const defs = depth === '1' && resource.kind === 'calendar' && propReq.type === 'prop' ? etagDerivedDefs(propReq.names) : null;
  if (defs && resource.kind === 'calendar') {
    const ctx = await propContextFor(svc, [resource], req.user);
    const self: ResponseEntry = { href: resource.href, propstats: await propstatsFor(resource, propReq, ctx, { minimal }) };
    return multistatus(etagListing(self, resource.href, svc.store, resource.collection.id, defs, isSharee(resource)), { headers });
  }
  const members = depth === '1' ? await membersOf(svc.store, req.user, resource) : [];
  const ctx = await propContextFor(svc, [resource, ...members], req.user);
  if (members.length === 0) return multistatus([{ href: resource.href, propstats: await propstatsFor(resource, propReq, ctx, { minimal }) }], { headers });
  async function* entries(): AsyncGenerator<ResponseEntry> {
    for (const r of [resource, ...members]) {
      const propstats = propstatsFor(r, propReq, ctx, { minimal });
      yield { href: r.href, propstats: propstats instanceof Promise ? await propstats : propstats };
    }
  }
  return multistatus(entries(), { headers });
};
