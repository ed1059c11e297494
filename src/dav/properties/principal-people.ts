// Principal properties of people and groups (issue 15 items 1, 2 and 6): RFC 4791 §6.2.1
// calendar-user-address-set, RFC 6638 §2.4.2 calendar-user-type, RFC 3744 §4.3 group-member-set
// and §4.4 group-membership, and the CalendarServer properties Apple's attendee search asks for
// (email-address-set, record-type, first-name/last-name: CalendarServer's loadtest requests,
// contrib/performance/loadtest/request-data/OS_X_10_11/report_principal_search.request).
// Any authenticated user may read these on any principal (resources.ts).
import { CALDAV, CS, DAV } from '../../xml/names.js';
import type { XmlChild } from '../../xml/serialize.js';
import { groupHref, principalHref } from '../paths.js';
import type { Resource } from '../resources.js';
import { defineProperty, type PropContext } from './registry.js';
import { el, hrefNode } from './values.js';

/**
 * The addresses a principal is known by: every mailto: of the user (primary first), then the
 * principal URL. Thunderbird takes the first mailto: as the organizer identity (CLIENTS.md §2.2);
 * DAVx5 reads the account's e-mail addresses from here (§3). A user without any address whose
 * name looks like one keeps it as before. Shared with principal search (dav/principal-search.ts).
 */
export async function calendarUserAddresses(r: Resource, ctx: Pick<PropContext, 'store'>): Promise<string[] | undefined> {
  if (r.kind === 'principal') {
    const addresses = await ctx.store.listUserAddresses(r.user.id);
    if (addresses.length === 0 && r.user.username.includes('@')) addresses.push(r.user.username);
    return [...addresses.map((a) => `mailto:${a}`), principalHref(r.user.username)];
  }
  if (r.kind === 'group') return [...(r.group.email ? [`mailto:${r.group.email}`] : []), groupHref(r.group.name)];
  return undefined;
}

// The decoded path, like principal-URL: hrefNode encodes it once. It was built from an
// already-encoded name, so "bob@example.com" came out as bob%2540example.com (issue 12 item 7).
defineProperty({
  name: CALDAV.calendarUserAddressSet, kinds: ['principal', 'group'], allprop: false, protected: true,
  get: async (r, ctx) => (await calendarUserAddresses(r, ctx))?.map((a) => hrefNode(a)),
});

/** RFC 6638 §2.4.2 (the values of RFC 5545 §3.2.3 CUTYPE). */
export const calendarUserType = (r: Resource): 'INDIVIDUAL' | 'GROUP' | undefined =>
  r.kind === 'principal' ? 'INDIVIDUAL' : r.kind === 'group' ? 'GROUP' : undefined;

defineProperty({
  name: CALDAV.calendarUserType, kinds: ['principal', 'group'], allprop: false, protected: true,
  get: (r) => calendarUserType(r),
});

// RFC 3744 §4.3: the group's members, as principal URLs.
defineProperty({
  name: DAV.groupMemberSet, kinds: ['principal', 'group'], allprop: false, protected: true,
  get: async (r, ctx) => {
    if (r.kind === 'principal') return []; // a user has no members
    if (r.kind !== 'group') return undefined;
    return (await ctx.store.listGroupMembers(r.group.id)).map((u) => hrefNode(principalHref(u.username)));
  },
});

// RFC 3744 §4.4: the groups the principal belongs to (Apple's delegation panes expand it).
defineProperty({
  name: DAV.groupMembership, kinds: ['principal', 'group'], allprop: false, protected: true,
  get: async (r, ctx) => {
    if (r.kind === 'group') return []; // groups do not nest
    if (r.kind !== 'principal') return undefined;
    return (await ctx.store.listUserGroups(r.user.id)).map((g) => hrefNode(groupHref(g.name)));
  },
});

// CalendarServer: the bare e-mail addresses (Apple shows them in attendee completion).
defineProperty({
  name: CS.emailAddressSet, kinds: ['principal', 'group'], allprop: false, protected: true,
  get: async (r, ctx) => {
    const addresses = await calendarUserAddresses(r, ctx);
    if (!addresses) return undefined;
    return addresses.filter((a) => a.startsWith('mailto:')).map((a): XmlChild => el(CS.emailAddress, a.slice(7)));
  },
});

// CalendarServer: "users" or "groups" (Apple picks the attendee icon with it).
defineProperty({
  name: CS.recordType, kinds: ['principal', 'group'], allprop: false, protected: true,
  get: (r) => (r.kind === 'principal' ? 'users' : r.kind === 'group' ? 'groups' : undefined),
});
