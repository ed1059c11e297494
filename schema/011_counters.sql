-- Windowed counters shared by every process (issue 18 item 3, src/store/counters.ts): failed logins
-- per account and address and per address, the "logged in from here" marks, iMIP mails per user
-- and hour. A row whose window ended (expires_at, epoch milliseconds) counts as absent and is
-- deleted now and then. Numbered 011: 010 is left to the web sessions of the same issue.
CREATE TABLE counters (
  key        TEXT PRIMARY KEY,
  count      INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
