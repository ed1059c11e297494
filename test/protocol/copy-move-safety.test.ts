// COPY and MOVE that cannot hurt (issue 11, items 5 and 6). A new collection is created in the
// requesting user's own home, never in another's: a sharee's COPY of a shared calendar is the
// sharee's calendar. A refused COPY/MOVE with Overwrite: T changes nothing: what it would replace
// is deleted in the same transaction as the write that replaces it (RFC 4918 §9.8.4, §9.9).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { C, errorConditions, ical, propfind, putOk } from '../helpers/dav.js';

interface Ctx { srv: TestServer }
const t = suite<Ctx>('COPY/MOVE safety');

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('olga'); // owner
  await ctx.srv.addUser('carol'); // sharee
  const store = ctx.srv.store;
  const olga = (await store.getUser('olga'))!;
  const carol = (await store.getUser('carol'))!;
  const team = await store.createCollection(olga.id, { kind: 'calendar', uri: 'team', displayName: 'Team' });
  await store.share(team.id, carol.id, 'read');
  await putOk(ctx.srv, 'olga', '/dav/calendars/olga/team/t1.ics', ical('t1@t', { summary: 'Team event' }));
});
t.after(async (ctx) => { await ctx.srv.close(); });

const req = (srv: TestServer, user: string, method: string, path: string, headers: Record<string, string> = {}) => srv.request(method, path, { user, headers });
const uris = async (srv: TestServer, user: string) => (await srv.store.listInstances((await srv.store.getUser(user))!.id)).map((i) => `${i.uri}:${i.access}`).sort();

t('a read-only sharee\'s COPY of the shared calendar creates it in the sharee\'s home, owned by the sharee', async ({ srv }) => {
  const olgaBefore = await uris(srv, 'olga');
  const res = await req(srv, 'carol', 'COPY', '/dav/calendars/carol/team/', { Destination: '/dav/calendars/carol/stolen/' });
  assert.is(res.status, 201, res.text);
  assert.equal(await uris(srv, 'olga'), olgaBefore, 'nothing new in the owner\'s home');
  assert.ok((await uris(srv, 'carol')).includes('stolen:owner'), 'the copy is carol\'s own calendar');
  assert.match((await req(srv, 'carol', 'GET', '/dav/calendars/carol/stolen/t1.ics')).text, /UID:t1@t/);
  // And it is carol's to change: the owner's calendar is untouched by it.
  assert.is((await req(srv, 'carol', 'DELETE', '/dav/calendars/carol/stolen/t1.ics')).status, 204);
  assert.is((await req(srv, 'olga', 'GET', '/dav/calendars/olga/team/t1.ics')).status, 200);
});

t('a sharee cannot MOVE the shared calendar (403 need-privileges), and it stays where it is', async ({ srv }) => {
  const res = await req(srv, 'carol', 'MOVE', '/dav/calendars/carol/team/', { Destination: '/dav/calendars/carol/mine/' });
  assert.is(res.status, 403);
  assert.ok(errorConditions(res.text).includes('{DAV:}need-privileges'), res.text);
  assert.ok((await uris(srv, 'olga')).includes('team:owner'));
});

t('COPY with Overwrite: T refused after the checks of the DAV layer (no-uid-conflict in the store) leaves the destination collection and its members', async ({ srv }) => {
  // A plain collection p holds a copy of an event; q is a sibling collection with a member.
  // COPY of the event onto q would put a second object with the same UID into p: refused.
  await req(srv, 'carol', 'MKCOL', '/dav/calendars/carol/p/');
  await req(srv, 'carol', 'MKCOL', '/dav/calendars/carol/p/q/');
  await srv.request('PUT', '/dav/calendars/carol/p/q/keep.txt', { user: 'carol', body: 'keep me' });
  await putOk(srv, 'carol', '/dav/calendars/carol/personal/e.ics', ical('e@t'));
  assert.is((await req(srv, 'carol', 'COPY', '/dav/calendars/carol/personal/e.ics', { Destination: '/dav/calendars/carol/p/e.ics' })).status, 201);
  const res = await req(srv, 'carol', 'COPY', '/dav/calendars/carol/personal/e.ics', { Destination: '/dav/calendars/carol/p/q/', Overwrite: 'T' });
  assert.is(res.status, 403, res.text);
  assert.ok(errorConditions(res.text).includes(C('no-uid-conflict')), res.text);
  const kept = await req(srv, 'carol', 'GET', '/dav/calendars/carol/p/q/keep.txt');
  assert.is(kept.status, 200, 'the destination collection and its member survive the refusal');
  assert.is(kept.text, 'keep me');
});

t('MOVE of a collection onto its own parent is refused and deletes nothing', async ({ srv }) => {
  await req(srv, 'carol', 'MKCOL', '/dav/calendars/carol/outer/');
  await req(srv, 'carol', 'MKCOL', '/dav/calendars/carol/outer/inner/');
  await srv.request('PUT', '/dav/calendars/carol/outer/inner/f.txt', { user: 'carol', body: 'f' });
  const res = await req(srv, 'carol', 'MOVE', '/dav/calendars/carol/outer/inner/', { Destination: '/dav/calendars/carol/outer/', Overwrite: 'T' });
  assert.ok(res.status === 403 || res.status === 409, `${res.status} ${res.text}`);
  assert.is((await req(srv, 'carol', 'GET', '/dav/calendars/carol/outer/inner/f.txt')).text, 'f');
});

t('COPY of a calendar with Overwrite: T onto another of the user\'s calendars replaces it in one step', async ({ srv }) => {
  await req(srv, 'carol', 'MKCALENDAR', '/dav/calendars/carol/diary/');
  await putOk(srv, 'carol', '/dav/calendars/carol/diary/d.ics', ical('d@t'));
  const res = await req(srv, 'carol', 'COPY', '/dav/calendars/carol/team/', { Destination: '/dav/calendars/carol/diary/', Overwrite: 'T' });
  assert.is(res.status, 204, res.text);
  assert.is((await req(srv, 'carol', 'GET', '/dav/calendars/carol/diary/d.ics')).status, 404);
  assert.is((await req(srv, 'carol', 'GET', '/dav/calendars/carol/diary/t1.ics')).status, 200);
  const ms = await propfind(srv, 'carol', '/dav/calendars/carol/diary/', '1', ['{DAV:}getetag']);
  assert.is(ms.responses.length, 2, 'the collection and the one copied member');
  assert.ok(!(await uris(srv, 'olga')).some((u) => u.startsWith('diary')), 'nothing in the owner\'s home');
});

t('COPY of a collection with Overwrite: T onto a file replaces the file (one transaction)', async ({ srv }) => {
  await req(srv, 'carol', 'MKCOL', '/dav/calendars/carol/files/');
  await srv.request('PUT', '/dav/calendars/carol/files/name', { user: 'carol', body: 'a file' });
  await req(srv, 'carol', 'MKCOL', '/dav/calendars/carol/src/');
  await srv.request('PUT', '/dav/calendars/carol/src/m.txt', { user: 'carol', body: 'member' });
  const res = await req(srv, 'carol', 'COPY', '/dav/calendars/carol/src/', { Destination: '/dav/calendars/carol/files/name/', Overwrite: 'T' });
  assert.is(res.status, 204, res.text);
  assert.is((await req(srv, 'carol', 'GET', '/dav/calendars/carol/files/name/m.txt')).text, 'member');
});

t.run();
