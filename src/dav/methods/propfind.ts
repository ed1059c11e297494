// PROPFIND (RFC 4918 §9.1): properties of a resource (Depth 0) or of it and its members (Depth 1).
// Depth infinity is refused with propfind-finite-depth (§9.1, §16). PROPFIND never parses
// iCalendar: everything it reports comes from columns (ARCHITECTURE.md "Hot paths").
import type { ResponseEntry } from '../../xml/serialize.js';
import { DAV } from '../../xml/names.js';
import type { MethodHandler } from '../handler-types.js';
import { depthOf } from '../depth.js';
import { propfindFiniteDepth } from '../errors.js';
import { membersOf } from '../members.js';
import { multistatus } from '../multistatus.js';
import { preferenceApplied, wantsMinimal } from '../prefer.js';
import { propContextFor, propstatsFor, type PropRequest } from '../propstats.js';
import type { PropContext } from '../properties/index.js';
import { parsePropRequest } from '../requests/prop-request.js';
import { rowSelection } from '../properties/index.js';
import { isCollectionKind, type Resource } from '../resources.js';
import { readXmlBody } from '../xml-body.js';
import { isSharee } from '../sharee-view.js';
import { rowListing } from '../row-listing.js';

export const propfind: MethodHandler = async (req, svc, resource) => {
  let depth = depthOf(req, 'infinity');
  // Only a collection's Depth: infinity is costly; a non-collection has no members, so any depth
  // (and a missing Depth header, which means infinity, §10.2) is Depth 0 there.
  if (depth === 'infinity' && !isCollectionKind(resource)) depth = '0';
  if (depth === 'infinity') throw propfindFiniteDepth();
  const propReq = parsePropRequest(await readXmlBody(req, svc));
  const minimal = wantsMinimal(req);
  const headers = { ...preferenceApplied(req), Vary: 'Brief, Prefer' };
  // A listing of cheap properties (any combination: properties/row-derived.ts) reads small rows
  // instead of whole metadata, and renders them straight to text (row-listing.ts).
  const sel = depth === '1' && (resource.kind === 'calendar' || resource.kind === 'addressbook') && propReq.type === 'prop' ? rowSelection(propReq.names) : null;
  if (sel && (resource.kind === 'calendar' || resource.kind === 'addressbook')) {
    const ctx = await propContextFor(svc, [resource], req.user);
    const self: ResponseEntry = { href: resource.href, propstats: await propstatsFor(resource, propReq, ctx, { minimal }) };
    return multistatus(rowListing(self, resource.href, svc.store, resource.collection.id, sel, { sharee: isSharee(resource), minimal }), { headers });
  }
  const members = depth === '1' ? await membersOf(svc.store, req.user, resource) : [];
  const ctx = await propContextFor(svc, [resource, ...members], req.user);
  if (members.length === 0) return multistatus([{ href: resource.href, propstats: await propstatsFor(resource, propReq, ctx, { minimal }) }], { headers });
  return multistatus(entriesOf([resource, ...members], propReq, ctx, minimal), { headers });
};

/**
 * The responses of `resources`, one by one. Module-level, not a closure in the handler: V8 keeps a
 * generator's function context after it finishes, which kept each request's scope alive into the
 * old generation (reports/multiget.ts).
 */
async function* entriesOf(resources: readonly Resource[], propReq: PropRequest, ctx: PropContext, minimal: boolean): AsyncGenerator<ResponseEntry> {
  for (const r of resources) {
    const propstats = propstatsFor(r, propReq, ctx, { minimal });
    yield { href: r.href, propstats: propstats instanceof Promise ? await propstats : propstats };
  }
}
