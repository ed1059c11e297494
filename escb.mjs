import Database from 'better-sqlite3';
import { isUtf8 } from 'node:buffer';
const db = new Database('/tmp/probe/B3/sundial.db');
const texts = db.prepare("SELECT CAST(data AS TEXT) FROM objects WHERE collection_id = 1 LIMIT 2000").pluck().all();
const blobs = db.prepare("SELECT data FROM objects WHERE collection_id = 1 LIMIT 2000").pluck().all();
const TEXT_NEEDS_WORK = /[&<>\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
function escapeText(s) { if (!TEXT_NEEDS_WORK.test(s)) return s.includes('\r') ? s.replaceAll('\r', '&#13;') : s; return s.replace(/[&<>\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' })[c]); }
const OPEN = Buffer.from('<cal:calendar-data>'), CLOSE = Buffer.from('</cal:calendar-data>');
function escBytes(d) {
  if (!isUtf8(d)) return null;
  const n = d.length; let extra = 0;
  for (let i = 0; i < n; i++) { const b = d[i]; if (b < 0x3f) { if (b === 13 || b === 38) extra += 4; else if (b === 60 || b === 62) extra += 3; else if (b < 32 && b !== 9 && b !== 10) return null; } else if (b === 0xef && d[i + 1] === 0xbf && (d[i + 2] === 0xbe || d[i + 2] === 0xbf)) return null; }
  const out = Buffer.allocUnsafe(OPEN.length + n + extra + CLOSE.length); OPEN.copy(out, 0); let j = OPEN.length;
  if (extra === 0) { d.copy(out, j); j += n; } else {
    let from = 0;
    for (let i = 0; i < n; i++) { const b = d[i]; if (b >= 0x3f || (b !== 13 && b !== 38 && b !== 60 && b !== 62)) continue; if (i > from) { d.copy(out, j, from, i); j += i - from; } const r = b === 13 ? '&#13;' : b === 38 ? '&amp;' : b === 60 ? '&lt;' : '&gt;'; j += out.latin1Write(r, j); from = i + 1; }
    if (n > from) { d.copy(out, j, from, n); j += n - from; }
  }
  CLOSE.copy(out, j); return out;
}
function t(l, f, n = 20) { for (let k = 0; k < 5; k++) f(); const t0 = performance.now(); for (let k = 0; k < n; k++) f(); console.log(l, ((performance.now() - t0) / n / 2000 * 1000).toFixed(2), 'us/event'); }
t('string path', () => { for (const s of texts) Buffer.from('<cal:calendar-data>' + escapeText(s) + '</cal:calendar-data>'); });
t('bytes path', () => { for (const d of blobs) escBytes(d); });
t('sqlite text read', () => db.prepare("SELECT CAST(data AS TEXT) FROM objects WHERE collection_id = 1 LIMIT 2000").pluck().all(), 5);
t('sqlite blob read', () => db.prepare("SELECT data FROM objects WHERE collection_id = 1 LIMIT 2000").pluck().all(), 5);
let eq = 0; for (let i = 0; i < texts.length; i++) { const a = Buffer.from('<cal:calendar-data>' + escapeText(texts[i]) + '</cal:calendar-data>'); const b = escBytes(blobs[i]); if (b && a.equals(b)) eq++; } console.log('equal', eq, 'of', texts.length);
