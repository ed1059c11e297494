// A subscription link over a group's calendars (issue 15 item 6: "all of the team's calendars,
// busy only"): a member creates it; it carries the calendars shared with the group as the member
// reaches them, with the sharee privacy rules of CLASS (private objects absent, confidential ones
// as busy time) and busy mode on top; it stops when the member leaves; non-members cannot create one.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ical, putOk } from '../helpers/dav.js';
import { login, type WebSession } from '../web/session.js';
import { assertNothingLeaks } from './fixtures.js';

interface Ctx {
  srv: TestServer;
  bob: WebSession;
  dave: WebSession;
}

const t = suite<Ctx>('feeds: a group\'s calendars');

const event = (uid: string, cls: string | null, summary: string) => ical(uid, { summary }).replace('END:VEVENT', `${cls ? `CLASS:${cls}\r\n` : ''}END:VEVENT`);

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  for (const u of ['alice', 'bob', 'carol', 'dave']) await ctx.srv.addUser(u);
  const s = ctx.srv.store;
  const id = async (u: string) => (await s.getUser(u))!.id;
  await putOk(ctx.srv, 'alice', '/dav/calendars/alice/personal/public.ics', event('public@x', null, 'SECRET-PUBLIC planning'));
  await putOk(ctx.srv, 'alice', '/dav/calendars/alice/personal/private.ics', event('private@x', 'PRIVATE', 'SECRET-PRIVATE doctor'));
  await putOk(ctx.srv, 'alice', '/dav/calendars/alice/personal/conf.ics', event('conf@x', 'CONFIDENTIAL', 'SECRET-CONF interview'));
  await putOk(ctx.srv, 'carol', '/dav/calendars/carol/personal/c.ics', event('carol@x', null, 'SECRET-CAROL review'));
  const team = await s.createGroup({ name: 'team', displayName: 'Team' });
  await s.setGroupMembers('team', [await id('bob'), await id('alice')]);
  for (const owner of ['alice', 'carol']) await s.shareWithGroup((await s.getInstance(await id(owner), 'personal'))!.collection.id, team.id, 'read');
  ctx.bob = await login(ctx.srv, 'bob');
  ctx.dave = await login(ctx.srv, 'dave');
});
t.after(async (ctx) => { await ctx.srv.close(); });

const fetchFeed = async (srv: TestServer, url: string) => {
  const res = await fetch(srv.url + new URL(url).pathname);
  return { status: res.status, text: await res.text() };
};

t('full details: every calendar shared with the group, private objects absent, confidential ones busy', async ({ srv, bob }) => {
  const made = await bob.ok('POST', '/feeds', { group: 'team' });
  assert.is(made.link.group, 'team');
  assert.is(made.link.available, true);
  const feed = await fetchFeed(srv, made.url);
  assert.is(feed.status, 200);
  assert.ok(feed.text.includes('SECRET-PUBLIC planning'));
  assert.ok(feed.text.includes('SECRET-CAROL review'), 'carol\'s calendar, shared with the team, is in it');
  assert.not.ok(feed.text.includes('private@x'), 'a private object is not there at all');
  assert.ok(feed.text.includes('conf@x'));
  assert.not.ok(feed.text.includes('SECRET-CONF'), 'a confidential object is busy time only');
  assert.ok(feed.text.includes('X-WR-CALNAME:Team — all calendars'));
  assert.ok((await bob.ok('GET', '/feeds')).feeds.some((f: { group: string | null }) => f.group === 'team'));
});

t('busy only: nothing sensitive leaks; leaving the group ends the link', async ({ srv, bob }) => {
  const made = await bob.ok('POST', '/feeds', { group: 'team', details: 'busy' });
  const feed = await fetchFeed(srv, made.url);
  assert.is(feed.status, 200);
  assertNothingLeaks(feed.text);
  assert.ok(feed.text.includes('UID:public@x') && feed.text.includes('UID:carol@x'));
  assert.not.ok(feed.text.includes('private@x'));
  await srv.store.removeGroupMember('team', (await srv.store.getUser('bob'))!.id);
  assert.is((await fetchFeed(srv, made.url)).status, 404);
  assert.is((await bob.ok('GET', '/feeds')).feeds.find((f: { id: number }) => f.id === made.link.id).available, false);
  await srv.store.addGroupMember('team', (await srv.store.getUser('bob'))!.id);
  assert.is((await fetchFeed(srv, made.url)).status, 200, 'back in the group, the link works again');
});

t('only members create a group link; a link is one calendar or one group', async ({ bob, dave }) => {
  assert.is((await dave.call('POST', '/feeds', { group: 'team' })).status, 404);
  assert.is((await dave.call('POST', '/feeds', { group: 'nope' })).status, 404);
  assert.is((await bob.call('POST', '/feeds', { group: 'team', calendar: 'personal' })).status, 400);
  assert.is((await bob.call('POST', '/feeds', { group: 42 })).status, 400);
});

t.run();
