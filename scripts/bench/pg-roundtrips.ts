// node dist/scripts/bench/pg-roundtrips.js [--database-url URL] [--n N] [--rounds R] [--statements] [--store sqlite]
//
// SQL round trips per request type on the PostgreSQL store (issue 18 item 6: where the time goes).
// Starts Sundial in this process on a schema of its own in the database of --database-url (or
// SUNDIAL_BENCH_DATABASE_URL), uploads N generated events, then sends each request type R times
// and counts what node-postgres sends to the server while it runs: every Client#query is one round
// trip (BEGIN, the advisory write lock, the sequence bump and COMMIT included; the pool's own
// queries go through Client#query too). Requests are sent one at a time, so the count of a request
// is exact. `--statements` lists the statements of each type's last request, each with the time
// from its send to its answer. The schema is dropped at the end. Each line also gives the
// requests' median latency (one at a time, in process) and the median CPU time of this process per
// request (server and client; the PostgreSQL backend's not included); `--store sqlite` sends the
// same requests to the SQLite store (no round trips) for the figures beside them. See docs/performance.md "PostgreSQL (issue 18)".
import { Writable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startServer } from '../../src/server.js';
import { createUserWithCalendar } from '../../src/bootstrap.js';
import { generateCalendar, modifyEvent } from './generate.js';
import { DavClient, median } from './http.js';
import { benchDatabaseUrl } from './stores.js';

const { values: a } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    n: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
    statements: { type: 'boolean', default: false },
    store: { type: 'string', default: 'postgres' },
  },
});
const sqlite = a.store === 'sqlite';
const base = sqlite ? 'postgres://unused' : benchDatabaseUrl(a['database-url'], process.env);
if (!base) {
  console.error('pg-roundtrips: give --database-url or SUNDIAL_BENCH_DATABASE_URL (postgres://…)');
  process.exit(2);
}
const n = Number(a.n);
const rounds = Number(a.rounds);

// The counting proxy: every statement the store sends, in order.
// With --statements, each statement also gets the time from its send to its answer (ms).
let log: string[] | null = null;
const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const query = proto.query;
proto.query = function (this: pg.Client, ...args: unknown[]) {
  const entries = log;
  if (!entries) return query.apply(this, args);
  const q = args[0] as string | { text?: string; name?: string };
  const text = (typeof q === 'string' ? q : q.text ?? q.name ?? '?').replace(/\s+/g, ' ').trim();
  const at = entries.push(text) - 1;
  const t0 = performance.now();
  const done = () => { entries[at] = `${(performance.now() - t0).toFixed(2).padStart(6)} ms  ${text}`; };
  // pg.Pool#query passes a callback; a client's own query returns a promise.
  const cb = args[args.length - 1];
  if (typeof cb === 'function') args[args.length - 1] = (...r: unknown[]) => { done(); return cb(...r); };
  const result = query.apply(this, args);
  if (result instanceof Promise) void result.then(done, () => undefined);
  return result;
};

