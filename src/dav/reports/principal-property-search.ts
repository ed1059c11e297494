// DAV:principal-property-search (RFC 3744 §9.4): principals whose properties match. What Apple
// clients sent before calendarserver-principal-search (anyof over displayname, email-address-set,
// first-name, last-name with match-type="starts-with": CalendarServer's loadtest request
// OS_X_10_7/user_list_principal_property_search.request) and what Thunderbird sends to find its
// own principal by calendar-home-set (CLIENTS.md §2.2), with Depth 1 although §9.4 says 0: the
// Depth header is therefore not checked. Matching is case-insensitive; match-type (a
// CalendarServer extension) may be contains (the default), starts-with, ends-with or equals.
// `test="anyof"` ORs the property-search elements, the default ANDs them; within one, any listed
// property matching is enough. Unknown properties match nothing. Bounds: principal-search.ts.
import { DAV } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import { badRequest } from '../errors.js';
import { multistatus } from '../multistatus.js';
import { MAX_CONDITIONS, matches, needleOf, principalResults, readDirectory, resultLimit, type MatchType, requireAnnounced } from '../principal-search.js';
import { reportPropRequest } from '../requests/prop-request.js';
import type { Resource } from '../resources.js';

interface Condition {
  props: string[];
  needle: string;
  type: MatchType;
}

const MATCH_TYPES: readonly string[] = ['contains', 'starts-with', 'ends-with', 'equals'];

function parseConditions(root: XmlElement): Condition[] {
  const searches = root.children.filter((c) => c.name === DAV.propertySearch);
  if (searches.length === 0) throw badRequest('principal-property-search needs at least one property-search');
  if (searches.length > MAX_CONDITIONS) throw badRequest(`at most ${MAX_CONDITIONS} property-search elements`);
  return searches.map((s) => {
    const prop = s.children.find((c) => c.name === DAV.prop);
    const match = s.children.find((c) => c.name === DAV.match);
    if (!prop || prop.children.length === 0 || !match) throw badRequest('each property-search needs a prop and a match');
    if (prop.children.length > MAX_CONDITIONS) throw badRequest(`at most ${MAX_CONDITIONS} properties per property-search`);
    const type = match.attrs['match-type'] ?? 'contains';
    if (!MATCH_TYPES.includes(type)) throw badRequest(`match-type "${type.slice(0, 40)}" is not one of ${MATCH_TYPES.join(', ')}`);
    return { props: prop.children.map((c) => c.name), needle: needleOf(match, 'match'), type: type as MatchType };
  });
}

/** Which principals the request-URI covers (RFC 3744 §9.4: its members, or every principal collection). */
function scopeOf(target: Resource, root: XmlElement): { users: boolean; groups: boolean; only?: string } {
  if (root.children.some((c) => c.name === DAV.applyToPrincipalCollectionSet)) return { users: true, groups: true };
  switch (target.kind) {
    case 'principals': return { users: true, groups: false };
    case 'groups': return { users: false, groups: true };
    case 'principal': return { users: true, groups: false, only: target.href };
    case 'group': return { users: false, groups: true, only: target.href };
    default: return { users: true, groups: true };
  }
}

export async function principalPropertySearch(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  requireAnnounced(DAV.principalPropertySearch, target);
  const conditions = parseConditions(root);
  const anyof = root.attrs.test === 'anyof';
  if (root.attrs.test !== undefined && root.attrs.test !== 'anyof' && root.attrs.test !== 'allof') throw badRequest('test is "anyof" or "allof"');
  const limit = resultLimit(root, DAV.limit, DAV.nresults);
  const propReq = reportPropRequest(root);
  const scope = scopeOf(target, root);
  const directory = await readDirectory(svc.store, req.user, scope);
  const matched = directory.filter((e) => {
    if (scope.only !== undefined && e.resource.href !== scope.only) return false;
    const ok = (c: Condition) => c.props.some((p) => (e.values.get(p) ?? []).some((v) => matches(v, c.needle, c.type)));
    return anyof ? conditions.some(ok) : conditions.every(ok);
  });
  const ctx = { store: svc.store, config: svc.config, user: req.user };
  return multistatus(await principalResults(matched, limit, target.href, propReq, ctx));
}
