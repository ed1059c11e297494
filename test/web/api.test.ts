// The JSON API under /api (docs/api.md; issue 5, items 4, 5 and 7): session login and its
// cookie, throttling, CSRF on every change, JSON-only bodies, 4xx JSON errors, calendars,
// shares, passwords, logout, administration, the Apple configuration profile and the
// large-calendar flag.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from './setup.js';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { ical, putOk } from '../helpers/dav.js';
import { loadConfig } from '../../src/config.js';
import { calendarView } from '../../src/services/calendars.js';
import type { CalendarInstance, User } from '../../src/store/types.js';
import { apiCall, login, type WebSession } from './session.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  alice: WebSession;
  root: WebSession;
}

const t = suite<Ctx>('JSON API');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer({ SUNDIAL_LOGIN_FAILURE_LIMIT: '3' });
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('bob');
  await ctx.srv.addUser('carol');
  await ctx.srv.addUser('root', PASSWORD, true);
  await ctx.srv.addUser('target');
  ctx.alice = await login(ctx.srv, 'alice');
  ctx.root = await login(ctx.srv, 'root');
});
t.after(async (ctx) => { await ctx.srv?.close(); });

const davStatus = async (srv: TestServer, user: string, password: string) =>
  (await srv.request('PROPFIND', `/dav/calendars/${user}/`, { user, password, headers: { Depth: '0' } })).status;

// ---------------------------------------------------------------------------------------------
// Login, cookie, session

t('login: the session cookie is HttpOnly and SameSite=Strict, with path /; the answer has the user and a CSRF token', async ({ srv }) => {
  const res = await apiCall(srv, 'POST', '/login', { body: { username: 'alice', password: PASSWORD } });
  assert.is(res.status, 200);
  assert.is(res.json.user.username, 'alice');
  assert.is(res.json.user.isAdmin, false);
  assert.type(res.json.csrfToken, 'string');
  assert.ok(res.json.csrfToken.length >= 20, 'a long CSRF token');
  assert.is(res.headers.get('cache-control'), 'no-store');
  const cookie = res.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^sundial_session=[A-Za-z0-9_-]{30,};/);
  assert.match(cookie, /;\s*httponly/i);
  assert.match(cookie, /;\s*samesite=strict/i);
  assert.match(cookie, /;\s*path=\//i);
  assert.not.match(cookie, /secure/i, 'no Secure flag over plain http (it would never be sent back)');
  assert.not.ok(cookie.includes(res.json.csrfToken), 'the CSRF token is not the cookie');
});

t('login: a wrong password or unknown user is 401 JSON; missing fields 400', async ({ srv }) => {
  const wrong = await apiCall(srv, 'POST', '/login', { body: { username: 'bob', password: 'not it' } });
  assert.is(wrong.status, 401);
  assert.is(wrong.json.error, 'invalid_credentials');
  assert.is(wrong.headers.get('set-cookie'), null, 'no cookie');
  const unknown = await apiCall(srv, 'POST', '/login', { body: { username: 'nobody', password: 'x' } });
  assert.is(unknown.status, 401);
  assert.is(unknown.json.message, wrong.json.message, 'the same answer for unknown users');
  const missing = await apiCall(srv, 'POST', '/login', { body: { username: 'bob' } });
  assert.is(missing.status, 400);
});

t('login: repeated failures are throttled with 429 and Retry-After, even with the right password', async ({ srv }) => {
  for (let i = 0; i < 3; i++) assert.is((await apiCall(srv, 'POST', '/login', { body: { username: 'target', password: `guess ${i}` } })).status, 401);
  const blocked = await apiCall(srv, 'POST', '/login', { body: { username: 'target', password: PASSWORD } });
  assert.is(blocked.status, 429);
  assert.is(blocked.json.error, 'throttled');
  assert.ok(Number(blocked.headers.get('retry-after')) > 0, 'Retry-After');
  assert.is(blocked.headers.get('set-cookie'), null);
  // DAV Basic shares the throttle (same account, same address).
  assert.is(await davStatus(srv, 'target', PASSWORD), 429);
  // Other accounts are not affected.
  assert.is((await apiCall(srv, 'POST', '/login', { body: { username: 'carol', password: PASSWORD } })).status, 200);
});

