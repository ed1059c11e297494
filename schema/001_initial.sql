-- Sundial's first schema. Applied by src/store/sqlite/migrate.ts inside one transaction, so this
-- file must not contain BEGIN/COMMIT or PRAGMAs (foreign_keys cannot change inside a transaction;
-- the store sets its pragmas when it opens the database).
-- Tables are STRICT so a driver bug cannot store text in an integer column unnoticed.
-- Booleans are INTEGER 0/1 with a CHECK; timestamps are ISO-8601 strings (UTC).

-- One global, monotonic sequence shared by the collection change log and the home tombstones.
-- A single counter lets a home token (max over several calendars) and a collection token be
-- compared with each other, and makes every write's position in history unambiguous.
CREATE TABLE sequence (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
) STRICT;
INSERT INTO sequence (id, value) VALUES (1, 0);

CREATE TABLE users (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  -- Exact match (no NOCASE): the name is a URL segment of the principal and the home.
  username           TEXT NOT NULL UNIQUE CHECK (username <> ''),
  display_name       TEXT NOT NULL,
  email              TEXT,
  is_admin           INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
  -- argon2id PHC string.
  password_hash      TEXT NOT NULL,
  -- Bumped on every password change: cached verifications keyed on an older version are void.
  credential_version INTEGER NOT NULL DEFAULT 1,
  created_at         TEXT NOT NULL
) STRICT;

-- AUTOINCREMENT so an id is never reused: sync tokens name the collection by id, and a token of a
-- deleted calendar must never validate against a new one (pruned_below guards this too).
CREATE TABLE collections (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- NULL = directly in the owner's home. Calendars always live there (RFC 4791 §4.2: no
  -- calendar inside a calendar); plain WebDAV collections may nest.
  parent_id    INTEGER REFERENCES collections (id) ON DELETE CASCADE,
  uri          TEXT NOT NULL CHECK (uri <> '' AND instr(uri, '/') = 0),
  kind         TEXT NOT NULL CHECK (kind IN ('calendar', 'plain')),
  displayname  TEXT,
  description  TEXT,
  color        TEXT,
  sort_order   INTEGER,
  -- VCALENDAR text with one VTIMEZONE (RFC 4791 §5.2.2).
  timezone     TEXT,
  -- supported-calendar-component-set as a comma list, fixed at creation (RFC 4791 §5.2.3).
  components   TEXT NOT NULL DEFAULT '',
  -- Global seq of the last change inside the collection: the sync token and getctag.
  sync_seq     INTEGER NOT NULL,
  -- Tokens below this seq are no longer answerable (RFC 6578 §3.2 valid-sync-token). Starts at
  -- the creation seq; raised when the change log is pruned.
  pruned_below INTEGER NOT NULL,
  -- Maintained in the write transactions: COUNT(*) over 100k objects on every PROPFIND is too slow.
  object_count INTEGER NOT NULL DEFAULT 0,
  created_at   TEXT NOT NULL,
  modified_at  TEXT NOT NULL
) STRICT;
-- UNIQUE(owner_id, parent_id, uri) would let two home-level collections share a uri, since NULLs
-- never compare equal in a UNIQUE constraint; coalesce maps "in the home" to 0 (ids start at 1).
CREATE UNIQUE INDEX collections_place ON collections (owner_id, coalesce(parent_id, 0), uri);
-- ON DELETE CASCADE on parent_id scans children; without this index each delete is a table scan.
CREATE INDEX collections_parent ON collections (parent_id) WHERE parent_id IS NOT NULL;

-- How a calendar appears in one user's home: the owner's own (access 'owner') and one per share.
-- The Synchronization switch belongs here, to the (user, calendar) pair (SPEC).
CREATE TABLE instances (
  user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  -- Segment in the user's home; for sharees chosen free of their own names.
  uri           TEXT NOT NULL CHECK (uri <> '' AND instr(uri, '/') = 0),
  access        TEXT NOT NULL CHECK (access IN ('owner', 'read', 'read-write')),
  sync_enabled  INTEGER NOT NULL DEFAULT 1 CHECK (sync_enabled IN (0, 1)),
  -- Global seq of the last change of the instance itself (added, switched, renamed, access).
  changed_seq   INTEGER NOT NULL,
  PRIMARY KEY (user_id, collection_id),
  UNIQUE (user_id, uri)
) STRICT, WITHOUT ROWID;
CREATE INDEX instances_collection ON instances (collection_id);

