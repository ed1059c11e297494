// The storage contract. dav/, web/, feeds/ and cli/ see only this interface; the SQLite
// implementation lives in store/sqlite/. Every method is asynchronous so that a PostgreSQL
// implementation can be added without touching callers, and every mutating method is one
// transaction: the row, its change-log entry and the sync-token bump commit together or not at all.
// Failures are the domain errors of ./errors.ts, never driver errors or HTTP statuses.

export type Access = 'owner' | 'read' | 'read-write';
export type CollectionKind = 'calendar' | 'plain';
export type ComponentType = 'VEVENT' | 'VTODO' | 'VJOURNAL' | 'VFREEBUSY' | 'VAVAILABILITY';

export interface User {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  isAdmin: boolean;
  createdAt: string;
}

/** What a verified login needs: the argon2id hash is never exposed beyond this. */
export interface UserCredentials {
  user: User;
  passwordHash: string;
  /** Bumped on every password change; cached verifications keyed on an older value are void. */
  credentialVersion: number;
}

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

/** A (user, calendar) pair: how a calendar appears in one user's home (SPEC "Per-calendar synchronization"). */
export interface CalendarInstance {
  userId: number;
  collection: Collection;
  /** Segment of this calendar in the user's home; the owner's equals collection.uri. */
  uri: string;
  access: Access;
  /** The Synchronization switch: on means listed in the home and offered to devices. */
  syncEnabled: boolean;
  /** Sequence of the last change of this instance itself (added, switched, renamed). */
  changedSeq: number;
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

/** Metadata of a stored resource: everything PROPFIND and sync need, without the body. */
export interface ObjectMeta {
  collectionId: number;
  name: string;
  etag: string;
  contentType: string;
  size: number;
  /** iCalendar UID for calendar objects; null for plain resources. */
  uid: string | null;
  componentType: ComponentType | null;
  /** First instance start and last instance end in epoch ms (null end = unbounded recurrence). */
  firstStart: number | null;
  lastEnd: number | null;
  createdAt: string;
  modifiedAt: string;
  /**
   * Exact start and §9.9 end (epoch ms) of the single instance of a non-recurring VEVENT whose
   * times do not depend on the calendar's timezone (ObjectInput.instanceStart); only
   * `queryObjects` fills them, other reads leave them out.
   */
  instanceStart?: number | null;
  instanceEnd?: number | null;
}

/** What an etag listing needs of an object (PROPFIND Depth 1 for getetag, the poll after a ctag change). */
export type ObjectEtag = Pick<ObjectMeta, 'name' | 'etag'>;

/** Name, etag and the body decoded as UTF-8: what a client's multiget of getetag + calendar-data needs. */
export interface ObjectText extends ObjectEtag {
  text: string;
}

export interface StoredObject extends ObjectMeta {
  /** The body exactly as it was PUT (SPEC: returned byte for byte). */
  data: Buffer;
}

export interface ObjectInput {
  name: string;
  data: Buffer;
  contentType: string;
  uid?: string | null;
  componentType?: ComponentType | null;
  firstStart?: number | null;
  lastEnd?: number | null;
  /**
   * For a non-recurring VEVENT with exact UTC times (validate.ts): its instance's start and the
   * end the RFC 4791 §9.9 test uses. null/absent = unknown; queries then parse the object.
   */
  instanceStart?: number | null;
  instanceEnd?: number | null;
}

/**
 * What a COPY or MOVE with Overwrite: T replaces (RFC 4918 §9.8.4, §9.9.3): deleted inside the
 * same transaction as the write that takes its place, after that write's own checks, so a refused
 * request leaves it as it was.
 */
export type Replaced = { kind: 'object'; collectionId: number; name: string } | { kind: 'collection'; id: number };

/** Preconditions checked inside the write transaction, so two racing writers cannot both win. */
export interface WriteConditions {
  /** If-Match: the current etag must be one of these ('*' = must exist). */
  ifMatch?: string[];
  /** If-None-Match: the current etag must not be one of these ('*' = must not exist). */
  ifNoneMatch?: string[];
}

export interface PutResult {
  meta: ObjectMeta;
  created: boolean;
}

export interface Change {
  name: string;
  deleted: boolean;
  seq: number;
}

export interface ChangeSet {
  /** Sequence to hand out as the new token. */
  seq: number;
  changes: Change[];
}

export interface HomeChange {
  uri: string;
  removed: boolean;
  seq: number;
}

export interface DeadProperty {
  /** Clark notation, "{namespace}local". */
  name: string;
  /** The property element serialized verbatim, with its namespace declarations. */
  xml: string;
}

export interface Share {
  collectionId: number;
  userId: number;
  username: string;
  access: Exclude<Access, 'owner'>;
}

export interface FeedToken {
  id: number;
  userId: number;
  /** null = all calendars of the user whose synchronization is on. */
  collectionId: number | null;
  details: 'full' | 'busy';
  alarms: boolean;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface FeedTokenInit {
  userId: number;
  collectionId: number | null;
  /** Hash of the secret token; the token itself is never stored. */
  tokenHash: string;
  details: 'full' | 'busy';
  alarms: boolean;
  label?: string | null;
}

/** Index-backed pre-filter for calendar-query (RFC 4791 §9.9); bounds in epoch ms, end exclusive. */
export interface ObjectQuery {
  componentType?: ComponentType;
  start?: number | null;
  end?: number | null;
}

export interface Store {
  // --- users ---------------------------------------------------------------------------------
  /** Throws Conflict if the user name exists. */
  createUser(init: { username: string; passwordHash: string; displayName?: string; email?: string | null; isAdmin?: boolean }): Promise<User>;
  getUser(username: string): Promise<User | null>;
  getUserById(id: number): Promise<User | null>;
  getCredentials(username: string): Promise<UserCredentials | null>;
  listUsers(): Promise<User[]>;
  /** Throws NotFound. Bumps the credential version. */
  setPassword(username: string, passwordHash: string): Promise<void>;
  /** Removes the user with their collections, objects, shares and feed tokens. Throws NotFound. */
  deleteUser(username: string): Promise<void>;
  countUsers(): Promise<number>;

