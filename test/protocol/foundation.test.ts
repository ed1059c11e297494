// The foundation over HTTP: health check, Basic authentication with its challenge, URL-decoded
// user names, throttling, the well-known redirect, error rendering, and no secret in the logs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, basic, PASSWORD, type TestServer } from '../helpers/server.js';

const t = suite<{ srv: TestServer }>('foundation');

t.before(async (ctx) => {
  ctx.srv = await startTestServer({ SUNDIAL_LOGIN_FAILURE_LIMIT: '3' });
  await ctx.srv.addUser('alice');
  await ctx.srv.addUser('bob@example.com');
});
t.after(async (ctx) => { await ctx.srv.close(); });

t('GET /healthz answers 200 without login', async ({ srv }) => {
  const res = await srv.request('GET', '/healthz');
  assert.is(res.status, 200);
  assert.equal(JSON.parse(res.text), { status: 'ok' });
  assert.ok(res.headers.get('x-request-id'));
});

t('a DAV request without credentials gets 401 with a Basic challenge', async ({ srv }) => {
  const res = await srv.request('PROPFIND', '/dav/', { headers: { Depth: '0' } });
  assert.is(res.status, 401);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm="Sundial"/);
});

t('PROPFIND on / without credentials is DAV (401), never the HTML page', async ({ srv }) => {
  const res = await srv.request('PROPFIND', '/', { headers: { Depth: '0' } });
  assert.is(res.status, 401);
  const page = await srv.request('GET', '/');
  assert.is(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
});

t('wrong password and unknown user get 401', async ({ srv }) => {
  assert.is((await srv.request('OPTIONS', '/dav/', { user: 'alice', password: 'nope' })).status, 401);
  assert.is((await srv.request('OPTIONS', '/dav/', { user: 'nobody' })).status, 401);
});

t('correct credentials pass; OPTIONS lists the DAV classes', async ({ srv }) => {
  const res = await srv.request('OPTIONS', '/dav/calendars/alice/', { user: 'alice' });
  assert.is(res.status, 200);
  assert.match(res.headers.get('dav') ?? '', /calendar-access/);
  assert.match(res.headers.get('allow') ?? '', /PROPFIND/);
});

t('URL-encoded user names are decoded (iOS sends alice%40example.com)', async ({ srv }) => {
  const res = await srv.request('OPTIONS', '/dav/', { headers: { Authorization: basic('bob%40example.com') } });
  assert.is(res.status, 200);
});

t('well-known redirects with 301 for GET and PROPFIND', async ({ srv }) => {
  for (const method of ['GET', 'PROPFIND']) {
    const res = await srv.request(method, '/.well-known/caldav');
    assert.is(res.status, 301, method);
    assert.is(new URL(res.headers.get('location') ?? '', srv.url).pathname, '/dav/');
  }
});

t('another user\'s home answers 403 as <d:error> XML', async ({ srv }) => {
  const res = await srv.request('OPTIONS', '/dav/calendars/bob%40example.com/', { user: 'alice' });
  assert.is(res.status, 403);
  assert.match(res.headers.get('content-type') ?? '', /application\/xml/);
  assert.match(res.text, /<d:error[\s>]/);
});

t('a method Sundial does not implement (SEARCH) is 501 with an error body; the server keeps serving', async ({ srv }) => {
  const res = await srv.request('SEARCH', '/dav/', { user: 'alice' });
  assert.is(res.status, 501);
  assert.is((await srv.request('GET', '/healthz')).status, 200);
});

t('repeated failures for one account from one address are throttled with 429', async ({ srv }) => {
  await srv.addUser('carol');
  for (let i = 0; i < 3; i++) assert.is((await srv.request('OPTIONS', '/dav/', { user: 'carol', password: `bad${i}` })).status, 401);
  const blocked = await srv.request('OPTIONS', '/dav/', { user: 'carol' });
  assert.is(blocked.status, 429, 'even the right password is refused while throttled');
  assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  // Other accounts from the same address are not affected.
  assert.is((await srv.request('OPTIONS', '/dav/', { user: 'alice' })).status, 200);
});

t('no password or Authorization header ever reaches the log', async ({ srv }) => {
  await srv.request('OPTIONS', '/dav/', { user: 'alice' });
  await srv.request('OPTIONS', '/dav/', { user: 'alice', password: 'wrong-secret-xyz' });
  const all = srv.logLines.join('');
  assert.ok(all.includes('"reqId"'), 'requests are logged with a request id');
  assert.not.ok(all.includes(PASSWORD));
  assert.not.ok(all.includes('wrong-secret-xyz'));
  assert.not.ok(all.includes(basic('alice').slice(6)));
});

t.run();