CREATE TABLE objects (
  collection_id  INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  name           TEXT NOT NULL CHECK (name <> '' AND instr(name, '/') = 0),
  -- Strong ETag, quotes included, exactly as sent in the ETag header.
  etag           TEXT NOT NULL,
  content_type   TEXT NOT NULL,
  size           INTEGER NOT NULL,
  uid            TEXT,
  component_type TEXT CHECK (component_type IN ('VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VAVAILABILITY')),
  -- First instance start / last instance end, epoch ms; NULL end = unbounded recurrence. Kept in
  -- columns so calendar-query never parses 9000 objects to answer a time-range.
  first_start    INTEGER,
  last_end       INTEGER,
  created_at     TEXT NOT NULL,
  modified_at    TEXT NOT NULL,
  -- Last, so metadata queries read only the row's first page, never the blob's overflow pages.
  data           BLOB NOT NULL,
  PRIMARY KEY (collection_id, name)
) STRICT;
-- RFC 4791 §5.3.2.1 no-uid-conflict: one object per UID in a calendar. Plain resources have none.
CREATE UNIQUE INDEX objects_uid ON objects (collection_id, uid) WHERE uid IS NOT NULL;
CREATE INDEX objects_time_range ON objects (collection_id, first_start, last_end);

-- The change log behind sync-collection (RFC 6578) and getctag. One row per (write, member);
-- name '' = a change of the collection's own properties (moves the token, never reported as a
-- member). A MOVE writes two rows with one seq: a delete at the source and a put at the target.
CREATE TABLE changes (
  id            INTEGER PRIMARY KEY,
  seq           INTEGER NOT NULL,
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  deleted       INTEGER NOT NULL CHECK (deleted IN (0, 1))
) STRICT;
CREATE INDEX changes_collection ON changes (collection_id, seq);

-- Tombstones of a home (the calendars a user's home lists): instances removed, unshared, renamed
-- away or switched off. Live instances report themselves through changed_seq and sync_seq.
CREATE TABLE home_changes (
  id      INTEGER PRIMARY KEY,
  seq     INTEGER NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  uri     TEXT NOT NULL,
  removed INTEGER NOT NULL DEFAULT 1 CHECK (removed IN (0, 1))
) STRICT;
CREATE INDEX home_changes_user ON home_changes (user_id, seq);

-- Dead properties (RFC 4918 §4): stored verbatim with their namespace declarations.
CREATE TABLE dead_properties (
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  -- Object name, or '' for the collection itself.
  name          TEXT NOT NULL,
  -- Clark notation "{namespace}local".
  prop_name     TEXT NOT NULL,
  xml           TEXT NOT NULL,
  PRIMARY KEY (collection_id, name, prop_name)
) STRICT, WITHOUT ROWID;

-- Private subscription feeds (webcal). Only a hash of the token is stored: the token is the
-- secret, shown once in full.
CREATE TABLE feed_tokens (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- NULL = "all my calendars" (those with synchronization on).
  collection_id INTEGER REFERENCES collections (id) ON DELETE CASCADE,
  token_hash    TEXT NOT NULL UNIQUE,
  details       TEXT NOT NULL CHECK (details IN ('full', 'busy')),
  alarms        INTEGER NOT NULL CHECK (alarms IN (0, 1)),
  label         TEXT,
  created_at    TEXT NOT NULL,
  last_used_at  TEXT
) STRICT;
CREATE INDEX feed_tokens_user ON feed_tokens (user_id);
CREATE INDEX feed_tokens_collection ON feed_tokens (collection_id) WHERE collection_id IS NOT NULL;
