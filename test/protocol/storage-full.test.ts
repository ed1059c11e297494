// A full disk (issue 11 item 10): writes answer 507 Insufficient Storage (RFC 4918 §11.5) with
// a DAV error body and no stack trace, nothing is logged at error level, reads keep working, a
// feed is still served, and DELETE frees space so that writing works again. The database is made
// "full" through the store's test hook: PRAGMA max_page_count set to the pages it has now, which
// SQLite reports exactly as a full disk (SQLITE_FULL).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type BetterSqlite3 from 'better-sqlite3';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { databasePath, startServer, type RunningServer } from '../../src/server.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createUserWithCalendar } from '../../src/bootstrap.js';
import { basic } from '../helpers/server.js';
import { newFeedToken } from '../../src/feeds/tokens.js';

const event = (uid: string, description = '') =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260102T100000Z\r\nDTEND:20260102T110000Z\r\nSUMMARY:${uid}\r\n${description ? `DESCRIPTION:${description}\r\n` : ''}END:VEVENT\r\nEND:VCALENDAR\r\n`;

test('a full database: 507 on writes, reads and feeds work, DELETE frees space', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sundial-full-'));
  const config = loadConfig({ SUNDIAL_DATA: dataDir, SUNDIAL_PORT: '0', SUNDIAL_HOST: '127.0.0.1', SUNDIAL_CREATE_ADMIN: 'false' });
  let db: BetterSqlite3.Database | undefined;
  const store = await openSqliteStore({ path: databasePath(config), onOpen: (d) => { db = d; } });
  const lines: string[] = [];
  const server: RunningServer = await startServer(config, createLogger('debug', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } })), { store });
  const auth = { Authorization: basic('alice') };
  const req = (method: string, p: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(server.url + p, { method, headers: { ...auth, ...headers }, body }).then(async (r) => ({ status: r.status, text: await r.text() }));
  const cal = '/dav/calendars/alice/personal/';
  try {
    await createUserWithCalendar(store, { username: 'alice', password: 'correct horse battery' });
    const user = await store.getUser('alice');
    const { token, hash } = newFeedToken();
    await store.createFeedToken({ userId: user!.id, collectionId: null, tokenHash: hash, details: 'full', alarms: false });
    assert.is((await req('PUT', cal + 'big.ics', event('big', 'x'.repeat(300_000)), { 'Content-Type': 'text/calendar' })).status, 201);
    assert.is((await req('PUT', cal + 'small.ics', event('small'), { 'Content-Type': 'text/calendar' })).status, 201);

    assert.is((await req('MKCALENDAR', '/dav/calendars/alice/other/')).status, 201);
    db!.pragma(`max_page_count = ${db!.pragma('page_count', { simple: true })}`);

    const put = await req('PUT', cal + 'new.ics', event('new', 'y'.repeat(200_000)), { 'Content-Type': 'text/calendar' });
    assert.is(put.status, 507, put.text);
    assert.match(put.text, /<D:error|<d:error|:error/);
    assert.match(put.text, /out of space/);
    assert.not.match(put.text, /\bat \S+\.js/, 'no stack trace');
    const copy = await req('COPY', cal + 'big.ics', undefined, { Destination: server.url + '/dav/calendars/alice/other/big-copy.ics' });
    assert.is(copy.status, 507, copy.text);

    assert.is((await req('GET', cal + 'small.ics')).status, 200, 'GET still works');
    assert.is((await req('PROPFIND', cal, undefined, { Depth: '1' })).status, 207, 'PROPFIND still works');
    const feed = await fetch(`${server.url}/feeds/${token}.ics`);
    assert.is(feed.status, 200, 'a feed is still served');
    assert.match(await feed.text(), /UID:small/);

    assert.is((await req('DELETE', cal + 'big.ics')).status, 204, 'DELETE frees space');
    assert.is((await req('PUT', cal + 'new.ics', event('new', 'y'.repeat(100_000)), { 'Content-Type': 'text/calendar' })).status, 201, 'writing works again');
    assert.is((await req('GET', cal + 'new.ics')).status, 200);
    assert.is((await req('GET', '/dav/calendars/alice/other/big-copy.ics')).status, 404, 'the refused COPY stored nothing');
    assert.is(lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50).length, 0, 'nothing at error level');
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
