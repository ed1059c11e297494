// PostgreSQL going away under a running Sundial (issue 18 item 5): while the database cannot be
// reached, clients get 503 with Retry-After and a short body, never a 500; once it is back, the
// same requests succeed without restarting Sundial, and every PUT acknowledged with 201 is
// still there. The database sits behind a TCP proxy (test/helpers/tcp-proxy.ts) the test cuts
// (connections dropped and refused, as during a restart), stalls (accepted, never answered: the
// connect timeout) and restores. Needs SUNDIAL_TEST_DATABASE_URL; without it the PostgreSQL part
// is skipped and says so, and only the classification of driver errors runs.
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestSchema, startTestServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { apiCall, login } from '../web/session.js';
import { connectionFault } from '../../src/store/postgres/faults.js';
import { translate } from '../../src/store/postgres/connection.js';
import { Conflict, StorageUnavailable } from '../../src/store/errors.js';

const faults = suite('postgres faults: which driver errors mean "database unreachable"');
faults('connection errors, shutdown and class 08 SQLSTATEs, pg\'s own messages; not other errors', () => {
  const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08006', '08001', '08P01', '53300']) {
    assert.ok(connectionFault(coded(code)), code);
    assert.instance(translate(coded(code)), StorageUnavailable, code);
  }
  for (const message of ['Connection terminated unexpectedly', 'Connection terminated due to connection timeout', 'timeout exceeded when trying to connect']) {
    assert.instance(translate(new Error(message)), StorageUnavailable, message);
  }
  const happyEyeballs = Object.assign(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]), { code: undefined });
  assert.instance(translate(happyEyeballs), StorageUnavailable, 'AggregateError of refused addresses');
  assert.instance(translate(new Error('timeout', { cause: coded('ECONNRESET') })), StorageUnavailable, 'a cause');
  for (const code of ['42P01', '22P02', '57014', '0800']) assert.is(connectionFault(coded(code)), null, code);
  assert.is(connectionFault(new Error('Connection terminated')), null, 'our own pool.end()');
  assert.is(connectionFault(null), null);
  assert.instance(translate(coded('23505')), Conflict);
});
faults.run();

