// Collections: calendars (RFC 4791 §4.2) and plain WebDAV collections (RFC 4918 §5.2) in a
// user's home. Implemented by store/sqlite/collections.ts (`collectionStore`); contract:
// test/store/contract/collections.ts. How a calendar appears in a home is instances.ts; who else
// sees it is shares.ts.
import type { DeadProperty } from './dead-properties.js';

import type { Replaced } from './objects.js';

export type Access = 'owner' | 'read' | 'read-write';
export type CollectionKind = 'calendar' | 'plain';
export type ComponentType = 'VEVENT' | 'VTODO' | 'VJOURNAL' | 'VFREEBUSY' | 'VAVAILABILITY';

/**
 * The components of a calendar made without a choice (the first calendar, the page, a plain
 * MKCALENDAR): events, to-dos and journals, so that journal apps (jtx Board via DAVx5) can store
 * theirs (SPEC "WebDAV and CalDAV"; RFC 4791 §5.2.3 leaves the default to the server).
 */
export const DEFAULT_CALENDAR_COMPONENTS: readonly ComponentType[] = ['VEVENT', 'VTODO', 'VJOURNAL'];

/**
 * A collection below a user's home: a CalDAV calendar (kind 'calendar', always directly under
 * the home) or a plain WebDAV collection (kind 'plain', any depth, owner only; for litmus and
 * generic WebDAV clients).
 */
export interface Collection {
  id: number;
  ownerId: number;
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
 * The collection tree of each user. A home's namespace holds the owner's top-level collections
 * and the instances of calendars shared in (instances.ts): a uri is taken if either holds it.
 * Segments are never '', '.', '..' or contain '/' (Conflict). Creating, moving or deleting a
 * collection inside a plain collection is a member change of that parent (RFC 6578 §3.3).
 */
export interface CollectionStore {
  /**
   * Creates a collection; a calendar also gets the owner's instance (sync on). Without
   * `components` a calendar takes VEVENT and VTODO (RFC 4791 §5.2.3). Throws Conflict when the uri
   * is taken in that place, when a calendar is not directly in the home, or when the parent is a
   * calendar (RFC 4791 §4.2: no collections inside calendars); NotFound for an unknown owner or
   * parent.
   */
  createCollection(ownerId: number, init: CollectionInit): Promise<Collection>;
  getCollection(id: number): Promise<Collection | null>;
  /** Child collection of the owner's home (parentId null) or of a plain collection. */
  findCollection(ownerId: number, parentId: number | null, uri: string): Promise<Collection | null>;
  /** Ordered by uri. */
  listChildCollections(ownerId: number, parentId: number | null): Promise<Collection[]>;
  /** Throws NotFound. Records a change so the collection's and the homes' tokens move. */
  updateCollection(id: number, patch: CollectionPatch): Promise<Collection>;
  /**
   * Deletes the collection with everything below it, its instances (each leaves a home
   * tombstone), shares, dead properties and feed tokens. Throws NotFound.
   */
  deleteCollection(id: number): Promise<void>;
  /**
   * Renames/moves a plain collection or renames a calendar within its owner's home (sharees keep
   * their own uri). Throws NotFound, or Conflict when the target is taken or lies below itself.
   */
  moveCollection(id: number, parentId: number | null, uri: string, replacing?: Replaced): Promise<Collection>;
  /**
   * COPY of a collection (RFC 4918 §9.8.3): a new collection of `ownerId` at (parentId, uri) with
   * the source's live and dead properties and, when `deep`, its objects (with their dead
   * properties) and child collections; one transaction. `publicOnly` copies only objects of
   * classification 'public' (a sharee's copy: what they see in full). `replacing` is deleted in
   * the same transaction. Throws NotFound, Conflict.
   */
  copyCollection(sourceId: number, ownerId: number, parentId: number | null, uri: string, opts: { deep: boolean; publicOnly?: boolean; replacing?: Replaced }): Promise<Collection>;
}
