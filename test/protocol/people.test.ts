// People, principal search and groups over DAV (issue 15 items 1, 2 and 6): another user's
// principal read as the directory, the search reports' limits (507 number-of-matches-within-
// limits past the result cap), principal-match, group principals, bad search bodies answered 4xx
// (never 500, nothing changes), and a calendar shared with a group reaching members as they join
// and leaving them as they leave, with their home's sync-collection reporting it.
// Apple's and Thunderbird's exact bodies are replayed in test/fixtures/transcripts/
// (apple-attendee-search.http, thunderbird-principal-search.http).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { C, CS, D, XML_HEADERS, errorConditions, hrefsIn, ical, parseMultistatus, prop, propText, propfind, putOk, syncCollection } from '../helpers/dav.js';
import { MAX_RESULTS } from '../../src/dav/principal-search.js';

interface Ctx {
  srv: TestServer;
}

const t = suite<Ctx>('people and groups over DAV');

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  for (const u of ['alice', 'bob', 'carol', 'dave']) await ctx.srv.addUser(u);
  await ctx.srv.store.setUserProfile('bob', { displayName: 'Bob Baker', addresses: ['bob@example.org', 'Robert@Example.com'] });
  await ctx.srv.store.setUserProfile('carol', { displayName: 'Carol Baker', addresses: ['carol@example.org'] });
});
t.after(async (ctx) => { await ctx.srv?.close(); });

const report = (srv: TestServer, user: string, path: string, body: string, depth = '0') =>
  srv.request('REPORT', path, { user, headers: { Depth: depth, ...XML_HEADERS }, body });

