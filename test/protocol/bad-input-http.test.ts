// Bad input and abuse at the HTTP level (issue 11, Low): password spraying from one address over
// many accounts is throttled per address (without locking users elsewhere out), and an XML body
// that is not UTF-8 is refused with 400 instead of being silently altered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
test.before(async () => {
  s = await startTestServer({ SUNDIAL_TRUST_PROXY: 'true', SUNDIAL_LOGIN_ADDRESS_FAILURE_LIMIT: '5', SUNDIAL_LOGIN_FAILURE_LIMIT: '10' });
  await s.addUser('alice');
  await s.addUser('bob');
});
test.after(async () => { await s.close(); });

const propfind = (user: string, password: string | undefined, from: string) =>
  s.request('PROPFIND', '/dav/', { user, ...(password ? { password } : {}), headers: { Depth: '0', 'X-Forwarded-For': from } });

test('failed logins from one address across many accounts are throttled for that address only', async () => {
  // bob's client logged in from the spraying address before: it keeps working.
  assert.is((await propfind('bob', undefined, '10.0.0.1')).status, 207);
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await propfind(`user${i}`, 'guess-password', '10.0.0.1')).status);
  assert.equal(statuses.slice(0, 5), [401, 401, 401, 401, 401], 'the first failures are answered 401');
  assert.equal(statuses.slice(5), [429, 429, 429], `then 429 for every account: ${statuses}`);
  const blocked = await propfind('alice', undefined, '10.0.0.1');
  assert.is(blocked.status, 429, 'even a right password from that address is not checked');
  assert.ok(Number(blocked.headers.get('retry-after')) > 0, 'with Retry-After');
  assert.is((await propfind('alice', undefined, '10.0.0.2')).status, 207, 'alice elsewhere is not locked out');
  assert.is((await propfind('bob', undefined, '10.0.0.1')).status, 207, 'a remembered login from that address still works');
  const web = await s.request('POST', '/api/login', { headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '10.0.0.1' }, body: JSON.stringify({ username: 'alice', password: 'correct horse battery' }) });
  assert.is(web.status, 429, 'the web login is throttled the same way');
});

test('invalid UTF-8 in an XML body: 400 with a message, nothing changed', async () => {
  const body = Buffer.concat([
    Buffer.from('<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>bad '),
    Buffer.from([0xc3, 0x28, 0xff]),
    Buffer.from('</D:displayname></D:prop></D:set></D:propertyupdate>'),
  ]);
  const res = await s.request('PROPPATCH', '/dav/calendars/alice/personal/', { user: 'alice', headers: { 'Content-Type': 'application/xml' }, body });
  assert.is(res.status, 400, res.text);
  assert.match(res.text, /UTF-8/);
  const after = await s.request('PROPFIND', '/dav/calendars/alice/personal/', { user: 'alice', headers: { Depth: '0' }, body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>' });
  assert.not.match(after.text, /bad /, 'the display name is unchanged');
  for (const method of ['PROPFIND', 'REPORT']) {
    const r = await s.request(method, '/dav/calendars/alice/personal/', { user: 'alice', headers: { Depth: '0', 'Content-Type': 'application/xml' }, body: Buffer.concat([Buffer.from('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:display'), Buffer.from([0xfe]), Buffer.from('name/></D:prop></D:propfind>')]) });
    assert.is(r.status, 400, `${method}: ${r.text}`);
  }
});

test.run();
