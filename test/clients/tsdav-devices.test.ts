// tsdav (npm) logging in with two devices' app passwords of one user (issue 16): discovery works
// with an app password, fetchCalendars lists each device's own selection, tsdav's sync-collection
// on the home reports a selection change to that device only, and a revoked password stops tsdav
// at its next request.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DAVClient } from 'tsdav';
import { guardedBefore } from '../web/setup.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { D, ical, propfindBody, putOk, parseMultistatus, propText, XML_HEADERS } from '../helpers/dav.js';
import { login, type WebSession } from '../web/session.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  alice: WebSession;
  phone: { id: number; client: DAVClient; password: string };
  laptop: { id: number; client: DAVClient; password: string };
}

const HOME = '/dav/calendars/alice/';

async function device(srv: TestServer, alice: WebSession, name: string) {
  const created = await alice.ok('POST', '/devices', { name });
  const client = new DAVClient({ serverUrl: srv.url, credentials: { username: 'alice', password: created.password }, authMethod: 'Basic', defaultAccountType: 'caldav' });
  await client.login();
  return { id: created.device.id as number, client, password: created.password as string };
}

const paths = async (client: DAVClient) => (await client.fetchCalendars()).map((c) => new URL(c.url).pathname).sort();

async function homeToken(srv: TestServer, password: string): Promise<string> {
  const res = await srv.request('PROPFIND', HOME, { user: 'alice', password, headers: { ...XML_HEADERS, Depth: '0' }, body: propfindBody([D('sync-token')]) });
  return propText(parseMultistatus(res.text).responses[0], D('sync-token'))!;
}

async function homeChanges(srv: TestServer, client: DAVClient, syncToken: string) {
  const rs = await client.syncCollection({ url: new URL(HOME, srv.url).href, props: { 'd:displayname': {} }, syncLevel: 1, syncToken });
  return rs.filter((r) => r.href).map((r) => `${decodeURIComponent(new URL(r.href!, srv.url).pathname)} ${r.status}`).sort();
}

const t = suite<Ctx>('tsdav with device passwords');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  ctx.alice = await login(ctx.srv, 'alice');
  for (const name of ['Work', 'Archive']) await ctx.alice.ok('POST', '/calendars', { displayName: name });
  await putOk(ctx.srv, 'alice', '/dav/calendars/alice/work/w.ics', ical('w'));
  ctx.phone = await device(ctx.srv, ctx.alice, 'Phone');
  ctx.laptop = await device(ctx.srv, ctx.alice, 'Laptop');
});
t.after(async (ctx) => { await ctx.srv?.close(); });

t('discovery with an app password; each device lists its own selection', async ({ srv, alice, phone, laptop }) => {
  assert.is(phone.client.account?.homeUrl && new URL(phone.client.account.homeUrl).pathname, HOME);
  await alice.ok('PATCH', `/devices/${phone.id}`, { calendars: ['work', 'personal'] });
  assert.equal(await paths(phone.client), ['/dav/calendars/alice/personal/', '/dav/calendars/alice/work/']);
  assert.equal(await paths(laptop.client), ['/dav/calendars/alice/archive/', '/dav/calendars/alice/personal/', '/dav/calendars/alice/work/']);
  const objects = await phone.client.fetchCalendarObjects({ calendar: { url: new URL('/dav/calendars/alice/work/', srv.url).href } });
  assert.ok(objects.some((o) => /UID:w/.test(String(o.data))));
});

t("tsdav's home sync-collection reports a selection change to that device only", async ({ srv, alice, phone, laptop }) => {
  const p = await homeToken(srv, phone.password);
  const l = await homeToken(srv, laptop.password);
  await alice.ok('PATCH', `/devices/${phone.id}`, { calendars: ['work', 'archive'] });
  assert.equal(await homeChanges(srv, phone.client, p), ['/dav/calendars/alice/archive/ 207', '/dav/calendars/alice/personal/ 404'], 'added (tsdav gives a member the 207 of the answer) and removed');
  assert.equal(await homeChanges(srv, laptop.client, l), []);
  assert.equal(await paths(phone.client), ['/dav/calendars/alice/archive/', '/dav/calendars/alice/work/']);
});

t('a revoked device: tsdav gets 401 at its next request', async ({ srv, alice, phone }) => {
  await alice.ok('DELETE', `/devices/${phone.id}`);
  const res = await phone.client.propfind({ url: new URL(HOME, srv.url).href, props: { 'd:displayname': {} }, depth: '0' });
  assert.is(res[0]?.status, 401);
});

t.run();
