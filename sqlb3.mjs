import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
const db = new Database('/tmp/probe/B3/sundial.db');
db.pragma('journal_mode = WAL'); db.pragma(`cache_size = -4000`); if (process.env.EXCL) db.pragma('locking_mode = EXCLUSIVE');
const bodies = readdirSync('/tmp/probe/dx/').sort().map((f) => [...readFileSync('/tmp/probe/dx/' + f, 'utf8').matchAll(/personal\/([^<]+)</g)].map((m) => m[1])).filter((n) => n.length === 10);
const ROW = 'name, etag, classification, content_type, size, modified_at, created_at, schedule_tag';
const q = {
  metaJson: db.prepare(`SELECT ${ROW} FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name`).raw(),
  metaJsonNoOrder: db.prepare(`SELECT ${ROW} FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?))`).raw(),
  nameJson: db.prepare(`SELECT name FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?))`).raw(),
  one: db.prepare(`SELECT ${ROW} FROM objects WHERE collection_id = ? AND name = ?`).raw(),
  oneName: db.prepare(`SELECT 1 FROM objects WHERE collection_id = ? AND name = ?`).raw(),
  jsonOnly: db.prepare(`SELECT value FROM json_each(?)`).raw(),
};
const run = { metaJson: (n) => q.metaJson.all(1, JSON.stringify(n)), metaJsonNoOrder: (n) => q.metaJsonNoOrder.all(1, JSON.stringify(n)), nameJson: (n) => q.nameJson.all(1, JSON.stringify(n)), one10: (n) => { for (const x of n) q.one.get(1, x); }, oneName10: (n) => { for (const x of n) q.oneName.get(1, x); }, jsonOnly: (n) => q.jsonOnly.all(JSON.stringify(n)) };
for (let rep = 0; rep < 3; rep++) for (const [k, f] of Object.entries(run)) { const t0 = performance.now(); for (const n of bodies) f(n); console.log(rep, k, ((performance.now() - t0) / bodies.length * 1000).toFixed(1), 'us'); }
