import Database from 'better-sqlite3';
const db = new Database('/tmp/probe/B3/sundial.db');
db.pragma('journal_mode = WAL'); db.pragma('cache_size = -4000');
const dv = db.prepare('PRAGMA data_version').pluck();
const one = db.prepare('SELECT etag FROM objects WHERE collection_id = 1 AND name = ?').pluck();
function t(l, f, n = 50000) { for (let i = 0; i < 2000; i++) f(); const t0 = performance.now(); for (let i = 0; i < n; i++) f(); console.log(l, ((performance.now() - t0) / n * 1000).toFixed(2), 'us'); }
t('data_version', () => dv.get());
t('one lookup', () => one.get('bench-000100.ics'));
db.exec('BEGIN'); dv.get();
t('data_version in txn', () => dv.get());
t('one lookup in txn', () => one.get('bench-000100.ics'));
db.exec('COMMIT');
