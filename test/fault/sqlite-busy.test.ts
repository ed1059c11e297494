// Another process holding SQLite's write lock (a CLI command beside the server, issue 18's
// "SQLite busy" item): a write that waited busy_timeout and still found the lock taken answers
// 503 with Retry-After — temporary, not the request's fault, never a 500 — stores nothing, and
// the same request succeeds once the lock is released, without a restart. (While it waits,
// better-sqlite3 blocks the event loop: docs/security.md, "SQLite write lock".)
import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ical } from '../helpers/dav.js';

const t = suite<{ srv: TestServer }>('sqlite write lock held by another process', { srv: undefined as unknown as TestServer });
t.before(async (ctx) => {
  // SQLite only: this is about the file database (SUNDIAL_TEST_STORE=postgres runs it on SQLite too).
  ctx.srv = await startTestServer({ SUNDIAL_DATABASE_URL: '', SUNDIAL_DATABASE_RETRY_AFTER_SECONDS: '7' });
  await ctx.srv.addUser('alice');
});
t.after(async ({ srv }) => srv.close());

const EVENT = '/dav/calendars/alice/personal/locked.ics';

t('a PUT while the lock is held: 503 with Retry-After, nothing stored; after it is released: 201', async ({ srv }) => {
  const other = new Database(path.join(srv.dataDir, 'sundial.db'));
  try {
    other.exec('BEGIN IMMEDIATE');
    const res = await srv.request('PUT', EVENT, { user: 'alice', headers: { 'Content-Type': 'text/calendar' }, body: ical('locked') });
    assert.is(res.status, 503, res.text);
    assert.is(res.headers.get('retry-after'), '7');
    other.exec('ROLLBACK');
  } finally {
    other.close();
  }
  assert.is((await srv.request('GET', EVENT, { user: 'alice' })).status, 404, 'nothing stored');
  const again = await srv.request('PUT', EVENT, { user: 'alice', headers: { 'Content-Type': 'text/calendar' }, body: ical('locked') });
  assert.is(again.status, 201, again.text);
});

t.run();
