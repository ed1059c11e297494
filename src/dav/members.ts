// The members of a collection resource, as PROPFIND Depth 1 lists them. The calendar home lists
// only the calendars whose Synchronization switch is on for this user (SPEC "Per-calendar
// synchronization"): that is how a switched-off calendar leaves iOS, macOS, DAVx5 and vdirsyncer.
import { allObjectMetas, type ObjectMeta, type Store, type User } from '../store/types.js';
import { CALENDARS, PRINCIPALS, calendarHref, groupHref, homeHref, principalHref } from './paths.js';
import { calendarResource, type CollectionResource, type Resource } from './resources.js';
import { isSharee, visibleMetas } from './sharee-view.js';

export function objectResource(parent: CollectionResource, meta: ObjectMeta): Resource {
  return { kind: 'object', user: parent.user, parent, meta, name: meta.name, href: parent.href + meta.name };
}

/** `user` is the requesting user: the principal and home collections list only their own. */
export async function membersOf(store: Store, user: User, r: Resource): Promise<Resource[]> {
  switch (r.kind) {
    case 'root':
      return [{ kind: 'principals', user, href: PRINCIPALS }, { kind: 'calendars', user, href: CALENDARS }];
    case 'principals':
      return [{ kind: 'principal', user, viewer: user, href: principalHref(user.username) }];
    case 'groups':
      // The groups the user belongs to (others are found by principal-property-search).
      return (await store.listUserGroups(user.id)).map((group): Resource => ({ kind: 'group', user, group, href: groupHref(group.name) }));
    case 'calendars':
      return [{ kind: 'home', user, href: homeHref(user.username) }];
    case 'home': {
      const instances = await store.listInstances(r.user.id, { syncOnly: true });
      const plain = (await store.listChildCollections(r.user.id, null)).filter((c) => c.kind === 'plain');
      return [
        ...instances.map((i): Resource => calendarResource(r.user, i)),
        ...plain.map((c): Resource => ({ kind: 'collection', user: r.user, collection: c, segments: [c.uri], href: calendarHref(r.user.username, c.uri) })),
      ];
    }
    case 'calendar':
      return visibleMetas(isSharee(r), await allObjectMetas(store, r.collection.id)).map((m) => objectResource(r, m));
    case 'collection': {
      const subs = await store.listChildCollections(r.user.id, r.collection.id);
      const objects = await allObjectMetas(store, r.collection.id);
      return [
        ...subs.map((c): Resource => ({ kind: 'collection', user: r.user, collection: c, segments: [...r.segments, c.uri], href: `${r.href}${c.uri}/` })),
        ...objects.map((m) => objectResource(r, m)),
      ];
    }
    default:
      return [];
  }
}