t('without a session: 401 JSON on every route but login', async ({ srv }) => {
  for (const [m, p] of [['GET', '/me'], ['GET', '/calendars'], ['GET', '/connection'], ['GET', '/apple-profile'], ['GET', '/users'], ['POST', '/calendars'], ['POST', '/logout']] as const) {
    const res = await apiCall(srv, m, p, { body: m === 'POST' ? {} : undefined });
    assert.is(res.status, 401, `${m} ${p}`);
    assert.is(res.json?.error, 'not_logged_in', `${m} ${p}`);
  }
  const forged = await apiCall(srv, 'GET', '/me', { cookie: 'sundial_session=' + 'A'.repeat(43) });
  assert.is(forged.status, 401);
  const huge = await apiCall(srv, 'GET', '/me', { cookie: 'sundial_session=' + 'A'.repeat(500) });
  assert.is(huge.status, 401);
});

t('GET /me answers the user, the CSRF token and the large-calendar threshold', async ({ alice }) => {
  const me = await alice.ok('GET', '/me');
  assert.is(me.user.username, 'alice');
  assert.is(me.csrfToken, alice.csrf);
  assert.is(me.largeCalendarThreshold, 9000);
});

// ---------------------------------------------------------------------------------------------
// CSRF and body rules

const CHANGES: [string, string, unknown][] = [
  ['POST', '/calendars', { displayName: 'Sneaky' }],
  ['PATCH', '/calendars/personal', { sync: false }],
  ['PATCH', '/calendars/personal', { displayName: 'Renamed by CSRF' }],
  ['DELETE', '/calendars/personal', undefined],
  ['PUT', '/calendars/personal/shares/bob', { access: 'read-write' }],
  ['DELETE', '/calendars/personal/shares/bob', undefined],
  ['POST', '/password', { current: PASSWORD, password: 'changed by csrf' }],
  ['POST', '/logout', undefined],
];
const ADMIN_CHANGES: [string, string, unknown][] = [
  ['POST', '/users', { username: 'csrfuser', password: 'long enough password' }],
  ['DELETE', '/users/carol', undefined],
  ['POST', '/users/carol/password', { password: 'changed by csrf' }],
];

t('every change without the CSRF token, or with a wrong one, is 403 and changes nothing', async ({ srv, alice, root }) => {
  const before = await alice.ok('GET', '/calendars');
  for (const [s, list] of [[alice, CHANGES], [root, ADMIN_CHANGES]] as const) {
    for (const [m, p, body] of list) {
      for (const csrf of [null, 'wrong-token', s.csrf.slice(0, -1) + (s.csrf.endsWith('A') ? 'B' : 'A'), (await login(srv, 'carol')).csrf]) {
        const res = await s.call(m, p, body, { csrf });
        assert.is(res.status, 403, `${m} ${p} with CSRF ${csrf}: ${res.status} ${res.text}`);
        assert.is(res.json?.error, 'csrf');
      }
    }
  }
  assert.equal(await alice.ok('GET', '/calendars'), before, 'nothing changed');
  assert.is((await alice.call('GET', '/me')).status, 200, 'still logged in');
  assert.is(await davStatus(srv, 'alice', PASSWORD), 207, 'password unchanged');
  assert.equal((await root.ok('GET', '/users')).users.map((u: { username: string }) => u.username).sort(), ['alice', 'bob', 'carol', 'root', 'target']);
});

t('a body that is not JSON is 415; broken JSON or a non-object is 400; all as JSON errors', async ({ alice }) => {
  const form = await alice.call('POST', '/calendars', undefined, { raw: 'displayName=Form', contentType: 'application/x-www-form-urlencoded' });
  assert.is(form.status, 415);
  assert.is(form.json.error, 'unsupported_media_type');
  const plain = await alice.call('PATCH', '/calendars/personal', undefined, { raw: '{"sync":false}', contentType: 'text/plain' });
  assert.is(plain.status, 415, 'a text/plain body (what a cross-site form can send) is refused');
  for (const raw of ['{bad', '[1,2]', '"x"', 'null', '']) {
    const res = await alice.call('POST', '/calendars', undefined, { raw });
    assert.is(res.status, 400, `body ${JSON.stringify(raw)}`);
    assert.is(res.json.error, 'invalid_json');
  }
  const big = await alice.call('POST', '/calendars', undefined, { raw: JSON.stringify({ displayName: 'x'.repeat(100_000) }) });
  assert.is(big.status, 413);
  const { mine } = await alice.ok('GET', '/calendars');
  assert.equal(mine.map((c: { uri: string }) => c.uri), ['personal']);
});

