// The change log and sync: what RFC 6578 sync-collection and getctag read. Implemented by
// store/sqlite/changes.ts (`changeStore`); contract: test/store/contract/changes.ts (the home
// token's switch cases are in contract/instances.ts).
//
// One global sequence numbers every write; a collection's token is the sequence of its last
// change (Collection.syncSeq), a home's token is homeSeq. Every mutating method of the other
// interfaces records its change in the same transaction as the write.
import type { Home } from './collections.js';
import type { ObjectMeta } from './objects.js';

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

/** A ChangeSet with the members' metadata: what a sync-collection from a token answers from. */
export interface ChangeSetWithMetas extends ChangeSet {
  /**
   * getObjectMeta of every member listed in `changes` as not deleted, as it is now (one snapshot
   * with `changes`), in the order of `changes`; a name whose object is gone is left out.
   */
  metas: ObjectMeta[];
}

export interface HomeChange {
  uri: string;
  removed: boolean;
  seq: number;
}

export interface ChangeStore {
  /**
   * Member changes inside the collection after seq, one per name (latest wins), ordered by seq;
   * changes of the collection's own properties move `seq` but list no member. Throws
   * InvalidSyncToken when seq is in the future, from before the collection existed or pruned
   * (RFC 6578 §3.2 valid-sync-token), NotFound for an unknown collection.
   */
  changesSince(collectionId: number, seq: number): Promise<ChangeSet>;
  /**
   * changesSince with the current metadata of the changed members (ChangeSetWithMetas), same
   * errors: the sync-collection report of RFC 6578 reads its changes and their rows in one
   * statement (one round trip on PostgreSQL, where a read per member made a sync after 10 PUTs
   * 13 round trips; scripts/bench/pg-roundtrips.ts).
   */
  changedMetasSince(collectionId: number, seq: number): Promise<ChangeSetWithMetas>;
  /**
   * Current sequence of the user's home (default the calendar home): moves with the home's
   * instance changes and any change in a collection it lists.
   */
  homeSeq(userId: number, home?: Home): Promise<number>;
  /**
   * Home tombstones (removed, renamed-away or switched-off instances) of the home (default the
   * calendar home) after seq, latest per uri.
   * A uri the home lists again now is left out: its instance reports itself as changed.
   * Throws InvalidSyncToken for a token from before a restore of the database (a backup copy
   * invalidates every token handed out before it, see store/sqlite/backup.ts).
   */
  homeChangesSince(userId: number, seq: number, home?: Home): Promise<HomeChange[]>;
}
