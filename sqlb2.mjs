import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
const db = new Database(process.argv[2] ?? '/tmp/probe/B2/sundial.db');
db.pragma('journal_mode = WAL'); db.pragma(`cache_size = ${process.env.CS ?? -4000}`); if (process.env.MMAP) db.pragma(`mmap_size = ${process.env.MMAP}`);
const cid = 1;
const bodies = readdirSync('/tmp/probe/dx/').sort().map((f) => [...readFileSync('/tmp/probe/dx/' + f, 'utf8').matchAll(/personal\/([^<]+)</g)].map((m) => m[1]));
const ROW = 'name, etag, classification, content_type, size, modified_at, created_at, schedule_tag';
const comb = db.prepare(`SELECT ${ROW}, CASE WHEN size <= ? THEN CAST(data AS TEXT) END FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name`).raw();
const inl = db.prepare(`SELECT ${ROW}, CASE WHEN size <= ? THEN CAST(data AS TEXT) END FROM objects WHERE collection_id = ? AND name IN (?,?,?,?,?,?,?,?,?,?) ORDER BY name`).raw();
const meta = db.prepare(`SELECT ${ROW} FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name`).raw();
for (let rep = 0; rep < 4; rep++) {
  let t0 = performance.now(); let n = 0;
  for (const names of bodies) { if (names.length !== 10) continue; comb.all(400000, cid, JSON.stringify(names)); n++; }
  const a = (performance.now() - t0) / n * 1000;
  t0 = performance.now();
  for (const names of bodies) { if (names.length !== 10) continue; meta.all(cid, JSON.stringify(names)); }
  const b = (performance.now() - t0) / n * 1000;
  t0 = performance.now();
  for (const names of bodies) { if (names.length !== 10) continue; inl.all(400000, cid, ...names); }
  const c = (performance.now() - t0) / n * 1000;
  console.log(`texts ${a.toFixed(1)} us, meta only ${b.toFixed(1)} us, in-list texts ${c.toFixed(1)} us (${n})`);
}
