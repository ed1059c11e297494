-- People and groups (issue 15 items 1, 2 and 6).
--
-- A user's e-mail addresses, several per user. `address` is kept as the user typed it (it is what
-- calendar-user-address-set shows as mailto:); `address_key` is its case-folded form, computed by
-- the store (JavaScript toLowerCase, which also folds non-ASCII letters; SQLite's NOCASE folds
-- ASCII only). Domains are case-insensitive (RFC 5321 §2.4) and in practice so are local parts:
-- "Bob@Example.com" and "bob@example.com" are one person, so the key is unique across all users.
-- position 0 is the primary address, which users.email mirrors for the code that reads one address.
CREATE TABLE user_addresses (
  user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  address     TEXT NOT NULL CHECK (address <> ''),
  address_key TEXT NOT NULL UNIQUE CHECK (address_key <> ''),
  position    INTEGER NOT NULL,
  PRIMARY KEY (user_id, position)
) STRICT, WITHOUT ROWID;
-- The existing single column carries over as each user's primary address (SQLite's lower() folds
-- ASCII only; the store writes every later key with the full folding). Where two accounts held the
-- same address (nothing prevented it before), the older account keeps it.
INSERT OR IGNORE INTO user_addresses (user_id, address, address_key, position)
  SELECT id, trim(email), lower(trim(email)), 0 FROM users
  WHERE email IS NOT NULL AND trim(email) <> '' ORDER BY id;
UPDATE users SET email = (SELECT address FROM user_addresses a WHERE a.user_id = users.id AND a.position = 0);

-- Groups of users (item 6). A group is a principal of its own, at /dav/groups/<name>/ (an area
-- apart from /dav/principals/<user>/, so a group name can never clash with a user name).
-- AUTOINCREMENT so an id is never reused by a later group with other members.
CREATE TABLE groups (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  name         TEXT NOT NULL UNIQUE CHECK (name <> '' AND instr(name, '/') = 0),
  display_name TEXT NOT NULL,
  -- mailto: address of the group (a mailing list), optional; unique among groups, case-folded
  -- like user addresses. Scheduling expands it to the members' addresses (RFC 6638 §3.2.1.1
  -- CUTYPE=GROUP).
  email        TEXT,
  email_key    TEXT UNIQUE,
  created_at   TEXT NOT NULL
) STRICT;

CREATE TABLE group_members (
  group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX group_members_user ON group_members (user_id);

-- A collection shared with a group: every member (except the owner) gets an instance with
-- this access, created and removed as members join and leave.
CREATE TABLE group_shares (
  group_id      INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  access        TEXT NOT NULL CHECK (access IN ('read', 'read-write')),
  PRIMARY KEY (group_id, collection_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX group_shares_collection ON group_shares (collection_id);

-- Where an instance comes from: 0 = the owner's, or a share with the user directly; 1 = only
-- through group shares (removed when the user is in no group sharing it any more). A direct
-- share always wins: it is kept when the groups go, and unsharing it falls back to the groups.
ALTER TABLE instances ADD COLUMN via_group INTEGER NOT NULL DEFAULT 0 CHECK (via_group IN (0, 1));

-- A subscription feed over a group's calendars (the collections shared with the group, as the
-- creating member sees them). NULL for personal feeds.
ALTER TABLE feed_tokens ADD COLUMN group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE;
CREATE INDEX feed_tokens_group ON feed_tokens (group_id) WHERE group_id IS NOT NULL;