t('a JSON body that is not UTF-8 is 400 invalid_json; nothing is stored', async ({ srv, alice }) => {
  // Decoded leniently before, the bytes became U+FFFD and the calendar was created under a name
  // nobody sent (RFC 8259 §8.1: JSON between systems is UTF-8).
  for (const bytes of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
    const body = Buffer.concat([Buffer.from('{"displayName":"Bad'), Buffer.from(bytes), Buffer.from('"}')]);
    const res = await fetch(`${srv.url}/api/calendars`, { method: 'POST', headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf, 'Content-Type': 'application/json' }, body });
    assert.is(res.status, 400, `bytes ${bytes}`);
    assert.is(((await res.json()) as { error: string }).error, 'invalid_json');
  }
  const { mine } = await alice.ok('GET', '/calendars');
  assert.equal(mine.map((c: { uri: string }) => c.uri), ['personal']);
  assert.is((await alice.call('POST', '/calendars', { displayName: 'Café ☕ 𝄞' })).json.displayName, 'Café ☕ 𝄞', 'UTF-8 text is read as sent');
  assert.is((await alice.call('DELETE', '/calendars/cafe')).status, 200);
});

t('names with control characters are 400 for calendars and address books; nothing is stored or renamed', async ({ alice }) => {
  // XML 1.0 cannot carry most C0 controls: a calendar named "a\u0001b" came out of PROPFIND as "a\uFFFDb".
  for (const name of ['a\u0001b', 'tab\there', 'line\nbreak', 'c1\u0085x', 'del\u007f']) {
    for (const path of ['/calendars', '/addressbooks']) {
      const res = await alice.call('POST', path, { displayName: name });
      assert.is(res.status, 400, `${path} ${JSON.stringify(name)}`);
      assert.match(res.json.message, /without control characters/);
    }
    assert.is((await alice.call('PATCH', '/calendars/personal', { displayName: name })).status, 400);
    assert.is((await alice.call('PATCH', '/addressbooks/contacts', { displayName: name })).status, 400);
  }
  const { mine } = await alice.ok('GET', '/calendars');
  assert.equal(mine.map((c: { uri: string; displayName: string }) => [c.uri, c.displayName]), [['personal', mine[0].displayName]]);
  assert.not.match(mine[0].displayName, /[\u0000-\u001f\u007f-\u009f]/);
  const books = await alice.ok('GET', '/addressbooks');
  assert.equal(books.mine.map((b: { uri: string }) => b.uri), ['contacts']);
  assert.is(books.mine[0].displayName, 'Contacts');
});

