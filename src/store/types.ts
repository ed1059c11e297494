// The storage contract. dav/, web/, feeds/ and cli/ see only these interfaces; the SQLite
// implementation lives in store/sqlite/, one factory per interface under the same file name:
//
//   users.ts            UserStore          accounts and credentials
//   collections.ts      CollectionStore    calendars, address books and plain collections
//   instances.ts        InstanceStore      a calendar or address book in a user's home, the Synchronization switch
//   shares.ts           ShareStore         sharees and their access
//   objects.ts          ObjectStore        calendar objects and plain resources
//   changes.ts          ChangeStore        the change log: sync tokens, getctag, home tombstones
//   dead-properties.ts  DeadPropertyStore  RFC 4918 dead properties
//   feeds.ts            FeedStore          subscription link tokens
//   groups.ts           GroupStore         groups of users, their members and group shares
//   devices.ts          DeviceStore        devices, their app passwords and selections
//   sessions.ts         SessionStore       web sessions of the page (hashed cookie values), shared by every process
//   counters.ts         CounterStore       windowed counters shared by processes (login throttle, iMIP mails)
//
// Every method is asynchronous so that a PostgreSQL implementation can be added without touching
// callers, and every mutating method is one transaction: the row, its change-log entry and the
// sync-token bump commit together or not at all. Failures are the domain errors of ./errors.ts,
// never driver errors or HTTP statuses; besides those each method names, any write may throw
// StorageFull or StorageReadOnly. This file re-exports every type, so importers need only it.
import type { ChangeStore } from './changes.js';
import type { CollectionStore } from './collections.js';
import type { DeadPropertyStore } from './dead-properties.js';
import type { FeedStore } from './feeds.js';
import type { GroupStore } from './groups.js';
import type { DeviceStore } from './devices.js';
import type { InstanceStore } from './instances.js';
import type { ObjectStore } from './objects.js';
import type { ShareStore } from './shares.js';
import type { UserStore } from './users.js';
import type { SchedulingStore } from './scheduling.js';
import type { SessionStore } from './sessions.js';
import type { CounterStore } from './counters.js';
import type { ClusterEvents } from './cluster-events.js';

export type { Person, User, UserCredentials, UserStore } from './users.js';
export { addressKey } from './users.js';
export type { Access, Collection, CollectionInit, CollectionKind, CollectionPatch, CollectionStore, ComponentType, Home } from './collections.js';
export { DEFAULT_CALENDAR_COMPONENTS } from './collections.js';
export type { CalendarInstance, Instance, InstanceStore } from './instances.js';
export type { Share, ShareStore } from './shares.js';
export type {
  Classification, ObjectEtag, ObjectInput, ObjectMeta, ObjectQuery, ObjectStore, ObjectText, ObjectTextUpTo, KeysetPage, PutResult, Replaced, StoredObject, WriteConditions,
} from './objects.js';
export type { Change, ChangeSet, ChangeSetWithMetas, ChangeStore, HomeChange } from './changes.js';
export type { DeadProperty, DeadPropertyStore } from './dead-properties.js';
export type { FeedStore, FeedToken, FeedTokenInit } from './feeds.js';
export type { Device, DeviceChange, DeviceStore } from './devices.js';
export { allObjectMetas, objectPages } from './objects.js';
export type { Group, GroupMemberAddresses, GroupShare, GroupStore } from './groups.js';

export type { SessionInit, SessionStore, StoredSession } from './sessions.js';
export { MAX_SESSIONS_PER_USER } from './sessions.js';
export type { Counter, CounterStore } from './counters.js';
export type { ClusterEvent, ClusterEvents } from './cluster-events.js';

export type { InboxChanges, InboxInput, InboxMessage, SchedulingOp, SchedulingStore, StoredInboxMessage } from './scheduling.js';

export interface Store
  extends UserStore, CollectionStore, InstanceStore, ShareStore, ObjectStore, ChangeStore, DeadPropertyStore, FeedStore, GroupStore, DeviceStore, SchedulingStore, SessionStore, CounterStore {
  /**
   * Changes committed by any process on the same database (PostgreSQL LISTEN/NOTIFY,
   * ./cluster-events.ts); absent where only one process serves the database (SQLite).
   */
  events?: ClusterEvents;
  /**
   * Called at the start of each HTTP request: afterwards the request sees every write committed
   * before, by any process, also through the store's cached reads (PostgreSQL: one read of the
   * write version, store/postgres/read-cache.ts). Absent where nothing needs it (SQLite's read
   * cache checks PRAGMA data_version on every read).
   */
  refresh?(): Promise<void>;
  /** Closes the connection(s); the store must not be used afterwards. */
  close(): Promise<void>;
}
