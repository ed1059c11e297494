// What one process tells the others about its writes (issue 18 item 3: several processes, one
// truth). Every cache of a process must either be keyed by something it reads from the database
// on each request (a sync sequence, an etag, a credential version: docs/architecture.md "Cache
// rules with several processes") or be dropped when another process writes; this is how it learns
// of those writes. PostgreSQL implements it with LISTEN/NOTIFY (store/postgres/notifications.ts):
// a write transaction's events are sent by NOTIFY inside that transaction, so they are delivered
// when, and only if, it commits. SQLite has no `Store.events`: one process serves a data folder
// (store/sqlite/index.ts claimDataFolder), and its read cache sees the CLI's writes through
// PRAGMA data_version.

/** A committed change, named by what it touched. Subscribers must treat unknown types as "anything may have changed". */
export type ClusterEvent =
  /** An object, a property or the token of this collection moved (every change-log entry). */
  | { type: 'collection-changed'; collectionId: number }
  /** What the user's homes list changed (an instance removed, renamed or switched off). */
  | { type: 'home-changed'; userId: number }
  /** The user's password changed or the user was deleted: cached verifications are void. */
  | { type: 'credentials-changed'; username: string }
  /** Sharees of this collection were added, removed or changed access. */
  | { type: 'shares-changed'; collectionId: number }
  /** The user's devices (app passwords, selections, policy) changed. */
  | { type: 'devices-changed'; userId: number }
  /** A windowed counter (store/counters.ts) was bumped, set or deleted. */
  | { type: 'counters-changed' }
  /**
   * Sent by every PostgreSQL write transaction: the parts of the read cache
   * (store/postgres/cache-parts.ts) whose tables it wrote, derived from its statements.
   */
  | { type: 'data-changed'; parts: readonly ('accounts' | 'collections' | 'counters')[] }
  /** Any other committed write. */
  | { type: 'write' };

/** The counters of one collection moved by a change-log entry (store/postgres/changes.ts record). */
export interface CounterMove {
  collectionId: number;
  /** The collection's sync_seq after it. */
  seq: number;
  /** What object_count moved by (+1 a new member, -1 a removed one, 0 else). */
  countDelta: number;
  /** The collection's modified_at after it. */
  modifiedAt: string;
}

/**
 * What this process's own subscribers learn of its own commit beside the events (PostgreSQL):
 * enough for its read cache to move a cached instance's counters instead of dropping every
 * instance (store/postgres/read-cache.ts). Never sent to other processes.
 */
export interface OwnCommit {
  /** The write version of each part the transaction wrote, as its commit left them. */
  versions: ReadonlyMap<'accounts' | 'collections' | 'counters', number>;
  /** The counter moves in order; null when a statement may have changed an instance otherwise. */
  counterMoves: readonly CounterMove[] | null;
}

export interface ClusterEvents {
  /**
   * Calls `fn` with every event committed by any process on the database, this one included (its
   * own at commit, before the write returns, with `own`; the others' when the notification
   * arrives). Returns the function that ends the subscription.
   */
  subscribe(fn: (e: ClusterEvent, own?: OwnCommit) => void): () => void;
  /**
   * Calls `fn` whenever events may have been missed — the listening connection broke or was
   * (re)established — so that whatever was kept on the strength of events is dropped.
   */
  onReset(fn: () => void): () => void;
  /**
   * Whether the listening connection is up now. A cache kept up to date by events may answer
   * only while this is true; otherwise it must read the database.
   */
  readonly live: boolean;
  /** Sends an event outside any store transaction (delivered at once: it has nothing to wait for). */
  publish(e: ClusterEvent): Promise<void>;
}