t('unknown routes answer 404 JSON, with or without a session', async ({ srv, alice }) => {
  for (const res of [await apiCall(srv, 'GET', '/nope'), await alice.call('GET', '/nope'), await alice.call('POST', '/calendars/personal/nope', {}), await apiCall(srv, 'GET', '/')]) {
    assert.is(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.is(res.json.error, 'not_found');
  }
});

// ---------------------------------------------------------------------------------------------
// Calendars

t('create, rename, recolour and delete own calendars', async ({ srv, alice }) => {
  const created = await alice.call('POST', '/calendars', { displayName: 'Football Club', color: '#10b981' });
  assert.is(created.status, 201);
  assert.is(created.json.uri, 'football-club');
  assert.is(created.json.displayName, 'Football Club');
  assert.is(created.json.color, '#10b981');
  assert.is(created.json.access, 'owner');
  assert.is(created.json.sync, true);
  assert.is(created.json.entries, 0);
  assert.is(created.json.large, false);
  assert.is(created.json.path, '/dav/calendars/alice/football-club/');
  assert.equal(created.json.shares, []);
  // The same name again gets another URI.
  const again = await alice.ok('POST', '/calendars', { displayName: 'Football Club' });
  assert.is(again.uri, 'football-club-2');
  assert.is(again.color, null);
  // DAV sees it.
  const pf = await srv.request('PROPFIND', '/dav/calendars/alice/football-club/', { user: 'alice', headers: { Depth: '0' } });
  assert.is(pf.status, 207);
  assert.match(pf.text, /Football Club/);

  const renamed = await alice.ok('PATCH', '/calendars/football-club', { displayName: '  Club  ' });
  assert.is(renamed.displayName, 'Club', 'trimmed');
  const recoloured = await alice.ok('PATCH', '/calendars/football-club', { color: '#ABCDEF80' });
  assert.is(recoloured.color, '#ABCDEF80');
  assert.is(recoloured.displayName, 'Club');
  const cleared = await alice.ok('PATCH', '/calendars/football-club', { color: null });
  assert.is(cleared.color, null);

  for (const bad of [{ color: 'red' }, { color: '#12345' }, { color: 12 }, { displayName: '' }, { displayName: '   ' }, { displayName: 'x'.repeat(201) }, { displayName: 5 }]) {
    const res = await alice.call('PATCH', '/calendars/football-club', bad);
    assert.is(res.status, 400, JSON.stringify(bad));
    assert.is(res.json.error, 'invalid');
  }
  for (const bad of [{ displayName: 'Bad', color: 'blue' }, {}, { displayName: '' }]) {
    assert.is((await alice.call('POST', '/calendars', bad)).status, 400, JSON.stringify(bad));
  }
  assert.is((await alice.call('PATCH', '/calendars/nothere', { sync: false })).status, 404);

  assert.equal(await alice.ok('DELETE', '/calendars/football-club-2'), { result: 'deleted' });
  assert.equal(await alice.ok('DELETE', '/calendars/football-club'), { result: 'deleted' });
  assert.is((await srv.request('PROPFIND', '/dav/calendars/alice/football-club/', { user: 'alice', headers: { Depth: '0' } })).status, 404);
  assert.is((await alice.call('DELETE', '/calendars/football-club')).status, 404);
});

t('deleting the last own calendar is 403 (every user keeps one)', async ({ srv, alice }) => {
  const res = await alice.call('DELETE', '/calendars/personal');
  assert.is(res.status, 403);
  assert.is(res.json.error, 'forbidden');
  assert.is((await srv.request('PROPFIND', '/dav/calendars/alice/personal/', { user: 'alice', headers: { Depth: '0' } })).status, 207);
});

t('GET /calendars counts entries and lists shares', async ({ srv, alice }) => {
  await putOk(srv, 'alice', '/dav/calendars/alice/personal/a.ics', ical('a'));
  await putOk(srv, 'alice', '/dav/calendars/alice/personal/b.ics', ical('b'));
  const { mine, others } = await alice.ok('GET', '/calendars');
  assert.is(mine[0].entries, 2);
  assert.is(mine[0].owner, 'alice');
  assert.equal(mine[0].components, ['VEVENT', 'VTODO', 'VJOURNAL']);
  assert.equal(others, []);
});

// ---------------------------------------------------------------------------------------------
// Shares

t('shares: create, change, list, remove; errors for unknown users, bad access, self, non-owners', async ({ srv, alice }) => {
  assert.is((await alice.call('PUT', '/calendars/personal/shares/bob', { access: 'read' })).status, 204);
  let { mine } = await alice.ok('GET', '/calendars');
  assert.equal(mine[0].shares, [{ username: 'bob', access: 'read' }]);
  assert.is((await alice.call('PUT', '/calendars/personal/shares/bob', { access: 'read-write' })).status, 204);
  ({ mine } = await alice.ok('GET', '/calendars'));
  assert.equal(mine[0].shares, [{ username: 'bob', access: 'read-write' }]);
  const bob = await login(srv, 'bob');
  const { others } = await bob.ok('GET', '/calendars');
  assert.is(others.length, 1);
  assert.is(others[0].owner, 'alice');
  assert.is(others[0].access, 'read-write');
  assert.is(others[0].entries, 2);

  const unknown = await alice.call('PUT', '/calendars/personal/shares/nobody', { access: 'read' });
  assert.is(unknown.status, 404);
  assert.is(unknown.json.error, 'not_found');
  for (const access of ['write', 'owner', '', null, undefined, 1]) {
    const res = await alice.call('PUT', '/calendars/personal/shares/carol', { access });
    assert.is(res.status, 400, `access ${JSON.stringify(access)}`);
  }
  assert.is((await alice.call('PUT', '/calendars/personal/shares/alice', { access: 'read' })).status, 400, 'not with oneself');
  assert.is((await alice.call('PUT', '/calendars/nothere/shares/carol', { access: 'read' })).status, 404);
  // A sharee cannot reshare, rename or recolour.
  const uri = others[0].uri;
  assert.is((await bob.call('PUT', `/calendars/${uri}/shares/carol`, { access: 'read' })).status, 403);
  assert.is((await bob.call('DELETE', `/calendars/${uri}/shares/bob`)).status, 403);
  assert.is((await bob.call('PATCH', `/calendars/${uri}`, { displayName: 'Mine now' })).status, 403);
  assert.is((await bob.call('PATCH', `/calendars/${uri}`, { color: '#000000' })).status, 403);
  assert.is((await bob.ok('PATCH', `/calendars/${uri}`, { sync: false })).sync, false, 'but has their own switch');

  assert.is((await alice.call('DELETE', '/calendars/personal/shares/bob')).status, 204);
  assert.is((await alice.call('DELETE', '/calendars/personal/shares/bob')).status, 404);
  assert.is((await alice.call('DELETE', '/calendars/personal/shares/nobody')).status, 404);
  assert.equal((await bob.ok('GET', '/calendars')).others, []);
});

// ---------------------------------------------------------------------------------------------
// Password, logout

t('password change: wrong current → 403; short new → 400; then the new one works for DAV and the old fails', async ({ srv }) => {
  const bob = await login(srv, 'bob');
  const other = await login(srv, 'bob');
  assert.is(await davStatus(srv, 'bob', PASSWORD), 207, 'the old password is cached by DAV');
  const wrong = await bob.call('POST', '/password', { current: 'not my password', password: 'a brand new one' });
  assert.is(wrong.status, 403);
  assert.is((await bob.call('POST', '/password', { password: 'a brand new one' })).status, 403, 'current is required');
  assert.is((await bob.call('POST', '/password', { current: PASSWORD, password: 'short' })).status, 400);
  assert.is((await bob.call('POST', '/password', { current: PASSWORD, password: 'a brand new one' })).status, 204);
  assert.is(await davStatus(srv, 'bob', 'a brand new one'), 207);
  assert.is(await davStatus(srv, 'bob', PASSWORD), 401, 'the old password no longer works (not even from the credential cache)');
  assert.is((await bob.call('GET', '/me')).status, 200, 'this session stays');
  assert.is((await other.call('GET', '/me')).status, 401, 'other sessions of bob end');
  assert.is((await apiCall(srv, 'POST', '/login', { body: { username: 'bob', password: PASSWORD } })).status, 401);
  await login(srv, 'bob', 'a brand new one');
});

t('guessing the current password through the password form is throttled like a login', async ({ srv }) => {
  const carol = await login(srv, 'carol');
  for (let i = 0; i < 3; i++) assert.is((await carol.call('POST', '/password', { current: `guess ${i}`, password: 'whatever password' })).status, 403);
  const blocked = await carol.call('POST', '/password', { current: PASSWORD, password: 'whatever password' });
  assert.is(blocked.status, 429, blocked.text);
  assert.is((await carol.call('GET', '/me')).status, 200);
});

t('logout ends the session and clears the cookie', async ({ srv }) => {
  const s = await login(srv, 'alice');
  const res = await s.call('POST', '/logout');
  assert.is(res.status, 204);
  assert.match(res.headers.get('set-cookie') ?? '', /sundial_session=;.*(expires=Thu, 01 Jan 1970|max-age=0)/i);
  assert.is((await s.call('GET', '/me')).status, 401);
  assert.is((await s.call('GET', '/calendars')).status, 401);
});

// ---------------------------------------------------------------------------------------------
// Administration

t('admin endpoints are refused for non-admins (403)', async ({ alice }) => {
  for (const [m, p, body] of [['GET', '/users', undefined], ...ADMIN_CHANGES] as [string, string, unknown][]) {
    const res = await alice.call(m, p, body);
    assert.is(res.status, 403, `${m} ${p}`);
    assert.is(res.json.error, 'forbidden');
  }
});

t('admin lists, creates and deletes users and resets passwords', async ({ srv, root }) => {
  const { users } = await root.ok('GET', '/users');
  const rootUser = users.find((u: { username: string }) => u.username === 'root');
  assert.is(rootUser.isAdmin, true);
  assert.not.ok(JSON.stringify(users).includes('argon2'), 'no password hashes');

  const created = await root.call('POST', '/users', { username: 'dave', password: 'dave password 1', isAdmin: false });
  assert.is(created.status, 201);
  assert.is(created.json.username, 'dave');
  assert.is(await davStatus(srv, 'dave', 'dave password 1'), 207);
  const dave = await login(srv, 'dave', 'dave password 1');
  assert.equal((await dave.ok('GET', '/calendars')).mine.map((c: { displayName: string }) => c.displayName), ['Personal'], 'a new user gets a calendar');

  assert.is((await root.call('POST', '/users', { username: 'dave', password: 'dave password 1' })).status, 409);
  for (const bad of [{ username: 'has space', password: 'long enough pw' }, { username: 'a/b', password: 'long enough pw' }, { username: '', password: 'long enough pw' }, { username: 'eve', password: 'short' }, { username: 'eve' }]) {
    assert.is((await root.call('POST', '/users', bad)).status, 400, JSON.stringify(bad));
  }

  assert.is((await root.call('POST', '/users/dave/password', { password: 'dave password 2' })).status, 204);
  assert.is(await davStatus(srv, 'dave', 'dave password 2'), 207);
  assert.is(await davStatus(srv, 'dave', 'dave password 1'), 401);
  assert.is((await dave.call('GET', '/me')).status, 401, 'a reset ends the user\'s sessions');
  assert.is((await root.call('POST', '/users/nobody/password', { password: 'long enough pw' })).status, 404);
  assert.is((await root.call('POST', '/users/dave/password', { password: 'short' })).status, 400);

  const dave2 = await login(srv, 'dave', 'dave password 2');
  assert.is((await root.call('DELETE', '/users/dave')).status, 204);
  assert.is(await davStatus(srv, 'dave', 'dave password 2'), 401);
  assert.is((await dave2.call('GET', '/me')).status, 401, 'a deleted user\'s session ends');
  assert.is((await root.call('DELETE', '/users/dave')).status, 404);
  assert.is((await root.call('DELETE', '/users/root')).status, 403, 'not oneself');

  // An admin created through the API can administrate.
  assert.is((await root.call('POST', '/users', { username: 'admin2', password: 'admin2 password', isAdmin: true })).status, 201);
  const admin2 = await login(srv, 'admin2', 'admin2 password');
  assert.is((await admin2.call('GET', '/users')).status, 200);
  assert.is((await root.call('DELETE', '/users/admin2')).status, 204);
});

// ---------------------------------------------------------------------------------------------
// Connection help and the Apple profile

t('GET /connection gives the URLs for Thunderbird and DAVx5', async ({ srv, alice }) => {
  const c = await alice.ok('GET', '/connection');
  assert.is(c.serverUrl, `${srv.url}/`);
  assert.is(c.principalUrl, `${srv.url}/dav/principals/alice/`);
  assert.is(c.homeUrl, `${srv.url}/dav/calendars/alice/`);
  assert.is(c.username, 'alice');
  assert.is(c.https, false);
});

/** The value after <key>k</key> in a plist dict, as [type, text]. */
function plistValue(xml: string, key: string): [string, string] | null {
  const m = new RegExp(`<key>${key}</key>\\s*<(string|integer|true|false)\\s*/?>(?:([^<]*)</\\1>)?`).exec(xml);
  return m ? [m[1]!, m[2] ?? ''] : null;
}

t('/api/apple-profile is a plist with a com.apple.caldav.account payload', async ({ srv, alice }) => {
  const res = await alice.call('GET', '/apple-profile');
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/x-apple-aspen-config/);
  assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="sundial-alice\.mobileconfig"/);
  const xml = res.text;
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
  assert.match(xml, /<!DOCTYPE plist PUBLIC "-\/\/Apple\/\/DTD PLIST 1\.0\/\/EN"/);
  assert.match(xml, /<plist version="1\.0">/);
  assert.equal(plistValue(xml, 'PayloadType'), ['string', 'com.apple.caldav.account'], 'the first PayloadType is the CalDAV payload');
  assert.match(xml, /<key>PayloadType<\/key><string>Configuration<\/string>/);
  const url = new URL(srv.url);
  assert.equal(plistValue(xml, 'CalDAVHostName'), ['string', url.hostname]);
  assert.equal(plistValue(xml, 'CalDAVPort'), ['integer', url.port]);
  assert.equal(plistValue(xml, 'CalDAVUseSSL'), ['false', '']);
  assert.equal(plistValue(xml, 'CalDAVUsername'), ['string', 'alice']);
  assert.equal(plistValue(xml, 'CalDAVPrincipalURL'), ['string', `${srv.url}/dav/principals/alice/`]);
  assert.not.ok(/Password/i.test(xml), 'no password in the profile');
  const uuids = [...xml.matchAll(/<key>PayloadUUID<\/key><string>([0-9A-F-]{36})<\/string>/g)].map((m) => m[1]);
  assert.is(uuids.length, 3, 'the profile, its CalDAV and its CardDAV payload (addressbooks-api.test.ts checks the latter)');
  assert.is(new Set(uuids).size, 3);
  // The same profile again (stable UUIDs: re-installing replaces instead of duplicating).
  assert.is((await alice.call('GET', '/apple-profile')).text, xml);
});

