// The API's paths are case-sensitive (RFC 3986 §6.2.2.1). @koa/router matched routes whatever
// their case but ran the routers' session middleware only on the exact prefix, so `/API/…`
// reached the handlers without a session: `GET /API/groups` gave every group with its members and
// address to anyone, `POST /API/logout` ended a session without the CSRF token, and every other
// route answered 500 (no user in the state). Now `/API/…` is not the API: 404, nothing changes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { login, type WebSession } from './session.js';

let s: TestServer;
let alice: WebSession;
test.before(async () => {
  s = await startTestServer({ SUNDIAL_LOG_LEVEL: 'warn' });
  await s.addUser('alice', undefined, true);
  await s.addUser('bob');
  alice = await login(s, 'alice');
  assert.is((await alice.call('POST', '/groups', { name: 'board', members: ['bob'], email: 'board@example.org' })).status, 201);
});
test.after(async () => { await s.close(); });

const GETS = ['/groups', '/groups/board', '/me', '/calendars', '/addressbooks', '/feeds', '/devices', '/profile', '/connection', '/apple-profile', '/users', '/agenda?start=2026-01-01&end=2026-01-02'];

test('another case of /api or of a route is no route: 404, with or without a session, never a 500 or data', async () => {
  for (const route of GETS) {
    for (const path of [`/API${route}`, `/Api${route}`, `/api${route.replace(/^\/(\w)/, (_, c: string) => `/${c.toUpperCase()}`)}`]) {
      for (const cookie of [undefined, alice.cookie]) {
        const res = await fetch(s.url + path, { headers: cookie ? { Cookie: cookie } : {} });
        const text = await res.text();
        assert.is(res.status, 404, `${path} (${cookie ? 'session' : 'none'}): ${res.status} ${text.slice(0, 200)}`);
        assert.not.ok(text.includes('board@example.org'), `${path} reveals the group`);
      }
    }
  }
  assert.is(s.logLines.filter((l) => l.includes('"level":50')).length, 0, 'no unhandled error was logged');
});

test('POST /API/logout without the CSRF token ends nothing', async () => {
  for (const path of ['/API/logout', '/Api/logout', '/api/LOGOUT']) {
    const res = await fetch(s.url + path, { method: 'POST', headers: { Cookie: alice.cookie } });
    assert.is(res.status, 404, path);
  }
  assert.is((await alice.call('GET', '/me')).status, 200, 'the session is alive');
  assert.is((await alice.call('POST', '/logout', undefined, { csrf: null })).status, 403, 'the real route still wants the token');
});

test.run();
