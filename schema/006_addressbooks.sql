-- sundial: foreign-keys off
-- CardDAV address books (RFC 6352, issue 14). The line above makes store/sqlite/migrate.ts run this
-- file with foreign keys off and check them (PRAGMA foreign_key_check) before it commits: the
-- rebuilds below DROP the old tables, and with foreign keys on a DROP TABLE collections would
-- cascade into every object, change, dead property, instance and feed token (the procedure of
-- https://sqlite.org/lang_altertable.html#otheralter).
--
-- A user has two homes: the calendar home /dav/calendars/<user>/ and the address-book home
-- /dav/addressbooks/<user>/. Each home is its own namespace, so a calendar and an address book
-- may both be called "contacts": collections, instances and home tombstones carry the home.

-- 1. collections: kind gains 'addressbook'; `home` says which home a collection lives in
-- (nested plain collections inherit their parent's). Calendars live in the calendar home,
-- address books in the address-book home. The UNIQUE place index takes the home in.
CREATE TABLE collections_new (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  parent_id    INTEGER REFERENCES collections (id) ON DELETE CASCADE,
  uri          TEXT NOT NULL CHECK (uri <> '' AND instr(uri, '/') = 0),
  kind         TEXT NOT NULL CHECK (kind IN ('calendar', 'plain', 'addressbook')),
  displayname  TEXT,
  description  TEXT,
  color        TEXT,
  sort_order   INTEGER,
  timezone     TEXT,
  components   TEXT NOT NULL DEFAULT '',
  sync_seq     INTEGER NOT NULL,
  pruned_below INTEGER NOT NULL,
  object_count INTEGER NOT NULL DEFAULT 0,
  created_at   TEXT NOT NULL,
  modified_at  TEXT NOT NULL,
  home         TEXT NOT NULL DEFAULT 'calendars' CHECK (home IN ('calendars', 'addressbooks')),
  CHECK (kind <> 'calendar' OR home = 'calendars'),
  CHECK (kind <> 'addressbook' OR home = 'addressbooks')
) STRICT;
INSERT INTO collections_new (id, owner_id, parent_id, uri, kind, displayname, description, color, sort_order,
  timezone, components, sync_seq, pruned_below, object_count, created_at, modified_at, home)
SELECT id, owner_id, parent_id, uri, kind, displayname, description, color, sort_order,
  timezone, components, sync_seq, pruned_below, object_count, created_at, modified_at, 'calendars'
FROM collections;
-- AUTOINCREMENT's high-water mark goes with the table: a copied table would restart after the
-- largest id still present and could reuse the id of a deleted calendar, whose sync tokens must
-- never validate again (001_initial.sql).
DELETE FROM sqlite_sequence WHERE name = 'collections_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'collections_new', seq FROM sqlite_sequence WHERE name = 'collections';
DROP TABLE collections;
ALTER TABLE collections_new RENAME TO collections;
CREATE UNIQUE INDEX collections_place ON collections (owner_id, home, coalesce(parent_id, 0), uri);
CREATE INDEX collections_parent ON collections (parent_id) WHERE parent_id IS NOT NULL;

-- 2. instances: the segment is unique per (user, home), no longer per user.
CREATE TABLE instances_new (
  user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  uri           TEXT NOT NULL CHECK (uri <> '' AND instr(uri, '/') = 0),
  access        TEXT NOT NULL CHECK (access IN ('owner', 'read', 'read-write')),
  sync_enabled  INTEGER NOT NULL DEFAULT 1 CHECK (sync_enabled IN (0, 1)),
  changed_seq   INTEGER NOT NULL,
  -- The home of the collection (collections.home), here so the segment can be unique per home.
  home          TEXT NOT NULL DEFAULT 'calendars' CHECK (home IN ('calendars', 'addressbooks')),
  PRIMARY KEY (user_id, collection_id),
  UNIQUE (user_id, home, uri)
) STRICT, WITHOUT ROWID;
INSERT INTO instances_new (user_id, collection_id, uri, access, sync_enabled, changed_seq, home)
SELECT user_id, collection_id, uri, access, sync_enabled, changed_seq, 'calendars' FROM instances;
DROP TABLE instances;
ALTER TABLE instances_new RENAME TO instances;
CREATE INDEX instances_collection ON instances (collection_id);

-- 3. home tombstones name the home they were left in (ADD COLUMN: no rebuild needed).
ALTER TABLE home_changes ADD COLUMN home TEXT NOT NULL DEFAULT 'calendars' CHECK (home IN ('calendars', 'addressbooks'));
DROP INDEX home_changes_user;
CREATE INDEX home_changes_user ON home_changes (user_id, home, seq);

-- 4. Every existing user gets the default address book "Contacts" (new users get it from
-- bootstrap.ts createUserWithCalendar), so a device that adds the account finds one at once.
-- One sequence value for all of them: each is a new collection whose token starts there (an
-- empty database keeps its sequence at 0).
UPDATE sequence SET value = value + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM users);
INSERT INTO collections (owner_id, parent_id, uri, kind, displayname, components, sync_seq, pruned_below,
  created_at, modified_at, home)
SELECT id, NULL, 'contacts', 'addressbook', 'Contacts', '', (SELECT value FROM sequence WHERE id = 1),
  (SELECT value FROM sequence WHERE id = 1), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'addressbooks'
FROM users ORDER BY id;
INSERT INTO instances (user_id, collection_id, uri, access, sync_enabled, changed_seq, home)
SELECT owner_id, id, uri, 'owner', 1, sync_seq, 'addressbooks' FROM collections WHERE kind = 'addressbook';
