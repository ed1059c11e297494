// PROPFIND Depth 1 etag listings are read and sent in pages of rows (row-listing.ts LISTING_PAGE, 250):
// a calendar of several pages must still be listed whole, in name order, every member once,
// each with its stored etag — and a write between two listings shows in the next one.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { D, ical, parseMultistatus, XML_HEADERS } from '../helpers/dav.js';
import { textOf } from '../../src/xml/parse.js';

const CAL = '/dav/calendars/alice/personal/';
const BODY = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>';
const COUNT = 2345; // nine full pages and a partial one

const t = suite<{ srv: TestServer }>('etag listing in pages', { srv: undefined as unknown as TestServer });
t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('alice');
  const alice = (await ctx.srv.store.getUser('alice'))!;
  const cal = (await ctx.srv.store.getInstance(alice.id, 'personal'))!.collection;
  // Straight into the store: the listing, not the PUT path, is under test here.
  for (let i = 0; i < COUNT; i++) {
    const uid = `ev-${String(i).padStart(5, '0')}`;
    await ctx.srv.store.putObject(cal.id, { name: `${uid}.ics`, data: Buffer.from(ical(uid)), contentType: 'text/calendar', uid, componentType: 'VEVENT' });
  }
});
t.after(async ({ srv }) => srv.close());

async function listing(srv: TestServer) {
  const res = await srv.request('PROPFIND', CAL, { user: 'alice', headers: { ...XML_HEADERS, Depth: '1' }, body: BODY });
  assert.is(res.status, 207);
  return parseMultistatus(res.text).responses.filter((r) => r.href !== CAL);
}

t('every member once, in name order, with its stored etag', async ({ srv }) => {
  const members = await listing(srv);
  assert.is(members.length, COUNT);
  const names = members.map((m) => m.href.slice(CAL.length));
  assert.equal(names, [...names].sort(), 'name order');
  assert.is(new Set(names).size, COUNT, 'no member twice');
  const alice = (await srv.store.getUser('alice'))!;
  const cal = (await srv.store.getInstance(alice.id, 'personal'))!.collection;
  const stored = new Map((await srv.store.listObjects(cal.id)).map((o) => [o.name, o.etag]));
  for (const m of members) {
    const etag = m.propstats[0]!.props.get(D('getetag'));
    assert.is(m.propstats[0]!.status, 200);
    assert.is(etag && textOf(etag).trim(), stored.get(m.href.slice(CAL.length)), `etag of ${m.href}`);
  }
});

t('a member added and one deleted show in the next listing', async ({ srv }) => {
  const alice = (await srv.store.getUser('alice'))!;
  const cal = (await srv.store.getInstance(alice.id, 'personal'))!.collection;
  await srv.store.deleteObject(cal.id, 'ev-01000.ics'); // the first row of the second page
  await srv.store.putObject(cal.id, { name: 'zz-last.ics', data: Buffer.from(ical('zz')), contentType: 'text/calendar', uid: 'zz', componentType: 'VEVENT' });
  const names = (await listing(srv)).map((m) => m.href.slice(CAL.length));
  assert.is(names.length, COUNT);
  assert.not.ok(names.includes('ev-01000.ics'));
  assert.is(names[names.length - 1], 'zz-last.ics');
});

t.run();
