-- Windowed counters shared by every process (issue 18 item 3, src/store/counters.ts): failed logins
-- per account and address and per address, the "logged in from here" marks, iMIP mails per user
-- and hour. A row whose window ended (expires_at, epoch milliseconds) counts as absent and is
-- deleted now and then. Numbered 003: 002 is left to the web sessions of the same issue.
CREATE TABLE counters (
  key        text PRIMARY KEY,
  count      integer NOT NULL,
  expires_at bigint NOT NULL
);

-- Moved by every write transaction (in its COMMIT round trip) and every counter write: a process
-- reads it once at the start of a request and drops its cached reads when it moved
-- (src/store/postgres/read-cache.ts), so a request sees every write committed before it began,
-- whichever process made it. Its own row, not `sequence`'s: that row stays locked for a whole
-- write transaction, this one only from the UPDATE to the COMMIT of the same round trip.
CREATE TABLE write_version (
  id    integer PRIMARY KEY CHECK (id = 1),
  value bigint NOT NULL
);
INSERT INTO write_version (id, value) VALUES (1, 0);
