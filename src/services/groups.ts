// Groups (issue 15 item 6) for the JSON API and the CLI: administrators create and delete groups
// and set their members; a calendar's owner shares it with a group. The store keeps members'
// instances in step (store/groups.ts). Also what scheduling needs of groups: expanding a group's
// calendar-user address into its members (expandGroupAddress).
import type { CalendarInstance, Group, GroupMemberAddresses, Home, Store, User } from '../store/types.js';
import { Conflict, NotFound } from '../store/errors.js';
import { forbiddenAction, invalid, missing, taken } from './errors.js';
import { VALID_USERNAME } from './users.js';
import { checkAddresses, checkDisplayName } from './people.js';
import { groupPath, parseDavPath } from '../urls.js';

/** Group names follow the user-name rule (1–64 characters, no spaces, "/", "\" or ":"): a URL segment. */
export const VALID_GROUP_NAME = VALID_USERNAME;

export interface GroupView {
  name: string;
  displayName: string;
  email: string | null;
  /** Path of the group's principal (/dav/groups/<name>/). */
  principal: string;
  members: string[];
}

export async function groupView(store: Store, g: Group): Promise<GroupView> {
  return { name: g.name, displayName: g.displayName, email: g.email, principal: groupPath(g.name), members: (await store.listGroupMembers(g.id)).map((u) => u.username) };
}

export async function listGroupViews(store: Store): Promise<GroupView[]> {
  return Promise.all((await store.listGroups()).map((g) => groupView(store, g)));
}

export async function groupNamed(store: Store, name: unknown): Promise<Group> {
  const g = typeof name === 'string' ? await store.getGroup(name) : null;
  if (!g) throw missing(`no group "${String(name)}"`);
  return g;
}

const checkEmail = (email: unknown): string | null => (email === null || email === undefined || email === '' ? null : checkAddresses([email])[0]!);

export async function addGroup(store: Store, init: { name: unknown; displayName?: unknown; email?: unknown; members?: unknown }): Promise<GroupView> {
  if (typeof init.name !== 'string' || !VALID_GROUP_NAME.test(init.name)) throw invalid('a group name has 1 to 64 characters, without spaces, "/", "\\" or ":"');
  const displayName = init.displayName === undefined || init.displayName === '' ? init.name : checkDisplayName(init.displayName);
  const email = checkEmail(init.email);
  const memberIds = init.members === undefined ? null : await userIds(store, init.members);
  try {
    await store.createGroup({ name: init.name, displayName, email });
  } catch (err) {
    if (err instanceof Conflict) throw taken(err.message.includes('address') ? err.message : `group "${init.name}" already exists`);
    throw err;
  }
  if (memberIds) await store.setGroupMembers(init.name, memberIds);
  return groupView(store, (await store.getGroup(init.name))!);
}

export async function updateGroup(store: Store, name: string, change: { displayName?: unknown; email?: unknown }): Promise<GroupView> {
  const g = await groupNamed(store, name);
  try {
    const updated = await store.updateGroup(g.name, {
      ...(change.displayName === undefined ? {} : { displayName: checkDisplayName(change.displayName) }),
      ...(change.email === undefined ? {} : { email: checkEmail(change.email) }),
    });
    return groupView(store, updated);
  } catch (err) {
    if (err instanceof Conflict) throw taken(err.message);
    throw err;
  }
}

export async function removeGroup(store: Store, name: string): Promise<void> {
  try {
    await store.deleteGroup(name);
  } catch (err) {
    if (err instanceof NotFound) throw missing(`no group "${name}"`);
    throw err;
  }
}

/** At most this many members are set in one request (a bound on one transaction's work). */
export const MAX_MEMBERS_PER_CHANGE = 1000;

async function userIds(store: Store, usernames: unknown): Promise<number[]> {
  if (!Array.isArray(usernames) || usernames.some((u) => typeof u !== 'string')) throw invalid('members is a list of user names');
  if (usernames.length > MAX_MEMBERS_PER_CHANGE) throw invalid(`at most ${MAX_MEMBERS_PER_CHANGE} members at once`);
  const ids: number[] = [];
  for (const name of usernames as string[]) {
    const u = await store.getUser(name);
    if (!u) throw missing(`no user "${name}"`);
    ids.push(u.id);
  }
  return ids;
}

