// The members of a collection resource, as PROPFIND Depth 1 lists them. A home (calendar or
// address-book home) lists only the calendars or address books whose Synchronization switch is on
// for this user (SPEC "Per-calendar synchronization"): that is how a switched-off one leaves iOS,
// macOS, DAVx5 and vdirsyncer.
import { allObjectMetas, type ObjectMeta, type Store, type User } from '../store/types.js';
import { ADDRESSBOOKS, CALENDARS, PRINCIPALS, homeHrefOf, principalHref } from './paths.js';
import { instanceResource, plainResource, type CollectionResource, type Resource } from './resources.js';
import { isSharee, visibleMetas } from './sharee-view.js';

export function objectResource(parent: CollectionResource, meta: ObjectMeta): Resource {
  return { kind: 'object', user: parent.user, parent, meta, name: meta.name, href: parent.href + meta.name };
}

/** `user` is the requesting user: the principal and home collections list only their own. */
export async function membersOf(store: Store, user: User, r: Resource): Promise<Resource[]> {
  switch (r.kind) {
    case 'root':
      return [{ kind: 'principals', user, href: PRINCIPALS }, { kind: 'calendars', user, href: CALENDARS }, { kind: 'addressbooks', user, href: ADDRESSBOOKS }];
    case 'principals':
      return [{ kind: 'principal', user, href: principalHref(user.username) }];
    case 'calendars': case 'addressbooks':
      return [{ kind: 'home', user, home: r.kind, href: homeHrefOf(r.kind, user.username) }];
    case 'home': {
      const instances = await store.listInstances(r.user.id, { syncOnly: true, home: r.home });
      const plain = (await store.listChildCollections(r.user.id, null, r.home)).filter((c) => c.kind === 'plain');
      return [
        ...instances.map((i): Resource => instanceResource(r.user, i)),
        ...plain.map((c): Resource => plainResource(r.user, c, [c.uri])),
      ];
    }
    case 'calendar': case 'addressbook':
      return visibleMetas(isSharee(r), await allObjectMetas(store, r.collection.id)).map((m) => objectResource(r, m));
    case 'collection': {
      const subs = await store.listChildCollections(r.user.id, r.collection.id);
      const objects = await allObjectMetas(store, r.collection.id);
      return [
        ...subs.map((c): Resource => plainResource(r.user, c, [...r.segments, c.uri])),
        ...objects.map((m) => objectResource(r, m)),
      ];
    }
    default:
      return [];
  }
}

