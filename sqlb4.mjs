import Database from 'better-sqlite3';
const db = new Database(process.argv[2] ?? ':memory:');
if (process.argv[2]) db.pragma('journal_mode = WAL');
const s1 = db.prepare('SELECT 1').raw(); const s2 = db.prepare("SELECT value FROM json_each(?)").raw(); const s3 = db.prepare("SELECT ?").raw();
const j = JSON.stringify(Array.from({length:10},(_, i)=>'bench-00000'+i+'.ics'));
function t(l, f, n = 100000) { for (let i = 0; i < 1000; i++) f(); const t0 = performance.now(); for (let i = 0; i < n; i++) f(); console.log(l, ((performance.now() - t0) / n * 1000).toFixed(2), 'us'); }
t('select 1 get', () => s1.get()); t('select 1 all', () => s1.all()); t('select ? all', () => s3.all('x')); t('json_each 10', () => s2.all(j));
