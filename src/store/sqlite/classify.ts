// Backfill of objects.classification (schema/003_object_classification.sql) for rows stored
// before the column existed: SQL cannot read iCalendar, so the store reads each such body once
// when it opens the database, before anything is answered. Batches of BATCH rows, each one
// transaction: an interrupted backfill (a crash, a second process) leaves the rest NULL and the
// next open continues; the DAV layer reads NULL as private meanwhile, so nothing leaks.
import { classificationOf } from '../../ical/classification.js';
import type { DB } from './connection.js';

const BATCH = 500;

/** Classifies every unclassified row; returns how many it classified. */
export function backfillClassification(db: DB): number {
  const pending = db.prepare('SELECT rowid, CAST(data AS TEXT) FROM objects WHERE classification IS NULL LIMIT ?').raw();
  const set = db.prepare('UPDATE objects SET classification = ? WHERE rowid = ? AND classification IS NULL');
  const batch = db.transaction((rows: [number, string][]) => {
    for (const [rowid, text] of rows) set.run(classificationOf(text), rowid);
  });
  let done = 0;
  for (;;) {
    const rows = pending.all(BATCH) as [number, string][];
    if (rows.length === 0) return done;
    batch.immediate(rows);
    done += rows.length;
  }
}
