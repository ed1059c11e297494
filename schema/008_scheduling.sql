-- CalDAV scheduling (RFC 6638), issue 15 items 3–5: the scheduling inbox of each user, the
-- Schedule-Tag of scheduling object resources, the per-calendar "include in free/busy" setting
-- and the server secret that signs the Accept/Decline links of iMIP invitations.

-- RFC 6638 §3.2.10: the Schedule-Tag of a scheduling object resource, changed only by changes
-- that matter to scheduling (not by an attendee's reply merged into the organizer's copy).
-- NULL = not a scheduling object resource (or written before this migration).
ALTER TABLE objects ADD COLUMN schedule_tag TEXT;

-- RFC 6638 §2.2: the scheduling inbox. Its messages are kept apart from calendars (the
-- collections table is not touched) and have their own change log, so the inbox is listable,
-- readable and deletable, with a sync token of its own from the global sequence.
CREATE TABLE schedule_inbox (
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name       TEXT NOT NULL CHECK (name <> '' AND instr(name, '/') = 0),
  etag       TEXT NOT NULL,
  -- iTIP method (RFC 5546 §1.4): REQUEST, CANCEL, REPLY.
  method     TEXT NOT NULL,
  uid        TEXT NOT NULL,
  created_at TEXT NOT NULL,
  data       BLOB NOT NULL,
  PRIMARY KEY (user_id, name)
) STRICT;

CREATE TABLE schedule_inbox_changes (
  id      INTEGER PRIMARY KEY,
  seq     INTEGER NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name    TEXT NOT NULL,
  deleted INTEGER NOT NULL CHECK (deleted IN (0, 1))
) STRICT;
CREATE INDEX schedule_inbox_changes_user ON schedule_inbox_changes (user_id, seq);

-- "Include in free/busy" per (user, calendar) (RFC 6638 §9.1 schedule-calendar-transp). No row =
-- the default: included for the owner's own calendars, not for calendars shared in.
CREATE TABLE freebusy_settings (
  user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  included      INTEGER NOT NULL CHECK (included IN (0, 1)),
  PRIMARY KEY (user_id, collection_id)
) STRICT, WITHOUT ROWID;

-- The key of the HMAC that signs iMIP reply links; made once, on first use, from the OS's random
-- source. In the database, never in code: a copy of the code signs nothing.
CREATE TABLE scheduling_secret (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  key BLOB NOT NULL
) STRICT;

-- The segments inbox and outbox of every home now name the scheduling inbox and outbox
-- (/dav/calendars/<user>/inbox/, RFC 6638 §2). A calendar or plain collection that held one is
-- renamed to "<name>-calendar" (its devices see it move: removed, and added under the new URL),
-- rather than hidden behind the inbox; sharees' instances that used the segment likewise.
-- Only calendars and plain collections: they live in the calendar home (address books, when
-- migration 006 has added them, have a home of their own, where the names are free).
UPDATE instances SET uri = uri || '-calendar'
  WHERE uri IN ('inbox', 'outbox') AND collection_id IN (SELECT id FROM collections WHERE kind = 'calendar');
UPDATE collections SET uri = uri || '-calendar'
  WHERE parent_id IS NULL AND uri IN ('inbox', 'outbox') AND kind IN ('calendar', 'plain');
