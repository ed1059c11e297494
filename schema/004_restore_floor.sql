-- Sync tokens below `floor` were handed out by a database this one was restored over, or cannot
-- be told apart from such tokens: they are answered with DAV:valid-sync-token (RFC 6578 §3.2) so
-- that devices resynchronize instead of silently missing changes. `sundial backup` sets it in the
-- copy it writes (src/store/sqlite/backup.ts): it moves the sequence far ahead of anything the
-- live server may hand out after the backup and makes every older token invalid. 0 = never restored.
ALTER TABLE sequence ADD COLUMN floor INTEGER NOT NULL DEFAULT 0;