const csSearch = (tokens: string[], extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><C:calendarserver-principal-search xmlns:C="http://calendarserver.org/ns/" context="attendee">${tokens.map((x) => `<C:search-token>${x}</C:search-token>`).join('')}${extra}<A:prop xmlns:A="DAV:"><A:displayname/></A:prop></C:calendarserver-principal-search>`;

t('another user\'s principal: names, every address and the principal URL, INDIVIDUAL; not the home', async ({ srv }) => {
  const ms = await propfind(srv, 'alice', '/dav/principals/bob/', '0', [D('displayname'), C('calendar-user-address-set'), C('calendar-user-type'), C('calendar-home-set'), D('principal-URL'), CS('email-address-set'), D('group-member-set')]);
  const r = ms.responses[0]!;
  assert.is(propText(r, D('displayname')), 'Bob Baker');
  assert.equal(hrefsIn(prop(r, C('calendar-user-address-set'))), ['mailto:bob@example.org', 'mailto:Robert@Example.com', '/dav/principals/bob/']);
  assert.is(propText(r, C('calendar-user-type')), 'INDIVIDUAL');
  assert.equal(hrefsIn(prop(r, D('principal-URL'))), ['/dav/principals/bob/']);
  assert.is(prop(r, C('calendar-home-set')), undefined, 'another user\'s home is not given');
  assert.equal(hrefsIn(prop(r, D('group-member-set'))), []);
  // Their home stays closed; an unknown principal is 404.
  assert.is((await srv.request('PROPFIND', '/dav/calendars/bob/', { user: 'alice', headers: { Depth: '0' } })).status, 403);
  assert.is((await srv.request('PROPFIND', '/dav/principals/nobody/', { user: 'alice', headers: { Depth: '0' } })).status, 404);
  // The own principal still has the home.
  const own = await propfind(srv, 'bob', '/dav/principals/bob/', '0', [C('calendar-home-set')]);
  assert.equal(hrefsIn(prop(own.responses[0], C('calendar-home-set'))), ['/dav/calendars/bob/']);
});

t('search results past the cap (or the client\'s nresults) end with a 507 number-of-matches-within-limits response', async ({ srv }) => {
  // "baker" matches bob and carol; nresults 1 keeps one and says the rest was cut.
  const res = await report(srv, 'alice', '/dav/principals/', csSearch(['baker'], '<C:limit><C:nresults>1</C:nresults></C:limit>'));
  assert.is(res.status, 207, res.text);
  const ms = parseMultistatus(res.text);
  assert.is(ms.responses.length, 2, res.text);
  assert.is(ms.responses[1]!.href, '/dav/principals/');
  assert.is(ms.responses[1]!.status, 507);
  assert.ok(res.text.includes('number-of-matches-within-limits'), res.text);
  // principal-property-search with DAV:limit too; an empty match matches everyone, within the cap.
  const pps = await report(srv, 'alice', '/dav/principals/', `<d:principal-property-search xmlns:d="DAV:"><d:property-search><d:prop><d:displayname/></d:prop><d:match></d:match></d:property-search><d:prop><d:displayname/></d:prop><d:limit><d:nresults>2</d:nresults></d:limit></d:principal-property-search>`);
  assert.is(pps.status, 207, pps.text);
  assert.equal(parseMultistatus(pps.text).responses.map((r) => r.status ?? 200), [200, 200, 507]);
  assert.ok(MAX_RESULTS <= 1000, 'the server cap is small');
});

t('the server cap holds whatever nresults the client asks', async () => {
  const srv = await startTestServer();
  try {
    await srv.addUser('zed');
    for (let i = 0; i < MAX_RESULTS + 5; i++) await srv.store.createUser({ username: `user${i}`, passwordHash: 'x', displayName: `Same Name ${i}` });
    const res = await report(srv, 'zed', '/dav/principals/', csSearch(['same'], '<C:limit><C:nresults>100000</C:nresults></C:limit>'));
    assert.is(res.status, 207);
    const ms = parseMultistatus(res.text);
    assert.is(ms.responses.length, MAX_RESULTS + 1);
    assert.is(ms.responses[MAX_RESULTS]!.status, 507);
  } finally {
    await srv.close();
  }
});

t('bad search bodies: 400 (or 403 for an unknown report), never 500, and nothing changes', async ({ srv }) => {
  const long = 'x'.repeat(300);
  const bodies: [string, string][] = [
    ['/dav/principals/', '<d:principal-property-search xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:principal-property-search>'],
    ['/dav/principals/', '<d:principal-property-search xmlns:d="DAV:"><d:property-search><d:prop/><d:match>x</d:match></d:property-search></d:principal-property-search>'],
    ['/dav/principals/', '<d:principal-property-search xmlns:d="DAV:"><d:property-search><d:prop><d:displayname/></d:prop></d:property-search></d:principal-property-search>'],
    ['/dav/principals/', `<d:principal-property-search xmlns:d="DAV:"><d:property-search><d:prop><d:displayname/></d:prop><d:match>${long}</d:match></d:property-search></d:principal-property-search>`],
    ['/dav/principals/', '<d:principal-property-search xmlns:d="DAV:"><d:property-search><d:prop><d:displayname/></d:prop><d:match match-type="regex">.*</d:match></d:property-search></d:principal-property-search>'],
    ['/dav/principals/', '<d:principal-property-search xmlns:d="DAV:" test="someof"><d:property-search><d:prop><d:displayname/></d:prop><d:match>x</d:match></d:property-search></d:principal-property-search>'],
    ['/dav/principals/', `<d:principal-property-search xmlns:d="DAV:">${'<d:property-search><d:prop><d:displayname/></d:prop><d:match>x</d:match></d:property-search>'.repeat(17)}</d:principal-property-search>`],
    ['/dav/principals/', '<d:principal-property-search xmlns:d="DAV:"><d:property-search><d:prop><d:displayname/></d:prop><d:match>x</d:match></d:property-search><d:limit><d:nresults>-1</d:nresults></d:limit></d:principal-property-search>'],
    ['/dav/principals/', '<d:principal-property-search xmlns:d="DAV:"><d:property-search><d:prop><d:displayname/></d:prop><d:match>x</d:match></d:property-search><d:limit><d:nresults>lots</d:nresults></d:limit></d:principal-property-search>'],
    ['/dav/principals/', '<C:calendarserver-principal-search xmlns:C="http://calendarserver.org/ns/"/>'],
    ['/dav/principals/', csSearch([long])],
    ['/dav/principals/', csSearch(Array.from({ length: 17 }, (_, i) => `t${i}`))],
    ['/dav/principals/', csSearch(['x']).replace('context="attendee"', 'context="planet"')],
    ['/dav/principals/', '<d:principal-search-property-set xmlns:d="DAV:"><d:prop/></d:principal-search-property-set>'],
    ['/dav/principals/', '<d:principal-match xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:principal-match>'],
    ['/dav/principals/', '<d:principal-match xmlns:d="DAV:"><d:self/><d:principal-property><d:owner/></d:principal-property></d:principal-match>'],
    ['/dav/principals/', '<d:principal-match xmlns:d="DAV:"><d:principal-property/></d:principal-match>'],
    ['/dav/principals/', '<d:principal-property-search xmlns:d="DAV:"><d:property-search>'],
    ['/dav/principals/', 'not xml at all'],
  ];
  for (const [path, body] of bodies) {
    const res = await report(srv, 'alice', path, body);
    assert.ok(res.status === 400 || res.status === 403 || res.status === 422, `${body.slice(0, 120)} → ${res.status} ${res.text.slice(0, 200)}`);
  }
  const depth = await report(srv, 'alice', '/dav/principals/', '<d:principal-match xmlns:d="DAV:"><d:self/></d:principal-match>', '1');
  assert.is(depth.status, 400, 'principal-match with Depth 1');
  assert.is((await srv.store.listGroups()).length, 0);
  assert.is(propText((await propfind(srv, 'bob', '/dav/principals/bob/', '0', [D('displayname')])).responses[0], D('displayname')), 'Bob Baker');
  // A search report where it is not announced (a calendar) is 403 supported-report.
  const onCalendar = await report(srv, 'alice', '/dav/calendars/alice/personal/', csSearch(['bob']));
  assert.is(onCalendar.status, 403);
  assert.ok(errorConditions(onCalendar.text).includes(D('supported-report')), onCalendar.text);
});

t('principal-match self: the user\'s principal on /dav/principals/, their groups on /dav/groups/', async ({ srv }) => {
  const team = await srv.store.createGroup({ name: 'match-team', displayName: 'Match Team' });
  await srv.store.setGroupMembers('match-team', [(await srv.store.getUser('alice'))!.id]);
  await srv.store.createGroup({ name: 'other-team' });
  const body = '<d:principal-match xmlns:d="DAV:"><d:self/><d:prop><d:displayname/></d:prop></d:principal-match>';
  const users = parseMultistatus((await report(srv, 'alice', '/dav/principals/', body)).text);
  assert.equal(users.responses.map((r) => r.href), ['/dav/principals/alice/']);
  const groups = parseMultistatus((await report(srv, 'alice', '/dav/groups/', body)).text);
  assert.equal(groups.responses.map((r) => [r.href, propText(r, D('displayname'))]), [['/dav/groups/match-team/', 'Match Team']]);
  const byProp = await report(srv, 'alice', '/dav/groups/', '<d:principal-match xmlns:d="DAV:"><d:principal-property><d:group-member-set/></d:principal-property></d:principal-match>');
  assert.equal(parseMultistatus(byProp.text).responses.map((r) => r.href), ['/dav/groups/match-team/']);
  // The own calendars on the home, by DAV:owner.
  const owned = await report(srv, 'alice', '/dav/calendars/alice/', '<d:principal-match xmlns:d="DAV:"><d:principal-property><d:owner/></d:principal-property><d:prop><d:displayname/></d:prop></d:principal-match>');
  assert.equal(parseMultistatus(owned.text).responses.map((r) => r.href), ['/dav/calendars/alice/personal/']);
  await srv.store.deleteGroup(team.name);
  await srv.store.deleteGroup('other-team');
});

t('group principal: GROUP, group-member-set, supported reports on the principal collections, principal-collection-set', async ({ srv }) => {
  await srv.store.createGroup({ name: 'ops', displayName: 'Operations', email: 'ops@example.org' });
  await srv.store.setGroupMembers('ops', [(await srv.store.getUser('bob'))!.id, (await srv.store.getUser('carol'))!.id]);
  const ms = await propfind(srv, 'dave', '/dav/groups/ops/', '0', [D('resourcetype'), D('displayname'), C('calendar-user-type'), D('group-member-set'), C('calendar-user-address-set'), D('principal-URL')]);
  const r = ms.responses[0]!;
  assert.ok(prop(r, D('resourcetype'))!.children.some((c) => c.name === D('principal')));
  assert.is(propText(r, D('displayname')), 'Operations');
  assert.is(propText(r, C('calendar-user-type')), 'GROUP');
  assert.equal(hrefsIn(prop(r, D('group-member-set'))), ['/dav/principals/bob/', '/dav/principals/carol/']);
  assert.equal(hrefsIn(prop(r, C('calendar-user-address-set'))), ['mailto:ops@example.org', '/dav/groups/ops/']);
  const home = await propfind(srv, 'dave', '/dav/principals/dave/', '0', [D('principal-collection-set'), D('supported-report-set')]);
  assert.equal(hrefsIn(prop(home.responses[0], D('principal-collection-set'))), ['/dav/principals/', '/dav/groups/']);
  const coll = await propfind(srv, 'dave', '/dav/principals/', '0', [D('supported-report-set')]);
  const reports = JSON.stringify(prop(coll.responses[0], D('supported-report-set')));
  for (const name of ['principal-property-search', 'principal-search-property-set', 'principal-match', 'calendarserver-principal-search']) assert.ok(reports.includes(name), name);
  // Nothing below a group; a group cannot be written.
  assert.is((await srv.request('PROPFIND', '/dav/groups/ops/x', { user: 'dave', headers: { Depth: '0' } })).status, 404);
  assert.is((await srv.request('PROPFIND', '/dav/groups/nope/', { user: 'dave', headers: { Depth: '0' } })).status, 404);
  assert.is((await srv.request('PROPPATCH', '/dav/groups/ops/', { user: 'dave', headers: XML_HEADERS, body: '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>x</d:displayname></d:prop></d:set></d:propertyupdate>' })).status, 403);
  assert.ok([403, 405].includes((await srv.request('DELETE', '/dav/groups/ops/', { user: 'dave' })).status));
  assert.is((await srv.store.getGroup('ops'))?.displayName, 'Operations');
  // The members of /dav/groups/ are the groups the user is in.
  const listed = await propfind(srv, 'bob', '/dav/groups/', '1', [D('displayname')]);
  assert.equal(listed.responses.map((x) => x.href), ['/dav/groups/', '/dav/groups/ops/']);
  await srv.store.deleteGroup('ops');
});

t('a calendar shared with a group: joining adds it to the member\'s home, leaving removes it; their home sync reports both', async ({ srv }) => {
  const alice = (await srv.store.getUser('alice'))!;
  const dave = (await srv.store.getUser('dave'))!;
  const cal = (await srv.store.getInstance(alice.id, 'personal'))!.collection;
  await putOk(srv, 'alice', '/dav/calendars/alice/personal/standup.ics', ical('standup@x', { summary: 'Standup' }));
  const team = await srv.store.createGroup({ name: 'devs' });
  await srv.store.shareWithGroup(cal.id, team.id, 'read');

  const first = await syncCollection(srv, 'dave', '/dav/calendars/dave/', null, { props: [D('displayname')] });
  assert.not.ok(first.responses.some((r) => r.href.startsWith('/dav/calendars/dave/personal-alice/')));
  await srv.store.addGroupMember('devs', dave.id);
  const joined = await syncCollection(srv, 'dave', '/dav/calendars/dave/', first.syncToken!, { props: [D('displayname')] });
  const added = joined.responses.find((r) => r.href === '/dav/calendars/dave/personal-alice/');
  assert.ok(added && added.status === undefined, `added: ${JSON.stringify(joined.responses.map((r) => [r.href, r.status]))}`);
  // Dave reads the events; he may not write.
  const get = await srv.request('GET', '/dav/calendars/dave/personal-alice/standup.ics', { user: 'dave' });
  assert.is(get.status, 200);
  assert.ok(get.text.includes('Standup'));
  assert.is((await srv.request('PUT', '/dav/calendars/dave/personal-alice/new.ics', { user: 'dave', headers: { 'Content-Type': 'text/calendar' }, body: ical('new@x') })).status, 403);

  await srv.store.removeGroupMember('devs', dave.id);
  const left = await syncCollection(srv, 'dave', '/dav/calendars/dave/', joined.syncToken!, { props: [D('displayname')] });
  const removed = left.responses.find((r) => r.href === '/dav/calendars/dave/personal-alice/');
  assert.is(removed?.status, 404, 'reported removed');
  assert.is((await srv.request('GET', '/dav/calendars/dave/personal-alice/standup.ics', { user: 'dave' })).status, 404);
  await srv.store.deleteGroup('devs');
});

t.run();