t('the Apple profile follows SUNDIAL_BASE_URL (https behind a proxy: port 443, SSL on)', async () => {
  const srv = await startTestServer({ SUNDIAL_BASE_URL: 'https://cal.example.org' });
  try {
    await srv.addUser('erin');
    const erin = await login(srv, 'erin');
    const xml = (await erin.call('GET', '/apple-profile')).text;
    assert.equal(plistValue(xml, 'CalDAVHostName'), ['string', 'cal.example.org']);
    assert.equal(plistValue(xml, 'CalDAVPort'), ['integer', '443']);
    assert.equal(plistValue(xml, 'CalDAVUseSSL'), ['true', '']);
    assert.equal(plistValue(xml, 'CalDAVPrincipalURL'), ['string', 'https://cal.example.org/dav/principals/erin/']);
    const c = await erin.ok('GET', '/connection');
    assert.is(c.https, true);
    assert.is(c.serverUrl, 'https://cal.example.org/');
  } finally {
    await srv.close();
  }
});

t.run();

// ---------------------------------------------------------------------------------------------
// Large calendars

const large = suite('JSON API: large calendars');

large('past SUNDIAL_LARGE_CALENDAR=5: large: true, and exactly one warning in the log', async () => {
  const srv = await startTestServer({ SUNDIAL_LARGE_CALENDAR: '5' });
  try {
    await srv.addUser('alice');
    const alice = await login(srv, 'alice');
    assert.is((await alice.ok('GET', '/me')).largeCalendarThreshold, 5);
    const warnings = () => srv.logLines.map((l) => JSON.parse(l) as { level: number; msg: string; entries?: number; threshold?: number })
      .filter((l) => l.level === 40 && /large-calendar threshold/.test(l.msg));
    for (let i = 1; i <= 5; i++) await putOk(srv, 'alice', `/dav/calendars/alice/personal/e${i}.ics`, ical(`e${i}`));
    let p = (await alice.ok('GET', '/calendars')).mine[0];
    assert.is(p.entries, 5);
    assert.is(p.large, false, 'at the threshold is not past it');
    assert.is(warnings().length, 0);
    await putOk(srv, 'alice', '/dav/calendars/alice/personal/e6.ics', ical('e6'));
    p = (await alice.ok('GET', '/calendars')).mine[0];
    assert.is(p.entries, 6);
    assert.is(p.large, true);
    assert.is(warnings().length, 1, 'one warning when it passed the threshold');
    assert.is(warnings()[0]!.entries, 6);
    assert.is(warnings()[0]!.threshold, 5);
    // Further writes (a new entry, an update) do not repeat it; nothing is refused.
    await putOk(srv, 'alice', '/dav/calendars/alice/personal/e7.ics', ical('e7'));
    await putOk(srv, 'alice', '/dav/calendars/alice/personal/e7.ics', ical('e7', { summary: 'again' }));
    assert.is(warnings().length, 1);
    // A sharee sees the flag too.
    await srv.addUser('bob');
    await alice.ok('PUT', '/calendars/personal/shares/bob', { access: 'read' });
    const bob = await login(srv, 'bob');
    assert.is((await bob.ok('GET', '/calendars')).others[0].large, true);
  } finally {
    await srv.close();
  }
});

