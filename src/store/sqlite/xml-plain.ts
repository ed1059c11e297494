// Backfill of objects.xml_plain (schema/013_objects_xml_plain.sql) for rows stored before the
// column existed: the store decides each such body once when it opens the database, in batches
// of BATCH rows, each one transaction, like the classification (classify.ts). An interrupted
// backfill leaves the rest NULL for the next open; NULL reads as "not plain" meanwhile (the body
// is escaped in full, as before), so nothing renders wrong.
import { isXmlPlain } from '../../xml/serialize.js';
import type { DB } from './connection.js';

const BATCH = 500;

/** Decides xml_plain for every undecided row; returns how many it decided. */
export function backfillXmlPlain(db: DB): number {
  const pending = db.prepare('SELECT rowid, data FROM objects WHERE xml_plain IS NULL LIMIT ?').raw();
  const set = db.prepare('UPDATE objects SET xml_plain = ? WHERE rowid = ? AND xml_plain IS NULL');
  const batch = db.transaction((rows: [number, Buffer][]) => {
    for (const [rowid, data] of rows) set.run(isXmlPlain(data) ? 1 : 0, rowid);
  });
  let done = 0;
  for (;;) {
    const rows = pending.all(BATCH) as [number, Buffer][];
    if (rows.length === 0) return done;
    batch.immediate(rows);
    done += rows.length;
  }
}