const base = process.env.SUNDIAL_TEST_DATABASE_URL ?? '';
if (!base) {
  console.log('\n  PostgreSQL outage test SKIPPED: SUNDIAL_TEST_DATABASE_URL is not set (run scripts/pg-test-setup.sh and export the URL it prints).\n');
} else {
  const RETRY_AFTER = '7';
  const CAL = '/dav/calendars/alice/personal/';
  const event = (uid: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300101T100000Z\r\nDURATION:PT1H\r\nSUMMARY:${uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
  const PROPFIND = '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:displayname/></d:prop></d:propfind>';

  interface Ctx { proxy: TcpProxy; s: TestServer; drop: () => Promise<void>; appName: string }
  let servers = 0;
  const test = suite<Ctx>('postgres outage: 503 with Retry-After, then service resumes', {} as Ctx);
  test.before.each(async (ctx) => {
    const schema = await createTestSchema();
    const url = new URL(schema.url);
    ctx.proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(ctx.proxy.port);
    // Names this server's connections in pg_stat_activity, so the test can end exactly those.
    ctx.appName = `sundial_fault_${process.pid}_${++servers}`;
    url.searchParams.set('application_name', ctx.appName);
    ctx.s = await startTestServer({
      SUNDIAL_DATABASE_URL: url.toString(), SUNDIAL_DATABASE_RETRY_AFTER_SECONDS: RETRY_AFTER, SUNDIAL_DATABASE_CONNECT_TIMEOUT_SECONDS: '1',
      // Every request goes to the database, the login check included.
      SUNDIAL_CREDENTIAL_CACHE_SECONDS: '0',
    });
    ctx.drop = schema.drop;
    await ctx.s.addUser('alice');
  });
  test.after.each(async (ctx) => {
    await ctx.proxy.restore();
    await ctx.s.close();
    await ctx.proxy.close();
    await ctx.drop();
  });

  const put = (s: TestServer, name: string) => s.request('PUT', `${CAL}${name}.ics`, { user: 'alice', headers: { 'Content-Type': 'text/calendar; charset=utf-8' }, body: event(name) });
  const propfind = (s: TestServer) => s.request('PROPFIND', CAL, { user: 'alice', headers: { Depth: '1', 'Content-Type': 'application/xml' }, body: PROPFIND });
  const get = (s: TestServer, name: string) => s.request('GET', `${CAL}${name}.ics`, { user: 'alice' });
  const unavailable = (r: { status: number; headers: Headers; text: string }, what: string) => {
    assert.is(r.status, 503, `${what}: ${r.status} ${r.text}`);
    assert.is(r.headers.get('retry-after'), RETRY_AFTER, `${what}: Retry-After`);
    assert.match(r.text, /cannot reach its database/, `${what}: says why`);
    assert.not.match(r.text, /ECONN|SQLSTATE|stack|at .*\.js/, `${what}: no internals`);
  };
  const noServerBug = (s: TestServer) => {
    const bugs = s.logLines.filter((l) => /unhandled error|"level":50/.test(l));
    assert.equal(bugs, [], 'no error-level log line (no 500)');
  };

  test('cut: PROPFIND, PUT, GET and the JSON API get 503 + Retry-After; restored: the same requests succeed, the acknowledged PUT is there', async ({ proxy, s }) => {
    assert.is((await put(s, 'before')).status, 201);
    const web = await login(s, 'alice');
    await proxy.cut();
    unavailable(await propfind(s), 'PROPFIND');
    unavailable(await put(s, 'during'), 'PUT');
    unavailable(await get(s, 'before'), 'GET');
    const api = await web.call('GET', '/me');
    unavailable(api, 'GET /api/me');
    assert.is(api.json?.error, 'unavailable');
    const head = await s.request('HEAD', `${CAL}before.ics`, { user: 'alice' });
    assert.is(head.status, 503);
    assert.is(head.headers.get('retry-after'), RETRY_AFTER);
    assert.ok(s.logLines.some((l) => l.includes('database unreachable')), 'the outage is logged');
    await proxy.restore();
    // No retry loop: the first request after the database is back must succeed.
    const listing = await propfind(s);
    assert.is(listing.status, 207, listing.text);
    assert.match(listing.text, /before\.ics/);
    assert.not.match(listing.text, /during\.ics/, 'the refused PUT stored nothing');
    const got = await get(s, 'before');
    assert.is(got.status, 200);
    assert.match(got.text, /SUMMARY:before/);
    assert.is((await put(s, 'during')).status, 201, 'the refused PUT succeeds when retried');
    assert.is((await web.call('GET', '/me')).status, 200, 'the web session survived the outage');
    noServerBug(s);
  });

  test('a stalled database (connect never answered) gives 503 after the connect timeout, not a hang', async ({ proxy, s }) => {
    await proxy.stall();
    const t0 = Date.now();
    unavailable(await propfind(s), 'PROPFIND while stalled');
    const waited = Date.now() - t0;
    assert.ok(waited < 4000, `answered after ${waited} ms (connect timeout 1 s)`);
    await proxy.restore();
    assert.is((await propfind(s)).status, 207);
    noServerBug(s);
  });

  test('cut while PUTs are in flight: each answer is 201 or 503, never 500; every 201 survives; Sundial keeps serving', async ({ proxy, s }) => {
    const names = Array.from({ length: 24 }, (_, i) => `burst-${i}`);
    // Cut once the third PUT is acknowledged: the others are queued on the write lock, in a
    // transaction, or not yet sent.
    let acked = 0;
    let third!: () => void;
    const thirdAcked = new Promise<void>((resolve) => { third = resolve; });
    const answers = names.map((n) => put(s, n).then((r) => {
      if (r.status === 201 && ++acked === 3) third();
      return { n, status: r.status, text: r.text, retry: r.headers.get('retry-after') };
    }));
    await Promise.race([thirdAcked, Promise.all(answers)]);
    await proxy.cut();
    const results = await Promise.all(answers);
    for (const r of results) {
      assert.ok(r.status === 201 || r.status === 503, `${r.n}: ${r.status} ${r.text}`);
      if (r.status === 503) assert.is(r.retry, RETRY_AFTER);
    }
    await proxy.restore();
    const listing = await propfind(s);
    assert.is(listing.status, 207, listing.text);
    for (const r of results) if (r.status === 201) assert.match(listing.text, new RegExp(`${r.n}\\.ics`), `${r.n} was acknowledged and is there`);
    assert.ok(results.some((r) => r.status === 503), 'the cut came while PUTs were still under way');
    noServerBug(s);
    console.log(`  (cut during a burst: ${results.filter((r) => r.status === 201).length} PUTs acknowledged, ${results.filter((r) => r.status === 503).length} answered 503)`);
  });

  /** Ends every connection of this server's pool, as a PostgreSQL restart does (57P01 admin_shutdown). */
  const terminateBackends = async (appName: string): Promise<number> => {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    try {
      const ended = (await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName])).rowCount ?? 0;
      for (let i = 0; i < 100; i++) {
        const left = Number((await admin.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [appName])).rows[0].n);
        if (left === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      return ended;
    } finally {
      await admin.end();
    }
  };

  test('PostgreSQL ends Sundial\'s connections (admin shutdown, 57P01), idle and in the middle of PUTs: 201 or 503, then service goes on', async ({ s, appName }) => {
    assert.is((await put(s, 'before')).status, 201);
    assert.ok((await terminateBackends(appName)) > 0, 'the pool had connections to end');
    await new Promise((r) => setTimeout(r, 50));
    const listing = await propfind(s);
    assert.is(listing.status, 207, `the pool replaced its dead idle connections: ${listing.text}`);
    const names = Array.from({ length: 16 }, (_, i) => `t-${i}`);
    const answers = Promise.all(names.map((n) => put(s, n).then((r) => ({ n, status: r.status, text: r.text }))));
    await new Promise((r) => setTimeout(r, 30));
    await terminateBackends(appName);
    const results = await answers;
    for (const r of results) assert.ok(r.status === 201 || r.status === 503, `${r.n}: ${r.status} ${r.text}`);
    await new Promise((r) => setTimeout(r, 50));
    const after = await propfind(s);
    assert.is(after.status, 207, after.text);
    for (const r of results) if (r.status === 201) assert.match(after.text, new RegExp(`${r.n}\\.ics`), `${r.n} was acknowledged and is there`);
    noServerBug(s);
    console.log(`  (backends ended during a burst: ${results.filter((r) => r.status === 201).length} PUTs acknowledged, ${results.filter((r) => r.status === 503).length} answered 503)`);
  });

  test.run();
}