large('a MOVE into a calendar and a page import past the threshold each log the warning once', async () => {
  const srv = await startTestServer({ SUNDIAL_LARGE_CALENDAR: '3' });
  try {
    await srv.addUser('alice');
    const alice = await login(srv, 'alice');
    const warnings = () => srv.logLines.map((l) => JSON.parse(l) as { level: number; msg: string; calendar?: string; entries?: number })
      .filter((l) => l.level === 40 && /large-calendar threshold/.test(l.msg));
    // MOVE: three entries in "personal", a fourth arrives from another calendar.
    // ("Holding", not "Inbox": /inbox/ is the scheduling inbox since issue 15.)
    await alice.ok('POST', '/calendars', { displayName: 'Holding' });
    for (let i = 1; i <= 3; i++) await putOk(srv, 'alice', `/dav/calendars/alice/personal/p${i}.ics`, ical(`p${i}`));
    await putOk(srv, 'alice', '/dav/calendars/alice/holding/m.ics', ical('m'));
    assert.is(warnings().length, 0);
    const moved = await srv.request('MOVE', '/dav/calendars/alice/holding/m.ics', { user: 'alice', headers: { Destination: '/dav/calendars/alice/personal/m.ics' } });
    assert.is(moved.status, 201);
    assert.equal(warnings().map((w) => [w.calendar, w.entries]), [['personal', 4]]);
    // Import: an empty calendar gets five events in one request — past the threshold once.
    await alice.ok('POST', '/calendars', { displayName: 'Imported' });
    const events = [1, 2, 3, 4, 5].map((i) => ical(`imp${i}`).replace(/^BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:[^\r]*\r\n/, '').replace(/END:VCALENDAR\r\n$/, '')).join('');
    const file = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n${events}END:VCALENDAR\r\n`;
    const up = await alice.call('POST', '/feeds/import?calendar=imported', undefined, { raw: file, contentType: 'text/calendar' });
    assert.is(up.status, 200, up.text);
    assert.is(up.json.entries, 5);
    assert.equal(warnings().map((w) => [w.calendar, w.entries]), [['personal', 4], ['imported', 5]]);
    // Re-running the import adds nothing and logs nothing more.
    await alice.call('POST', '/feeds/import?calendar=imported', undefined, { raw: file, contentType: 'text/calendar' });
    assert.is(warnings().length, 2);
  } finally {
    await srv.close();
  }
});

large('the default threshold is 9000: 9000 entries are not flagged, 9001 are', async () => {
  const config = loadConfig({});
  assert.is(config.largeCalendarThreshold, 9000);
  const user = { id: 1, username: 'alice' } as User;
  const instance = (count: number) => ({
    userId: 1, uri: 'big', access: 'read', syncEnabled: true, changedSeq: 1,
    collection: { id: 7, ownerId: 2, uri: 'big', displayName: 'Big', color: null, description: null, components: ['VEVENT'], objectCount: count },
  }) as unknown as CalendarInstance;
  const owners = new Map([[2, 'bob']]);
  // Only the free/busy setting is read: the owner is in the map and a share lists no shares.
  const store = { getFreeBusyIncluded: async () => null } as never;
  assert.is((await calendarView(store, user, instance(9000), config.largeCalendarThreshold, owners)).large, false);
  assert.is((await calendarView(store, user, instance(9001), config.largeCalendarThreshold, owners)).large, true);
});

large.run();

// ---------------------------------------------------------------------------------------------
// Secrets never reach the log (SPEC "Security"; issue 2 item 7) — the web side: login bodies,
// password changes and resets, session cookies and CSRF tokens. The DAV side (Authorization) is
// in protocol/foundation.

const secrets = suite('JSON API: secrets in the log');

secrets('passwords, session cookies and CSRF tokens appear in no log line, at debug level', async () => {
  const srv = await startTestServer({ SUNDIAL_LOG_LEVEL: 'debug' });
  try {
    await srv.addUser('dora');
    await srv.addUser('root', PASSWORD, true);
    const wrong = 'wrong-guess-Q7vX2';
    assert.is((await apiCall(srv, 'POST', '/login', { body: { username: 'dora', password: wrong } })).status, 401);
    const dora = await login(srv, 'dora');
    const root = await login(srv, 'root');
    const changed = 'changed-pw-K3mZ9q';
    const created = 'created-pw-R8tW1e';
    const reset = 'reset-pw-H5nB4c';
    await dora.call('POST', '/password', { current: PASSWORD, password: changed }).then((r) => assert.is(r.status, 204, r.text));
    await root.ok('POST', '/users', { username: 'eve', password: created });
    await root.call('POST', '/users/eve/password', { password: reset }).then((r) => assert.ok(r.status < 300, r.text));
    assert.is((await srv.request('PROPFIND', '/dav/calendars/dora/', { user: 'dora', password: changed, headers: { Depth: '0' } })).status, 207);
    assert.is((await srv.request('PROPFIND', '/dav/calendars/eve/', { user: 'eve', password: reset, headers: { Depth: '0' } })).status, 207);

    const log = srv.logLines.join('');
    for (const path of ['/api/login', '/api/password', '/api/users', '/api/users/eve/password', '/dav/calendars/dora/']) {
      assert.ok(log.includes(`"path":"${path}"`), `the request to ${path} was logged`);
    }
    const cookieValue = (s: string) => s.slice(s.indexOf('=') + 1);
    for (const [what, secret] of [
      ['the initial password', PASSWORD], ['a wrong password', wrong], ['a changed password', changed],
      ['a new user\'s password', created], ['a reset password', reset],
      ['dora\'s session cookie', cookieValue(dora.cookie)], ['root\'s session cookie', cookieValue(root.cookie)],
      ['dora\'s CSRF token', dora.csrf], ['root\'s CSRF token', root.csrf],
      ['Basic credentials', Buffer.from(`dora:${changed}`).toString('base64')],
    ] as const) {
      assert.not.ok(log.includes(secret), `${what} is in the log`);
    }
  } finally {
    await srv.close();
  }
});

secrets.run();
