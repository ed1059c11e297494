// DAV:principal-match (RFC 3744 §9.3): the members of the request-URI that match the current
// user. With <self/> on a principal collection: the user's own principal (/dav/principals/) or
// the groups they belong to (/dav/groups/). With <principal-property><P/></principal-property>:
// the members whose property P holds the user's principal URL or one of their groups' (e.g.
// DAV:group-member-set on /dav/groups/: the groups the user is in; DAV:owner on the calendar
// home: the calendars they own). §9.3 requires Depth 0 on the request; the members are one level
// deep here, so there is nothing deeper to search. Bounded by principal-search.ts's MAX_RESULTS.
import { DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import { badRequest } from '../errors.js';
import { depthOf } from '../depth.js';
import { membersOf } from '../members.js';
import { multistatus } from '../multistatus.js';
import { groupHref, principalHref } from '../paths.js';
import { MAX_RESULTS, requireAnnounced } from '../principal-search.js';
import { propstatsFor } from '../propstats.js';
import { reportPropRequest } from '../requests/prop-request.js';
import type { Resource } from '../resources.js';
import { encodeHref, type ResponseEntry, type XmlChild } from '../../xml/serialize.js';

/** Hrefs of a property value made of DAV:href elements (as hrefNode builds them). */
function hrefsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return (value as XmlChild[]).flatMap((c) => (typeof c === 'object' && 'name' in c && c.name === DAV.href && typeof c.children === 'string' ? [c.children] : []));
}

export async function principalMatch(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  requireAnnounced(DAV.principalMatch, target);
  if (depthOf(req, '0') !== '0') throw badRequest('principal-match requires Depth: 0 (RFC 3744 §9.3)');
  const self = root.children.some((c) => c.name === DAV.self);
  const pp = root.children.find((c) => c.name === DAV.principalProperty);
  if (self === Boolean(pp)) throw badRequest('principal-match needs exactly one of self and principal-property');
  const property = pp?.children[0]?.name;
  if (pp && (pp.children.length !== 1 || !property)) throw badRequest('principal-property names exactly one property');

  const groups = await svc.store.listUserGroups(req.user.id);
  // The user's principal and groups, as hrefs are written (encoded) and as resources carry them.
  const mine = new Set([principalHref(req.user.username), ...groups.map((g) => groupHref(g.name))].map(encodeHref));
  const propReq = reportPropRequest(root);
  const ctx = { store: svc.store, config: svc.config, user: req.user };
  const members = target.kind === 'groups'
    ? groups.map((group): Resource => ({ kind: 'group', user: req.user, group, href: groupHref(group.name) }))
    : await membersOf(svc.store, req.user, target);

  const matched: Resource[] = [];
  for (const m of members) {
    if (self) {
      if ((m.kind === 'principal' || m.kind === 'group') && mine.has(encodeHref(m.href))) matched.push(m);
      continue;
    }
    const stats = await propstatsFor(m, { type: 'prop', names: [property!] }, ctx);
    const value = stats.find((s) => s.status === 200)?.props[0]?.value;
    if (hrefsOf(value).some((h) => mine.has(h))) matched.push(m);
  }
  const entries: ResponseEntry[] = [];
  for (const m of matched.slice(0, MAX_RESULTS)) entries.push({ href: m.href, propstats: await propstatsFor(m, propReq, ctx) });
  if (matched.length > MAX_RESULTS) entries.push({ href: target.href, status: 507, error: { name: DAV.numberOfMatchesWithinLimits } });
  return multistatus(entries);
}

