// DELETE of calendars over DAV follows the page's rules: the owner deletes a calendar, but never
// the last own one (iOS misbehaves on an empty home); the refusal changes nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';

const t = suite<{ srv: TestServer }>('DELETE of calendars');
t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('dora');
});
t.after(async (ctx) => { await ctx.srv.close(); });

const listing = async (srv: TestServer) => (await srv.request('PROPFIND', '/dav/calendars/dora/', { user: 'dora', headers: { Depth: '1' }, body: '<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>' })).text;

t('the last own calendar cannot be deleted: 403, and it is still there', async ({ srv }) => {
  const res = await srv.request('DELETE', '/dav/calendars/dora/personal/', { user: 'dora' });
  assert.is(res.status, 403);
  assert.match(res.text, /last calendar/);
  assert.match(await listing(srv), /\/dav\/calendars\/dora\/personal\//);
});

t('with a second calendar, the first can be deleted', async ({ srv }) => {
  assert.is((await srv.request('MKCALENDAR', '/dav/calendars/dora/work/', { user: 'dora' })).status, 201);
  assert.is((await srv.request('DELETE', '/dav/calendars/dora/personal/', { user: 'dora' })).status, 204);
  const after = await listing(srv);
  assert.not.match(after, /\/dav\/calendars\/dora\/personal\//);
  assert.match(after, /\/dav\/calendars\/dora\/work\//);
  assert.is((await srv.request('DELETE', '/dav/calendars/dora/work/', { user: 'dora' })).status, 403, 'now work is the last one');
});

t.run();
