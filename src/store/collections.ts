// Collections: calendars (RFC 4791 §4.2), address books (RFC 6352 §5.2) and plain WebDAV
// collections (RFC 4918 §5.2) in one of a user's two homes. Implemented by store/sqlite/collections.ts (`collectionStore`); contract:
// test/store/contract/collections.ts. How a calendar appears in a home is instances.ts; who else
// sees it is shares.ts.
import type { DeadProperty } from './dead-properties.js';

import type { Replaced } from './objects.js';

export type Access = 'owner' | 'read' | 'read-write';
export type CollectionKind = 'calendar' | 'plain' | 'addressbook';
/**
 * The two homes of a user, each its own namespace (a calendar and an address book may both be
 * "contacts"): the calendar home /dav/calendars/<user>/ (calendars, plain collections) and the
 * address-book home /dav/addressbooks/<user>/ (address books, plain collections). Every method
 * that names a home-level place takes a Home; it defaults to 'calendars' so that calendar code
 * reads as before.
 */
export type Home = 'calendars' | 'addressbooks';
export type ComponentType = 'VEVENT' | 'VTODO' | 'VJOURNAL' | 'VFREEBUSY' | 'VAVAILABILITY';

/**
 * The components of a calendar made without a choice (the first calendar, the page, a plain
 * MKCALENDAR): events, to-dos and journals, so that journal apps (jtx Board via DAVx5) can store
 * theirs (SPEC "WebDAV and CalDAV"; RFC 4791 §5.2.3 leaves the default to the server).
 */
export const DEFAULT_CALENDAR_COMPONENTS: readonly ComponentType[] = ['VEVENT', 'VTODO', 'VJOURNAL'];

/**
 * A collection below a user's home: a CalDAV calendar (kind 'calendar', always directly under
 * the calendar home), a CardDAV address book (kind 'addressbook', always directly under the
 * address-book home) or a plain WebDAV collection (kind 'plain', any depth, owner only; for
 * litmus and generic WebDAV clients).
 */
export interface Collection {
  id: number;
  ownerId: number;
  /** The home the collection lives in (a nested plain collection: its top ancestor's). */
  home: Home;
  /** null when the collection sits directly in the owner's home. */
  parentId: number | null;
  /** Last path segment in the owner's home, without slashes. */
  uri: string;
  kind: CollectionKind;
  displayName: string | null;
  description: string | null;
  color: string | null;
  order: number | null;
  /** A VCALENDAR text holding one VTIMEZONE (RFC 4791 §5.2.2), or null. */
  timezone: string | null;
  /** supported-calendar-component-set, fixed at creation (RFC 4791 §5.2.3). */
  components: ComponentType[];
  /** Global sequence number of the last change inside this collection (content or properties). */
  syncSeq: number;
  objectCount: number;
  createdAt: string;
  modifiedAt: string;
}

export interface CollectionInit {
  uri: string;
  kind: CollectionKind;
  parentId?: number | null;
  /**
   * The home of a home-level collection (parentId null). Defaults to 'addressbooks' for an
   * address book, else 'calendars'; a nested collection takes its parent's and ignores this.
   */
  home?: Home;
  displayName?: string | null;
  description?: string | null;
  color?: string | null;
  order?: number | null;
  timezone?: string | null;
  components?: ComponentType[];
  /** Initial dead properties (extended MKCOL, MKCALENDAR), stored in the same transaction. */
  deadProperties?: DeadProperty[];
}

/** Writable collection properties; undefined leaves a field alone, null clears it. */
export interface CollectionPatch {
  displayName?: string | null;
  description?: string | null;
  color?: string | null;
  order?: number | null;
  timezone?: string | null;
}

/**
 * The collection trees of each user, one per home. A home's namespace holds the owner's top-level
 * collections of that home and the instances of calendars or address books shared in
 * (instances.ts): a uri is taken if either holds it.
 * Segments are never '', '.', '..' or contain '/' (Conflict). Creating, moving or deleting a
 * collection inside a plain collection is a member change of that parent (RFC 6578 §3.3).
 */
export interface CollectionStore {
  /**
   * Creates a collection; a calendar or address book also gets the owner's instance (sync on).
   * Without `components` a calendar takes DEFAULT_CALENDAR_COMPONENTS (RFC 4791 §5.2.3). Throws
   * Conflict when the uri is taken in that place, when a calendar or address book is not directly
   * in its home (a calendar in the calendar home, an address book in the address-book home), or
   * when the parent is not a plain collection (RFC 4791 §4.2, RFC 6352 §5.2: no collections
   * inside calendars or address books); NotFound for an unknown owner or parent.
   */
  createCollection(ownerId: number, init: CollectionInit): Promise<Collection>;
  getCollection(id: number): Promise<Collection | null>;
  /** Child collection of the owner's home `home` (parentId null) or of a plain collection (home ignored). */
  findCollection(ownerId: number, parentId: number | null, uri: string, home?: Home): Promise<Collection | null>;
  /** Ordered by uri; `home` as in findCollection. */
  listChildCollections(ownerId: number, parentId: number | null, home?: Home): Promise<Collection[]>;
  /** Throws NotFound. Records a change so the collection's and the homes' tokens move. */
  updateCollection(id: number, patch: CollectionPatch): Promise<Collection>;
  /**
   * Deletes the collection with everything below it, its instances (each leaves a home
   * tombstone), shares, dead properties and feed tokens. Throws NotFound. With `keepLastOwn`,
   * throws LimitReached instead when it is its owner's last calendar (or last address book),
   * plain collections aside — counted in the write transaction, so two concurrent deletes cannot take a
   * user's last two calendars together (every user keeps one, services/calendars.ts).
   */
  deleteCollection(id: number, opts?: { keepLastOwn?: boolean }): Promise<void>;
  /**
   * Renames/moves a plain collection or renames a calendar or address book within its owner's
   * home (sharees keep their own uri); parentId null = the collection's own home. Throws NotFound,
   * or Conflict when the target is taken, lies below itself or in the other home.
   */
  moveCollection(id: number, parentId: number | null, uri: string, replacing?: Replaced): Promise<Collection>;
  /**
   * COPY of a collection (RFC 4918 §9.8.3): a new collection of `ownerId` at (parentId, uri) with
   * the source's live and dead properties and, when `deep`, its objects (with their dead
   * properties) and child collections; one transaction. `publicOnly` copies only objects of
   * classification 'public' (a sharee's copy: what they see in full). `replacing` is deleted in
   * the same transaction. `home` places a home-level copy (parentId null; default the source's
   * home). Throws NotFound, Conflict (also for a calendar copied into the address-book home and
   * the reverse).
   */
  copyCollection(sourceId: number, ownerId: number, parentId: number | null, uri: string, opts: { deep: boolean; publicOnly?: boolean; replacing?: Replaced; home?: Home }): Promise<Collection>;
}
