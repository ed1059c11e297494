// Domain errors thrown by every Store implementation. dav/ maps each to its HTTP status and
// precondition element in one place (dav/store-errors.ts); nothing here knows HTTP.

export class StoreError extends Error {
  override name = 'StoreError';
}

/** The addressed user, collection, object or share does not exist. */
export class NotFound extends StoreError {
  override name = 'NotFound';
}

/** The name is already taken (user name, collection uri). */
export class Conflict extends StoreError {
  override name = 'Conflict';
}

/** If-Match / If-None-Match did not hold at the moment of the write. */
export class PreconditionFailed extends StoreError {
  override name = 'PreconditionFailed';
}

/** Another object of the collection already holds this UID (RFC 4791 §5.3.2.1 no-uid-conflict). */
export class UidConflict extends StoreError {
  override name = 'UidConflict';
  constructor(readonly existingName: string) {
    super(`UID already used by ${existingName}`);
  }
}

/**
 * The user already holds as many rows of this kind as the caller allows (a per-user limit, such as
 * the subscription links of feeds/links.ts). Checked inside the write's transaction, so that
 * concurrent requests cannot pass the limit together, as a count read before the write let them.
 */
export class LimitReached extends StoreError {
  override name = 'LimitReached';
}

/** A sync token the store does not know or has pruned (RFC 6578 §3.2 valid-sync-token). */
export class InvalidSyncToken extends StoreError {
  override name = 'InvalidSyncToken';
}

/**
 * The database cannot grow: the disk (or the filesystem quota) is full (SQLITE_FULL). Nothing of
 * the failed write was stored; reads go on, and deleting frees space. dav/ answers 507
 * Insufficient Storage (RFC 4918 §11.5).
 */
export class StorageFull extends StoreError {
  override name = 'StorageFull';
  constructor() {
    super('the database is out of space (disk or quota full)');
  }
}

/** The database file or its folder is read-only (SQLITE_READONLY): no write can succeed. */
export class StorageReadOnly extends StoreError {
  override name = 'StorageReadOnly';
  constructor() {
    super('the database is read-only (check the permissions of the data folder)');
  }
}

/**
 * The data folder cannot be used: it (or the database in it) is not writable, or another Sundial
 * server holds it. The message is one sentence for the person starting Sundial.
 */
export class DataFolderUnusable extends StoreError {
  override name = 'DataFolderUnusable';
}

/**
 * The database server cannot be reached right now: the connection was refused, reset or timed
 * out, or the server is shutting down, restarting or not yet accepting connections (PostgreSQL).
 * Nothing of the failed operation was committed (a write whose COMMIT was cut may have been,
 * like any request whose answer is lost). The condition is temporary: http/ answers 503 with
 * Retry-After (RFC 9110 §15.6.4), and the pool opens new connections once the server is back.
 */
export class StorageUnavailable extends StoreError {
  override name = 'StorageUnavailable';
  constructor(readonly reason: string) {
    super(`the database cannot be reached (${reason})`);
  }
}
