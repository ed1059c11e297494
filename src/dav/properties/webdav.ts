// RFC 4918 §15 live properties, RFC 5397 current-user-principal, RFC 3744 §5 privileges and
// owner, RFC 3253 §3.1.5 supported-report-set.
import { CALDAV, DAV } from '../../xml/names.js';
import { accessOf, type Resource } from '../resources.js';
import { GROUPS, PRINCIPALS, groupHref, principalHref } from '../paths.js';
import { reportsOn } from '../reports/supported.js';
import { COLLECTIONS, EVERYWHERE, PropertyRejected, defineProperty } from './registry.js';
import { collectionPageText, el, hrefNode, httpDate, privilegesFor } from './values.js';
import { textOf } from '../../xml/parse.js';

function resourceTypes(r: Resource): string[] {
  switch (r.kind) {
    case 'object': case 'missing': return [];
    case 'principal': case 'group': return [DAV.collection, DAV.principal];
    case 'calendar': return [DAV.collection, CALDAV.calendar];
    default: return [DAV.collection];
  }
}

defineProperty({
  name: DAV.resourcetype, kinds: EVERYWHERE, allprop: true, protected: true,
  get: (r) => resourceTypes(r).map((n) => el(n)),
  fromEtag: () => [],
});

defineProperty({
  name: DAV.displayname, kinds: ['principal', 'group', 'home', 'calendar', 'collection'], allprop: true, protected: false,
  get: (r) => {
    if (r.kind === 'principal') return r.user.displayName || r.user.username;
    if (r.kind === 'group') return r.group.displayName || r.group.name;
    if (r.kind === 'home') return undefined;
    if (r.kind === 'calendar' || r.kind === 'collection') return r.collection.displayName ?? undefined;
    return undefined;
  },
  set: (r, value) => {
    if (r.kind !== 'calendar' && r.kind !== 'collection') throw new PropertyRejected(403, 'displayname is protected here', DAV.cannotModifyProtectedProperty);
    if (value === null) return { displayName: null };
    const text = textOf(value);
    if (text.length > 1024) throw new PropertyRejected(409, 'displayname longer than 1024 characters');
    return { displayName: text };
  },
});

defineProperty({
  name: DAV.getetag, kinds: ['object'], allprop: true, protected: true,
  get: (r) => (r.kind === 'object' ? r.meta.etag : undefined),
  fromEtag: (o) => o.etag,
});

defineProperty({
  name: DAV.getcontenttype, kinds: ['object'], allprop: true, protected: true,
  get: (r) => (r.kind === 'object' ? r.meta.contentType : undefined),
  fromRow: (o) => o.contentType,
});

// Collections other than calendars answer GET with a short text of a known length, so they have
// one too (RFC 4918 §15.4: the Content-Length a GET returns). A calendar's GET merges every object
// (get.ts); its length is left undefined rather than read every object for a PROPFIND.
defineProperty({
  name: DAV.getcontentlength, kinds: ['object', 'root', 'principals', 'groups', 'calendars', 'principal', 'group', 'home', 'collection'], allprop: true, protected: true,
  get: (r) => {
    // Not for a sharee's busy view of a confidential object (as Nextcloud): the stored length would
    // hint at the hidden details, and a listing does not render the view to measure it.
    if (r.kind === 'object') return r.meta.busyView ? undefined : String(r.meta.size);
    if (r.kind === 'calendar' || r.kind === 'missing') return undefined;
    // PROPFIND "/" names the web app's page, which GET "/" serves instead of this text.
    if (r.kind === 'root' && r.href === '/') return undefined;
    return String(Buffer.byteLength(collectionPageText(r.href)));
  },
  fromRow: (o) => (o.busyView ? undefined : String(o.size)),
});

defineProperty({
  name: DAV.getlastmodified, kinds: ['object', 'calendar', 'collection'], allprop: true, protected: true,
  get: (r) => (r.kind === 'object' ? httpDate(r.meta.modifiedAt) : r.kind === 'calendar' || r.kind === 'collection' ? httpDate(r.collection.modifiedAt) : undefined),
  fromRow: (o) => httpDate(o.modifiedAt),
});

defineProperty({
  name: DAV.creationdate, kinds: ['object', 'calendar', 'collection'], allprop: true, protected: true,
  get: (r) => (r.kind === 'object' ? r.meta.createdAt : r.kind === 'calendar' || r.kind === 'collection' ? r.collection.createdAt : undefined),
  fromRow: (o) => o.createdAt,
});

defineProperty({
  name: DAV.currentUserPrincipal, kinds: EVERYWHERE, allprop: false, protected: true,
  get: (r, ctx) => {
    const user = ctx.user ?? ('user' in r ? r.user : undefined);
    return user ? [hrefNode(principalHref(user.username))] : undefined;
  },
});

defineProperty({
  name: DAV.currentUserPrivilegeSet, kinds: EVERYWHERE, allprop: false, protected: true,
  get: (r) => privilegesFor(accessOf(r)).map((p) => el(DAV.privilege, [el(p)])),
});

defineProperty({
  name: DAV.owner, kinds: ['principal', 'home', 'calendar', 'collection', 'object'], allprop: false, protected: true,
  get: async (r, ctx) => {
    if (r.kind === 'calendar') {
      if (r.access === 'owner') return [hrefNode(principalHref(r.user.username))];
      const owner = await ctx.store.getUserById(r.collection.ownerId);
      return owner ? [hrefNode(principalHref(owner.username))] : undefined;
    }
    if (r.kind === 'object') return undefined;
    return 'user' in r ? [hrefNode(principalHref(r.user.username))] : undefined;
  },
});

defineProperty({
  name: DAV.principalURL, kinds: ['principal', 'group'], allprop: false, protected: true,
  get: (r) => (r.kind === 'principal' ? [hrefNode(principalHref(r.user.username))] : r.kind === 'group' ? [hrefNode(groupHref(r.group.name))] : undefined),
});

defineProperty({
  name: DAV.principalCollectionSet, kinds: COLLECTIONS, allprop: false, protected: true,
  // Users and groups are two collections (src/urls.ts: a group name can never clash with a user's).
  get: () => [hrefNode(PRINCIPALS), hrefNode(GROUPS)],
});

// RFC 3253 §3.1.5, from the report dispatch table (reports/supported.ts).
defineProperty({
  name: DAV.supportedReportSet, kinds: EVERYWHERE, allprop: false, protected: true,
  get: (r) => reportsOn(r.kind).map((name) => el(DAV.supportedReport, [el(DAV.report, [el(name)])])),
});
