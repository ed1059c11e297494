// Nothing secret reaches the log (issue 11 item 7): every kind of failed request — a malformed
// chunked body, a cancelled upload, a wrong password on DAV and on the web login, an unknown feed
// token, a bad session cookie, a 500 from a failing store whose error carries a raw request — is
// sent with a password, Basic credentials, a session cookie and a feed token, and the whole log
// output (at debug level) is searched for each of them. Client faults are not logged as errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { Store } from '../../src/store/types.js';
import { PASSWORD, basic, startTestServer, type TestServer } from '../helpers/server.js';

const FEED_TOKEN = 'FeedTokenSecret0123456789abcdefXYZ';
const COOKIE_VALUE = 'SessionCookieSecret0123456789abcdef';
const AUTH = basic('alice');
const AUTH_B64 = AUTH.slice('Basic '.length);
const SECRETS = [PASSWORD, AUTH_B64, COOKIE_VALUE, FEED_TOKEN, 'wrong-password-secret'];

/** The byte values of a secret as JSON would print a Buffer's data ("83,101,…"). */
const asBytes = (s: string) => [...Buffer.from(s)].join(',');

function assertClean(lines: string[], what: string) {
  const all = lines.join('');
  for (const secret of SECRETS) {
    assert.not.ok(all.includes(secret), `${what}: "${secret}" is in the log`);
    assert.not.ok(all.includes(asBytes(secret)), `${what}: the bytes of "${secret}" are in the log`);
  }
  assert.not.ok(all.includes('rawPacket'), `${what}: no rawPacket`);
}

/** Writes raw bytes on a fresh connection and closes it after `waitMs`; the answer's status line. */
function raw(server: TestServer, data: string, waitMs = 300): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect(server.port, '127.0.0.1');
    let out = '';
    c.on('data', (d) => { out += d; });
    c.on('error', () => {});
    c.write(data);
    setTimeout(() => { c.destroy(); resolve(out.split('\r\n')[0] ?? ''); }, waitMs);
  });
}

const settle = () => new Promise((r) => setTimeout(r, 150));
const levels = (lines: string[]) => lines.map((l) => (JSON.parse(l) as { level: number }).level);

let s: TestServer;
test.before(async () => {
  s = await startTestServer({ SUNDIAL_LOG_LEVEL: 'debug' });
  await s.addUser('alice');
});
test.after(async () => { await s.close(); });

test('a malformed chunked body: 400, logged at info without the raw request', async () => {
  const from = s.logLines.length;
  for (const path of ['/dav/calendars/alice/personal/x.ics', `/feeds/${FEED_TOKEN}.ics`]) {
    const status = await raw(s, `PUT ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nCookie: sundial_session=${COOKIE_VALUE}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${PASSWORD}\r\n0\r\n\r\n`);
    assert.match(status, /^HTTP\/1\.1 400/);
  }
  await settle();
  const lines = s.logLines.slice(from);
  assert.ok(lines.some((l) => l.includes('HPE_INVALID_CHUNK_SIZE')), 'the refusal is logged');
  assert.ok(levels(lines).every((l) => l < 50), 'not at error level');
  assertClean(lines, 'malformed chunked body');
});

test('a cancelled upload: debug lines only, no secrets', async () => {
  const from = s.logLines.length;
  await raw(s, `PUT /dav/calendars/alice/personal/y.ics HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nCookie: sundial_session=${COOKIE_VALUE}\r\nContent-Length: 100000\r\n\r\nBEGIN:VCALENDAR\r\n`, 200);
  await settle();
  const lines = s.logLines.slice(from);
  assert.ok(lines.length >= 1, 'something is logged');
  assert.ok(levels(lines).every((l) => l <= 30), `debug/info only: ${lines.join('')}`);
  assertClean(lines, 'cancelled upload');
});

test('wrong passwords (DAV Basic, web login), bad session cookie, unknown feed token', async () => {
  const from = s.logLines.length;
  assert.is((await s.request('PROPFIND', '/dav/', { user: 'alice', password: 'wrong-password-secret', headers: { Depth: '0', Cookie: `sundial_session=${COOKIE_VALUE}` } })).status, 401);
  assert.is((await s.request('POST', '/api/login', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'wrong-password-secret' }) })).status, 401);
  assert.is((await s.request('GET', '/api/me', { headers: { Cookie: `sundial_session=${COOKIE_VALUE}` } })).status, 401);
  assert.is((await s.request('GET', `/feeds/${FEED_TOKEN}.ics`, { headers: { Authorization: AUTH } })).status, 404);
  await settle();
  const lines = s.logLines.slice(from);
  assert.ok(lines.length >= 4, 'the requests are logged');
  assertClean(lines, 'failed logins and lookups');
});

test('a 500: the error is logged with its stack, but not a raw request, headers or tokens it carries', async () => {
  const brokenStore = new Proxy({}, {
    get: () => async () => {
      throw Object.assign(new Error(`disk on fire while serving /feeds/${FEED_TOKEN}.ics for ${AUTH}`), {
        rawPacket: Buffer.from(`GET / HTTP/1.1\r\nAuthorization: ${AUTH}\r\n\r\n`),
        headers: { authorization: AUTH, cookie: `sundial_session=${COOKIE_VALUE}` },
      });
    },
  }) as Store;
  const lines: string[] = [];
  const log = createLogger('debug', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
  const { koa } = createApp({ config: loadConfig({}), store: brokenStore, log });
  const server = http.createServer(koa.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.is((await fetch(url + '/dav/', { method: 'PROPFIND', headers: { Authorization: AUTH, Cookie: `sundial_session=${COOKIE_VALUE}` } })).status, 500);
    assert.is((await fetch(`${url}/feeds/${FEED_TOKEN}.ics`)).status, 500);
    const all = lines.join('');
    assert.ok(all.includes('disk on fire'), 'the error is logged');
    assert.ok(all.includes('"stack"'), 'with its stack');
    assertClean(lines, '500');
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test.run();