  // --- collections and instances -------------------------------------------------------------
  /** Creates a collection; a calendar also gets the owner's instance. Throws Conflict when the uri is taken in that place. */
  createCollection(ownerId: number, init: CollectionInit): Promise<Collection>;
  getCollection(id: number): Promise<Collection | null>;
  /** Child collection of the owner's home (parentId null) or of a plain collection. */
  findCollection(ownerId: number, parentId: number | null, uri: string): Promise<Collection | null>;
  listChildCollections(ownerId: number, parentId: number | null): Promise<Collection[]>;
  /** Throws NotFound. Records a change so the collection's and the homes' tokens move. */
  updateCollection(id: number, patch: CollectionPatch): Promise<Collection>;
  /** Deletes the collection with everything below it, its instances and shares. Throws NotFound. */
  deleteCollection(id: number): Promise<void>;
  /** Renames/moves a plain collection or renames a calendar within its owner's home. */
  moveCollection(id: number, parentId: number | null, uri: string, replacing?: Replaced): Promise<Collection>;
  /**
   * COPY of a collection (RFC 4918 §9.8.3): a new collection of `ownerId` at (parentId, uri) with
   * the source's live and dead properties and, when `deep`, its objects (with their dead
   * properties) and child collections; one transaction. Throws NotFound, Conflict.
   */
  copyCollection(sourceId: number, ownerId: number, parentId: number | null, uri: string, opts: { deep: boolean; replacing?: Replaced }): Promise<Collection>;

  /** The user's instances (own and shared), with or without the switched-off ones. */
  listInstances(userId: number, opts?: { syncOnly?: boolean }): Promise<CalendarInstance[]>;
  getInstance(userId: number, uri: string): Promise<CalendarInstance | null>;
  /** Throws NotFound. Records a home change. */
  setSyncEnabled(userId: number, uri: string, enabled: boolean): Promise<CalendarInstance>;

  // --- sharing -------------------------------------------------------------------------------
  /** Shares or changes access; the sharee gets an instance (sync on) under a free uri. */
  share(collectionId: number, userId: number, access: Exclude<Access, 'owner'>): Promise<CalendarInstance>;
  /** Removes the sharee's instance. Throws NotFound when not shared. */
  unshare(collectionId: number, userId: number): Promise<void>;
  listShares(collectionId: number): Promise<Share[]>;

