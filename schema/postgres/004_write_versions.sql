-- One write version per part of the read cache (issue 18, src/store/postgres/cache-parts.ts), so
-- a write moves only the parts whose tables it wrote: 1 = accounts (users, devices, their
-- selections), 2 = collections (collections, instances, shares, objects), 3 = counters. Before,
-- row 1 was moved by every write and every counter bump, and each process dropped its whole
-- cache — credentials included — on any write of any user. refresh() reads the three rows in one
-- statement. Processes of an older version (which move row 1 only) must not run beside newer
-- ones once this is applied.
ALTER TABLE write_version DROP CONSTRAINT write_version_id_check;
ALTER TABLE write_version ADD CONSTRAINT write_version_id_check CHECK (id BETWEEN 1 AND 3);
INSERT INTO write_version (id, value) VALUES (2, 0), (3, 0);
