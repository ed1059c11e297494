// CalDAV scheduling (RFC 6638): the writes implicit scheduling makes in one transaction, the
// scheduling inbox of each user, Schedule-Tags, the "include in free/busy" setting and the
// secret that signs iMIP reply links. Implemented by store/sqlite/scheduling.ts
// (`schedulingStore`); contract: test/store/scheduling.test.ts.
import type { ObjectInput, PutResult, WriteConditions } from './objects.js';

/** One step of a scheduling write (see SchedulingStore.applySchedulingWrite). */
export type SchedulingOp =
  /** putObject, then the object's Schedule-Tag set to `scheduleTag` (undefined = left as it is). */
  | { op: 'put'; collectionId: number; input: ObjectInput; cond?: WriteConditions; scheduleTag?: string | null }
  /** deleteObject; `ifExists` makes a missing object a no-op instead of NotFound. */
  | { op: 'delete'; collectionId: number; name: string; cond?: WriteConditions; ifExists?: boolean }
  /** A message delivered to a user's scheduling inbox (RFC 6638 §4.1). */
  | { op: 'deliver'; userId: number; message: InboxInput };

export interface InboxInput {
  name: string;
  method: string;
  uid: string;
  data: Buffer;
}

export interface InboxMessage {
  name: string;
  etag: string;
  method: string;
  uid: string;
  size: number;
  createdAt: string;
}

export interface StoredInboxMessage extends InboxMessage {
  data: Buffer;
}

export interface InboxChanges {
  /** The inbox's token now: the global sequence of its last change (0 = never changed). */
  seq: number;
  /** Names changed since the token asked, latest state of each, in order. */
  changes: { name: string; deleted: boolean }[];
}

export interface SchedulingStore {
  /**
   * Applies every op in order in ONE transaction: the organizer's or attendee's own write, the
   * copies in other users' calendars and the inbox deliveries commit together or not at all
   * (each op with the checks of putObject/deleteObject: PreconditionFailed, UidConflict,
   * NotFound). Returns the PutResult of each op ('put' ops; null for the others), in order.
   */
  applySchedulingWrite(ops: SchedulingOp[]): Promise<(PutResult | null)[]>;
  /** The Schedule-Tag of an object, null when it has none or does not exist. */
  getScheduleTag(collectionId: number, name: string): Promise<string | null>;

  /** The user's inbox, ordered by name. */
  listInbox(userId: number): Promise<InboxMessage[]>;
  getInboxMessage(userId: number, name: string): Promise<StoredInboxMessage | null>;
  /** Throws NotFound, PreconditionFailed (If-Match checked first, as deleteObject). */
  deleteInboxMessage(userId: number, name: string, cond?: WriteConditions): Promise<void>;
  /** Changes of the inbox after `since` (0 = everything there now). Throws InvalidSyncToken for a token from the future. */
  inboxChanges(userId: number, since: number): Promise<InboxChanges>;

  /** Whether the user's instance of the calendar counts for free/busy; null = no setting stored (use the default). */
  getFreeBusyIncluded(userId: number, collectionId: number): Promise<boolean | null>;
  setFreeBusyIncluded(userId: number, collectionId: number, included: boolean): Promise<void>;

  /** The key signing iMIP reply links: 32 random bytes, made on first call and kept in the database. */
  schedulingSecret(): Promise<Buffer>;
}