const schema = `sundial_rt_${process.pid}`;
const admin = sqlite ? null : new pg.Client({ connectionString: base });
await admin?.connect();
await admin?.query(`CREATE SCHEMA "${schema}"`);
const url = new URL(base);
url.searchParams.set('options', `-c search_path=${schema}`);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sundial-rt-'));
const config = loadConfig({ SUNDIAL_DATA: dataDir, SUNDIAL_PORT: '0', SUNDIAL_HOST: '127.0.0.1', SUNDIAL_CREATE_ADMIN: 'false', SUNDIAL_LOG_LEVEL: 'warn', ...(sqlite ? {} : { SUNDIAL_DATABASE_URL: url.toString() }) });
const server = await startServer(config, createLogger('warn', new Writable({ write(_c, _e, cb) { cb(); } })));
try {
  await createUserWithCalendar(server.store, { username: 'rt', password: 'pw12345678' });
  const cal = `${server.url}/dav/calendars/rt/personal/`;
  const client = new DavClient(cal, 'rt', 'pw12345678', 4);
  const events = generateCalendar({ n: n + rounds, seed: 'sundial-bench' });
  const etags = new Map<string, string>();
  const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
  const ICS = { 'Content-Type': 'text/calendar; charset=utf-8' };
  const CTAG = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>';
  const ETAG = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>';
  const sync = (token: string) => `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
  const QUERY = '<?xml version="1.0" encoding="utf-8"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260301T000000Z" end="20260401T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>';
  const put = async (i: number, cond: Record<string, string>) => {
    const ev = events[i]!;
    const r = await client.request({ method: 'PUT', url: ev.name, headers: { ...ICS, ...cond }, body: i < n ? ev.ics : modifyEvent(ev, 1).ics });
    if (r.status !== 201 && r.status !== 204) throw new Error(`PUT ${ev.name}: ${r.status} ${r.body.slice(0, 200)}`);
    etags.set(ev.name, r.headers.etag as string);
  };
  for (let i = 0; i < n; i++) await put(i, { 'If-None-Match': '*' });
  const token = async () => /<d:sync-token>([^<]+)</.exec((await client.request({ method: 'PROPFIND', url: cal, headers: { ...XML, Depth: '0' }, body: CTAG })).body)?.[1] ?? '';

  type Step = { name: string; prepare?: (r: number) => Promise<unknown>; send: (r: number, prep: unknown) => Promise<{ status: number; ms: number }> };
  const steps: Step[] = [
    { name: 'PUT new (If-None-Match: *)', send: async (r) => { const ev = events[n + r]!; return client.request({ method: 'PUT', url: ev.name, headers: { ...ICS, 'If-None-Match': '*' }, body: ev.ics }); } },
    { name: 'PUT change (If-Match)', send: async (r) => { const ev = events[r]!; return client.request({ method: 'PUT', url: ev.name, headers: { ...ICS, 'If-Match': etags.get(ev.name)! }, body: modifyEvent(ev, r + 2).ics }); } },
    { name: 'GET', send: async (r) => client.request({ method: 'GET', url: events[100 + r]!.name }) },
    { name: 'poll: PROPFIND D0 getctag + sync-token', send: async () => client.request({ method: 'PROPFIND', url: cal, headers: { ...XML, Depth: '0' }, body: CTAG }) },
    {
      name: 'sync-collection after 1 change',
      prepare: async (r) => { const t = await token(); const ev = events[200 + r]!; await client.request({ method: 'PUT', url: ev.name, headers: ICS, body: modifyEvent(ev, 7).ics }); return t; },
      send: async (_r, t) => client.request({ method: 'REPORT', url: cal, headers: { ...XML, Depth: '0' }, body: sync(t as string) }),
    },
    {
      // The bench's incremental round (docs/performance.md "incremental sync"): 10 members changed.
      name: 'sync-collection after 10 changes',
      prepare: async (r) => {
        const t = await token();
        for (let k = 0; k < 10; k++) {
          const ev = events[(210 + r * 10 + k) % n]!;
          await client.request({ method: 'PUT', url: ev.name, headers: ICS, body: modifyEvent(ev, 9).ics });
        }
        return t;
      },
      send: async (_r, t) => client.request({ method: 'REPORT', url: cal, headers: { ...XML, Depth: '0' }, body: sync(t as string) }),
    },
    {
      // A client's periodic sync from its current token (nothing changed since).
      name: 'sync-collection, nothing changed',
      prepare: async () => token(),
      send: async (_r, t) => client.request({ method: 'REPORT', url: cal, headers: { ...XML, Depth: '0' }, body: sync(t as string) }),
    },
    { name: `PROPFIND D1 getetag (${n} members)`, send: async () => client.request({ method: 'PROPFIND', url: cal, headers: { ...XML, Depth: '1' }, body: ETAG }) },
    { name: 'calendar-query, one month, getetag', send: async () => client.request({ method: 'REPORT', url: cal, headers: { ...XML, Depth: '1' }, body: QUERY }) },
    { name: 'DELETE', send: async (r) => client.request({ method: 'DELETE', url: events[n - 1 - r]!.name }) },
  ];
  console.log(`SQL round trips per request on the ${sqlite ? 'SQLite' : 'PostgreSQL'} store (N=${n}, ${rounds} requests each, one at a time; min / median / max; median latency):`);
  for (const step of steps) {
    const counts: number[] = [];
    const ms: number[] = [];
    const cpu: number[] = [];
    let last: string[] = [];
    for (let r = 0; r < rounds; r++) {
      const prep = await step.prepare?.(r);
      log = [];
      const c0 = process.cpuUsage();
      const res = await step.send(r, prep);
      const c1 = process.cpuUsage(c0);
      last = log;
      log = null;
      if (res.status >= 400) throw new Error(`${step.name}: HTTP ${res.status}`);
      counts.push(last.length);
      ms.push(res.ms);
      cpu.push((c1.user + c1.system) / 1000);
    }
    // CPU: this process's (the server and the client in it; PostgreSQL's backend not counted).
    console.log(`  ${step.name.padEnd(42)} ${String(Math.min(...counts)).padStart(3)} / ${String(median(counts)).padStart(3)} / ${String(Math.max(...counts)).padStart(3)}   ${median(ms).toFixed(2).padStart(7)} ms  CPU ${median(cpu).toFixed(2).padStart(6)} ms   (${counts.join(' ')})`);
    if (a.statements) for (const s of last) console.log(`      ${s.slice(0, 150)}`);
  }
  client.close();

  // What one round trip and one commit cost on this machine now (a loaded machine makes every
  // round trip wait for a core twice: the backend's turn, then Node's).
  const probe = sqlite ? null : new pg.Client({ connectionString: url.toString() });
  await probe?.connect();
  if (probe) try {
    const time = async (count: number, fn: () => Promise<unknown>) => {
      const ms: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        await fn();
        ms.push(performance.now() - t0);
      }
      ms.sort((x, y) => x - y);
      return `p50 ${ms[Math.floor(ms.length / 2)]!.toFixed(2)} ms, p90 ${ms[Math.floor(ms.length * 0.9)]!.toFixed(2)} ms`;
    };
    console.log(`  one round trip (SELECT 1, ×500):                ${await time(500, () => probe.query('SELECT 1'))}`);
    const commit = () => probe.query('BEGIN').then(() => probe.query('UPDATE sequence SET value = value WHERE id = 1')).then(() => probe.query('COMMIT'));
    console.log(`  a write transaction (BEGIN, UPDATE, COMMIT ×200): ${await time(200, commit)} (synchronous_commit on: the commit waits for the WAL flush)`);
    await probe.query('SET synchronous_commit = off');
    console.log(`  the same with synchronous_commit off:             ${await time(200, commit)}`);
  } finally {
    await probe.end();
  }
} finally {
  await server.stop();
  await admin?.query(`DROP SCHEMA "${schema}" CASCADE`);
  await admin?.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