/** Replaces the members: one transaction, joins and leaves together. */
export async function setMembers(store: Store, name: string, usernames: unknown): Promise<GroupView> {
  const g = await groupNamed(store, name);
  await store.setGroupMembers(g.name, await userIds(store, usernames));
  return groupView(store, g);
}

export async function addMember(store: Store, name: string, username: string): Promise<void> {
  const g = await groupNamed(store, name);
  const u = await store.getUser(username);
  if (!u) throw missing(`no user "${username}"`);
  await store.addGroupMember(g.name, u.id);
}

export async function removeMember(store: Store, name: string, username: string): Promise<void> {
  const g = await groupNamed(store, name);
  const u = await store.getUser(username);
  if (!u) throw missing(`no user "${username}"`);
  await store.removeGroupMember(g.name, u.id);
}

/** The owner's own collection by its uri in a home: a calendar, or (home 'addressbooks') an address book. */
async function ownedIn(store: Store, owner: User, uri: string, home: Home): Promise<CalendarInstance> {
  const i = await store.getInstance(owner.id, uri, home);
  if (!i) throw missing(home === 'addressbooks' ? `no address book "${uri}"` : `no calendar "${uri}"`);
  if (i.access !== 'owner') throw forbiddenAction('only the owner can do this');
  return i;
}

/**
 * The owner shares their calendar (by its uri in their home) with a group, or changes the access;
 * `home` 'addressbooks' shares an address book of the address-book home the same way.
 */
export async function shareWithGroup(store: Store, owner: User, uri: string, groupName: unknown, access: unknown, home: Home = 'calendars'): Promise<void> {
  const i = await ownedIn(store, owner, uri, home);
  if (access !== 'read' && access !== 'read-write') throw invalid('access is "read" or "read-write"');
  const g = await groupNamed(store, groupName);
  await store.shareWithGroup(i.collection.id, g.id, access);
}

export async function unshareWithGroup(store: Store, owner: User, uri: string, groupName: string, home: Home = 'calendars'): Promise<void> {
  const i = await ownedIn(store, owner, uri, home);
  const g = await groupNamed(store, groupName);
  try {
    await store.unshareWithGroup(i.collection.id, g.id);
  } catch (err) {
    if (err instanceof NotFound) throw missing(`${home === 'addressbooks' ? 'the address book' : 'the calendar'} is not shared with group "${groupName}"`);
    throw err;
  }
}

/** The groups an owned calendar (or address book) is shared with. */
export async function groupSharesOf(store: Store, owner: User, uri: string, home: Home = 'calendars'): Promise<{ group: string; access: 'read' | 'read-write' }[]> {
  const i = await ownedIn(store, owner, uri, home);
  return (await store.listGroupShares(i.collection.id)).map((s) => ({ group: s.groupName, access: s.access }));
}

/**
 * For scheduling (sched's Directory): the group a calendar-user address names — its mailto:
 * address (case-insensitive) or its principal URL/path (/dav/groups/<name>/, absolute or not) —
 * with each member and their addresses (RFC 6638 §3.2.1.1: a CUTYPE=GROUP attendee is expanded
 * to its members). null when the address names no group.
 */
export async function expandGroupAddress(store: Store, address: string): Promise<{ group: Group; members: GroupMemberAddresses[] } | null> {
  const a = address.trim();
  let group: Group | null = null;
  if (/^mailto:/i.test(a)) group = await store.findGroupByEmail(a);
  else if (/^(https?:\/\/|\/)/i.test(a)) {
    let path: string | null = null;
    try {
      path = new URL(a, 'http://principal.invalid/').pathname;
    } catch {
      path = null;
    }
    const parsed = path === null ? null : parseDavPath(path.endsWith('/') ? path : `${path}/`);
    if (parsed?.area === 'groups' && parsed.group !== undefined && !parsed.below) group = await store.getGroup(parsed.group);
  }
  return group ? { group, members: await store.groupMemberAddresses(group.id) } : null;
}
