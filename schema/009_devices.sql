-- Devices (issue 16): an app password per device, each with its own choice of what it
-- synchronizes. The password is random (256 bits), so only its SHA-256 is stored: a fast hash is
-- enough for a secret that cannot be guessed, and a device's requests never wait on argon2.
CREATE TABLE devices (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name            TEXT NOT NULL CHECK (name <> '' AND length(name) <= 100),
  -- base64url SHA-256 of the app password; looked up on every request of the device.
  token_hash      TEXT NOT NULL UNIQUE,
  -- 1 = the device lists what the user's Synchronization switches list; 0 = its own selection
  -- (device_selection).
  follow          INTEGER NOT NULL DEFAULT 1 CHECK (follow IN (0, 1)),
  created_at      TEXT NOT NULL,
  -- Coalesced: written at most about once a minute per device (src/auth/authenticator.ts).
  last_used_at    TEXT,
  last_user_agent TEXT,
  UNIQUE (user_id, name)
) STRICT;

-- A device's own selection (follow = 0): the collections its homes list. Over collection ids,
-- so calendars and address books alike; a collection the user can no longer reach (unshared)
-- is simply not listed, because listings start from the user's instances.
CREATE TABLE device_selection (
  device_id     INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  PRIMARY KEY (device_id, collection_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX device_selection_collection ON device_selection (collection_id);

-- What a change of a device's selection did to that device's homes, the latest per collection:
-- listed = 1, the collection came into the device's view at seq (its home's sync-collection
-- reports it as changed); listed = 0, it left the view (reported removed while still not
-- listed). Only that device's home token moves (it takes the largest seq here into account);
-- other devices and the user's own home token never read these rows.
CREATE TABLE device_changes (
  device_id     INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  listed        INTEGER NOT NULL CHECK (listed IN (0, 1)),
  PRIMARY KEY (device_id, collection_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX device_changes_collection ON device_changes (collection_id);

-- "Devices must use app passwords": NULL = the server's default (SUNDIAL_DEVICE_PASSWORDS_REQUIRED),
-- 0/1 = the user's own choice. With it on, the account password opens the web page only.
ALTER TABLE users ADD COLUMN device_passwords_required INTEGER CHECK (device_passwords_required IN (0, 1));
