// CALENDARSERVER:calendarserver-principal-search: what Apple Calendar's attendee field sends as
// the user types (macOS and iOS; the request shape is CalendarServer's loadtest capture
// OS_X_10_11/report_principal_search.request and Tine 2.0's recorded Apple body):
//   <C:calendarserver-principal-search xmlns:C="http://calendarserver.org/ns/" context="attendee">
//     <C:search-token>mor</C:search-token>  (one per typed word)
//     <C:limit><C:nresults>50</C:nresults></C:limit>  (optional)
//     <A:prop xmlns:A="DAV:">…</A:prop>
//   </C:calendarserver-principal-search>
// As CalendarServer does, every principal of the server is searched whatever the request-URI;
// each token must be found (case-insensitively, as a substring) in the display name, the user or
// group name or an e-mail address. context "user" searches users only, "group" groups only,
// "location" and "resource" find nothing (Sundial has no rooms), "attendee" or none both.
// Bounds: principal-search.ts.
import { CS } from '../../xml/names.js';
import type { XmlElement } from '../../xml/parse.js';
import type { DavRequest, DavResponse, DavServices } from '../handler-types.js';
import { badRequest } from '../errors.js';
import { multistatus } from '../multistatus.js';
import { MAX_CONDITIONS, needleOf, principalResults, readDirectory, resultLimit, requireAnnounced } from '../principal-search.js';
import { reportPropRequest } from '../requests/prop-request.js';
import type { Resource } from '../resources.js';

const CONTEXTS: Record<string, { users: boolean; groups: boolean }> = {
  attendee: { users: true, groups: true },
  user: { users: true, groups: false },
  group: { users: false, groups: true },
  location: { users: false, groups: false },
  resource: { users: false, groups: false },
};

export async function calendarserverPrincipalSearch(req: DavRequest, svc: DavServices, target: Resource, root: XmlElement): Promise<DavResponse> {
  requireAnnounced(CS.calendarserverPrincipalSearch, target);
  const tokenEls = root.children.filter((c) => c.name === CS.searchToken);
  if (tokenEls.length === 0) throw badRequest('calendarserver-principal-search needs a search-token');
  if (tokenEls.length > MAX_CONDITIONS) throw badRequest(`at most ${MAX_CONDITIONS} search tokens`);
  const tokens = tokenEls.map((t) => needleOf(t, 'search-token'));
  const context = root.attrs.context ?? 'attendee';
  const scope = CONTEXTS[context];
  if (!scope) throw badRequest(`context "${context.slice(0, 40)}" is not one of ${Object.keys(CONTEXTS).join(', ')}`);
  const limit = resultLimit(root, CS.limit, CS.nresults);
  const propReq = reportPropRequest(root);
  const directory = scope.users || scope.groups ? await readDirectory(svc.store, req.user, scope) : [];
  const matched = directory.filter((e) => tokens.every((t) => e.tokens.some((v) => v.includes(t))));
  const ctx = { store: svc.store, config: svc.config, user: req.user };
  return multistatus(await principalResults(matched, limit, target.href, propReq, ctx));
}