  // --- objects -------------------------------------------------------------------------------
  listObjects(collectionId: number): Promise<ObjectMeta[]>;
  /**
   * Names and etags of the collection's objects, ordered by name: listObjects, two columns only.
   * With `page`, at most `limit` of them whose names sort after `after` (keyset paging: a large
   * listing is read and sent piece by piece instead of held whole).
   */
  listObjectEtags(collectionId: number, page?: { after?: string; limit: number }): Promise<ObjectEtag[]>;
  getObjectMeta(collectionId: number, name: string): Promise<ObjectMeta | null>;
  getObject(collectionId: number, name: string): Promise<StoredObject | null>;
  getObjects(collectionId: number, names: string[]): Promise<StoredObject[]>;
  /** Names and sizes (bytes of the body) of those of `names` that exist: to read bodies in batches bounded by bytes. */
  getObjectSizes(collectionId: number, names: string[]): Promise<Pick<ObjectMeta, 'name' | 'size'>[]>;
  /**
   * getObjects narrowed to name, etag and the body as text (`data.toString('utf8')`), ordered by
   * name: the multiget every client sends after a listing reads three columns, not twelve.
   */
  getObjectTexts(collectionId: number, names: string[]): Promise<ObjectText[]>;
  /**
   * Candidates for a calendar-query: objects of the component type whose stored
   * [firstStart, lastEnd) may overlap [start, end). Objects with unknown bounds are included;
   * the caller applies the exact filter.
   */
  queryObjects(collectionId: number, query: ObjectQuery): Promise<ObjectMeta[]>;
  /** Name of the object holding this UID in the collection, if any. */
  findByUid(collectionId: number, uid: string): Promise<string | null>;
  /**
   * Creates or replaces an object. Throws PreconditionFailed when conditions fail, UidConflict
   * when another object in the collection holds the UID or when the object replaced holds
   * another UID (RFC 4791 §5.3.2.1: the conflicting name is then the object's own).
   */
  putObject(collectionId: number, input: ObjectInput, cond?: WriteConditions, replacing?: Replaced): Promise<PutResult>;
  /** Throws NotFound or PreconditionFailed. */
  deleteObject(collectionId: number, name: string, cond?: WriteConditions): Promise<void>;
  /**
   * Moves an object between collections (or renames it) with its dead properties, replacing any
   * object at the target. Throws NotFound, UidConflict (also when the object replaced holds
   * another UID, RFC 4791 §5.3.2.1).
   */
  moveObject(fromCollectionId: number, name: string, toCollectionId: number, toName: string, replacing?: Replaced): Promise<PutResult>;
  /** Copies an object with its dead properties, replacing any object at the target. Throws NotFound, UidConflict. */
  copyObject(fromCollectionId: number, name: string, toCollectionId: number, toName: string, replacing?: Replaced): Promise<PutResult>;

  // --- sync ----------------------------------------------------------------------------------
  /** Changes inside the collection after seq, one per name (latest wins). Throws InvalidSyncToken when seq is unknown or pruned. */
  changesSince(collectionId: number, seq: number): Promise<ChangeSet>;
  /** Current sequence of the user's home: moves with instance changes and any change in a listed calendar. */
  homeSeq(userId: number): Promise<number>;
  /**
   * Home tombstones (removed, renamed-away or switched-off instances) after seq, latest per uri.
   * A uri the home lists again now is left out: its instance reports itself as changed.
   */
  homeChangesSince(userId: number, seq: number): Promise<HomeChange[]>;

  // --- dead properties (RFC 4918 §4) ---------------------------------------------------------
  // Keyed by (collection, object name); name '' is the collection itself. They follow their
  // resource through MOVE and COPY and disappear with it.
  getDeadProperties(collectionId: number, name: string): Promise<DeadProperty[]>;
  /**
   * Sets (xml non-null) and removes (xml null) dead properties and, for a collection (name ''),
   * applies a patch of its live properties, all in one transaction (PROPPATCH is atomic,
   * RFC 4918 §9.2); records one change. Throws NotFound.
   */
  patchDeadProperties(collectionId: number, name: string, ops: { name: string; xml: string | null }[], live?: CollectionPatch): Promise<void>;

  // --- subscription feeds (SPEC "Subscription feeds") -----------------------------------------
  createFeedToken(init: FeedTokenInit): Promise<FeedToken>;
  /** The token with this hash, or null (unknown or revoked). Callers still check access. */
  findFeedToken(tokenHash: string): Promise<FeedToken | null>;
  listFeedTokens(userId: number): Promise<FeedToken[]>;
  /** Regenerates the secret of one of the user's links, keeping its options. Throws NotFound. */
  rotateFeedToken(userId: number, id: number, tokenHash: string): Promise<FeedToken>;
  /** Revokes one of the user's links. Throws NotFound. */
  deleteFeedToken(userId: number, id: number): Promise<void>;
  /** Records a use (last_used_at); unknown ids are ignored. */
  touchFeedToken(id: number, at?: string): Promise<void>;

  close(): Promise<void>;
}
