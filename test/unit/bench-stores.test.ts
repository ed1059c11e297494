// The bench's store plumbing (scripts/bench/stores.ts, issue 18 item 6): which runs a --store /
// --processes pair makes, that requests really alternate between the processes, and that the
// side-by-side report checks the targets (a report that prints ✓ for a miss would be worse
// than none).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DavClient } from '../../scripts/bench/http.js';
import { renderStoreComparison, type LabelledRun } from '../../scripts/bench/report.js';
import { benchDatabaseUrl, parseProcesses, parseStores, storePlan } from '../../scripts/bench/stores.js';

test('--store and --processes: every store × count, SQLite only with one process', () => {
  assert.equal(parseStores('sqlite,postgres'), ['sqlite', 'postgres']);
  assert.throws(() => parseStores('mysql'), /unknown store/);
  assert.throws(() => parseStores(''), /--store/);
  assert.equal(parseProcesses('1,2'), [1, 2]);
  assert.throws(() => parseProcesses('0'), /--processes/);
  assert.throws(() => parseProcesses('1.5'), /--processes/);
  const p = storePlan(['sqlite', 'postgres'], [1, 2]);
  assert.equal(p.setups, [{ store: 'sqlite', processes: 1 }, { store: 'postgres', processes: 1 }, { store: 'postgres', processes: 2 }]);
  assert.is(p.skipped.length, 1);
  assert.match(p.skipped[0]!, /SQLite × 2/);
});

test('the database URL: the flag first, then SUNDIAL_BENCH_DATABASE_URL; only postgres://', () => {
  assert.is(benchDatabaseUrl(undefined, {}), null);
  assert.is(benchDatabaseUrl(undefined, { SUNDIAL_BENCH_DATABASE_URL: 'postgres://a@h/d' }), 'postgres://a@h/d');
  assert.is(benchDatabaseUrl('postgresql://b@h/d', { SUNDIAL_BENCH_DATABASE_URL: 'postgres://a@h/d' }), 'postgresql://b@h/d');
  assert.throws(() => benchDatabaseUrl('mysql://h/d', {}), /postgres/);
});

test('spreadOver sends requests round-robin to each process, same path, and leaves other origins alone', async () => {
  const seen: string[] = [];
  const servers = await Promise.all([0, 1, 2].map((i) => new Promise<http.Server>((resolve) => {
    const s = http.createServer((req, res) => { seen.push(`${i}${req.url}`); res.end('ok'); });
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const url = (i: number) => `http://127.0.0.1:${(servers[i]!.address() as AddressInfo).port}`;
  const c = new DavClient(`${url(0)}/dav/cal/`, 'u', 'p');
  try {
    c.spreadOver([url(0), url(1)]);
    for (let i = 0; i < 4; i++) await c.request({ method: 'GET', url: `x${i}.ics` });
    await c.request({ method: 'GET', url: `${url(2)}/elsewhere` });
    assert.equal(seen, ['0/dav/cal/x0.ics', '1/dav/cal/x1.ics', '0/dav/cal/x2.ics', '1/dav/cal/x3.ics', '2/elsewhere']);
  } finally {
    c.close();
    for (const s of servers) s.close();
  }
});

function run(label: string, store: 'sqlite' | 'postgres', processes: number, m: Record<string, number>, exact: Record<string, boolean> = {}): LabelledRun {
  return {
    server: 'sundial', label, store, processes, url: '', n: 9000, details: {}, cpuByPhase: {}, memByPhase: {}, phases: [], errors: [], variants: [],
    metrics: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { value: v, ...(k in exact ? { exact: exact[k] } : {}) }])),
  };
}

test('side by side: within 2× of SQLite and polling ×2 ≥ 1.6× are checked, a wrong answer is ✗', () => {
  const sqlite = run('Sundial/SQLite', 'sqlite', 1, { etag_listing_ms: 50, initial_sync_ms: 500, poll_rps: 3000, incr_sync_ms: 2, timerange_ms: 10 });
  const pg1 = run('Sundial/PG×1', 'postgres', 1, { etag_listing_ms: 99, initial_sync_ms: 1100, poll_rps: 1600, incr_sync_ms: 4, timerange_ms: 12 }, { timerange_ms: false });
  const pg2 = run('Sundial/PG×2', 'postgres', 2, { etag_listing_ms: 90, initial_sync_ms: 900, poll_rps: 2500, incr_sync_ms: 4, timerange_ms: 12 });
  const out = renderStoreComparison([sqlite, pg1, pg2]);
  const verdict = (what: string) => out.split('\n').find((l) => l.trim().startsWith(what) && /[✓✗]$/.test(l)) ?? '';
  assert.match(verdict('etag listing'), /1\.98× SQLite's \(≤ 2×\) ✓/);
  assert.match(verdict('initial sync'), /2\.20× SQLite's \(≤ 2×\) ✗/);
  assert.match(verdict('ctag/sync-token poll ×16: PostgreSQL'), /1\.88× SQLite's \(≤ 2×\) ✓/);
  assert.match(verdict('incremental sync'), /✓$/);
  assert.match(verdict('time-range'), /1\.20× SQLite's \(≤ 2×\) ✗/, 'fast but wrong');
  assert.match(verdict('ctag/sync-token poll ×16: 2 processes'), /1\.56× one process \(≥ 1\.6×\) ✗/);
  const better = renderStoreComparison([sqlite, pg1, run('Sundial/PG×2', 'postgres', 2, { poll_rps: 2600 })]);
  assert.match(better, /2 processes 1\.63× one process \(≥ 1\.6×\) ✓/);
});

test.run();
