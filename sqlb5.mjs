import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
const db = new Database('/tmp/probe/B3/sundial.db');
db.pragma('journal_mode = WAL'); db.pragma(`cache_size = -4000`);
const bodies = readdirSync('/tmp/probe/dx/').sort().map((f) => [...readFileSync('/tmp/probe/dx/' + f, 'utf8').matchAll(/personal\/([^<]+)</g)].map((m) => m[1])).filter((n) => n.length === 10);
const ROW = 'name, etag, classification, content_type, size, modified_at, created_at, schedule_tag';
const W = 'FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name';
const q = {
  full: db.prepare(`SELECT ${ROW}, CASE WHEN size <= 400000 THEN CAST(data AS TEXT) END ${W}`).raw(),
  narrow: db.prepare(`SELECT name, etag, classification, CAST(data AS TEXT) ${W}`).raw(),
  blob: db.prepare(`SELECT ${ROW}, data ${W}`).raw(),
  textOnly: db.prepare(`SELECT CAST(data AS TEXT) ${W}`).raw().pluck ? db.prepare(`SELECT CAST(data AS TEXT) ${W}`).pluck() : null,
  lenOnly: db.prepare(`SELECT length(data) ${W}`).pluck(),
  meta: db.prepare(`SELECT ${ROW} ${W}`).raw(),
};
for (let rep = 0; rep < 3; rep++) for (const [k, s] of Object.entries(q)) { const t0 = performance.now(); for (const n of bodies) s.all(1, JSON.stringify(n)); console.log(rep, k, ((performance.now() - t0) / bodies.length * 1000).toFixed(1), 'us'); }
