-- Web sessions of the preferences page (issue 18): in the database instead of one process's
-- memory, so that several Sundial processes behind one address share logins and a restart no
-- longer logs anyone out of the page. The cookie value is 256 random bits; only its SHA-256 is
-- stored (a fast hash is enough for a secret that cannot be guessed), so a copy of the database
-- does not hand out logged-in sessions.
CREATE TABLE web_sessions (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  -- base64url SHA-256 of the cookie value; looked up on every request of the page.
  token_hash         TEXT NOT NULL UNIQUE,
  user_id            INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- The CSRF token the page sends back in X-CSRF-Token (useless without the cookie).
  csrf               TEXT NOT NULL,
  -- users.credential_version the session was opened under; NULL = bind to the stored one at the
  -- next request (the session that changed its own password).
  credential_version INTEGER,
  -- Epoch milliseconds. expires_at slides forward with use (at most about once a minute).
  created_at         INTEGER NOT NULL,
  expires_at         INTEGER NOT NULL
) STRICT;
-- The per-user cap and "end every session of this user" read by user; pruning reads by expiry.
CREATE INDEX web_sessions_user ON web_sessions (user_id, expires_at);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
