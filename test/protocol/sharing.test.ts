// The share matrix (issue 5, items 3 and 8; SPEC "Sharing"): the owner, a read-only sharee, a
// read-write sharee and a stranger × every DAV method on a shared calendar and its objects.
// Read-only: every write is 403 with DAV:need-privileges and nothing changes; its
// current-user-privilege-set has no write privilege (Thunderbird and iOS then show it read-only).
// Read-write: objects can be created, changed and deleted. Stranger: 403/404 and no data leaks,
// not even through a multiget or COPY aimed at the owner's URLs. The shared calendar appears in
// the sharee's own home under its own URI and under "Other calendars"; unsharing removes it (the
// sharee's home sync reports a 404); the sharee can drop it from their own list without touching
// the owner's calendar.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/server.js';
import {
  C, D, ICAL, XML_HEADERS, describe, descendantNames, errorConditions, ical, multigetBody, parseMultistatus, prop, propfind, propText, putIcs, putOk, syncCollection,
} from '../helpers/dav.js';
import { login, type WebSession } from '../web/session.js';

type Role = 'owner' | 'read' | 'rw' | 'stranger';
const USER: Record<Role, string> = { owner: 'alice', read: 'rita', rw: 'walt', stranger: 'sam' };
const SECRET = 'Secret planning meeting';
const OWNER_CAL = '/dav/calendars/alice/team/';

/** Where each role reaches the shared calendar: sharees through their own home. */
const CAL: Record<Role, string> = {
  owner: OWNER_CAL,
  read: '/dav/calendars/rita/team/',
  rw: '/dav/calendars/walt/team/',
  stranger: OWNER_CAL, // the only URL a stranger could know
};
const OWN = (role: Role) => `/dav/calendars/${USER[role]}/personal/`;
const WRITERS: Role[] = ['owner', 'rw'];
const READERS: Role[] = ['owner', 'read', 'rw'];

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  alice: WebSession;
}

const t = suite<Ctx>('share matrix');

function req(srv: TestServer, role: Role, method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<TestResponse> {
  return srv.request(method, path, { user: USER[role], ...opts });
}

const dest = (srv: TestServer, path: string) => ({ Destination: srv.url + path });

function needPrivileges(res: TestResponse, what: string): void {
  assert.is(res.status, 403, what);
  assert.ok(errorConditions(res.text).includes(D('need-privileges')), `${what}: DAV:need-privileges in ${res.text.slice(0, 300)}`);
}

/** A stranger's answer: 403 or 404, and nothing of the calendar in the body. */
function refused(res: TestResponse, what: string): void {
  assert.ok(res.status === 403 || res.status === 404, describe(what, '', res));
  for (const leak of [SECRET, 'UID:e1', 'Team']) assert.not.ok(res.text.includes(leak), `${what} leaks "${leak}": ${res.text.slice(0, 300)}`);
}

async function exists(srv: TestServer, path: string): Promise<boolean> {
  const res = await srv.request('GET', path, { user: 'alice' });
  return res.status === 200;
}

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  for (const u of Object.values(USER)) await ctx.srv.addUser(u);
  ctx.alice = await login(ctx.srv, 'alice');
  const team = await ctx.alice.ok('POST', '/calendars', { displayName: 'Team', color: '#aa3300' });
  assert.is(team.uri, 'team');
  await putOk(ctx.srv, 'alice', `${OWNER_CAL}e1.ics`, ical('e1', { summary: SECRET }));
  await putOk(ctx.srv, 'alice', `${OWNER_CAL}keep.ics`, ical('keep'));
  await ctx.alice.ok('PUT', '/calendars/team/shares/rita', { access: 'read' });
  await ctx.alice.ok('PUT', '/calendars/team/shares/walt', { access: 'read-write' });
  for (const role of ['owner', 'read', 'rw', 'stranger'] as Role[]) {
    await putOk(ctx.srv, USER[role], `${OWN(role)}own.ics`, ical(`own-${role}`));
    await putOk(ctx.srv, USER[role], `${OWN(role)}mv.ics`, ical(`mv-${role}`));
  }
});
t.after(async (ctx) => { await ctx.srv?.close(); });

// ---------------------------------------------------------------------------------------------
// Where a share appears

t('the shared calendar is in each sharee\'s home under its own URI, and under "Other calendars"', async ({ srv, alice }) => {
  for (const role of ['read', 'rw'] as Role[]) {
    const home = `/dav/calendars/${USER[role]}/`;
    const ms = await propfind(srv, USER[role], home, '1', [D('displayname'), D('resourcetype')]);
    const entry = ms.responses.find((r) => r.href === CAL[role]);
    assert.ok(entry, `${CAL[role]} in ${ms.responses.map((r) => r.href)}`);
    assert.is(propText(entry, D('displayname')), 'Team');
    assert.ok(descendantNames(prop(entry, D('resourcetype'))).includes(C('calendar')));
    const web = await login(srv, USER[role]);
    const { mine, others } = await web.ok('GET', '/calendars');
    assert.not.ok(mine.some((c: { uri: string }) => c.uri === 'team'), 'not under My calendars');
    const o = others.find((c: { uri: string }) => c.uri === 'team');
    assert.ok(o, 'under Other calendars');
    assert.is(o.owner, 'alice');
    assert.is(o.access, role === 'read' ? 'read' : 'read-write');
    assert.is(o.path, CAL[role]);
    assert.is(o.shares, undefined, 'a sharee does not see who else it is shared with');
  }
  const { mine } = await alice.ok('GET', '/calendars');
  const team = mine.find((c: { uri: string }) => c.uri === 'team');
  assert.equal(team.shares, [{ username: 'rita', access: 'read' }, { username: 'walt', access: 'read-write' }]);
  // Nothing in the stranger's home.
  const sam = await propfind(srv, 'sam', '/dav/calendars/sam/', '1', [D('displayname')]);
  assert.not.ok(sam.responses.some((r) => r.href.includes('team')));
});

t('a share whose URI is taken in the sharee\'s home gets a free one', async ({ srv, alice }) => {
  await alice.ok('PUT', '/calendars/personal/shares/rita', { access: 'read' });
  const ms = await propfind(srv, 'rita', '/dav/calendars/rita/', '1', [D('displayname')]);
  const hrefs = ms.responses.map((r) => r.href);
  assert.ok(hrefs.includes('/dav/calendars/rita/personal/'), 'rita\'s own Personal stays');
  const shared = ms.responses.find((r) => r.href !== '/dav/calendars/rita/personal/' && r.href.startsWith('/dav/calendars/rita/personal'));
  assert.ok(shared, `alice's Personal under another URI: ${hrefs}`);
  assert.ok((await srv.request('GET', `${shared!.href}own.ics`, { user: 'rita' })).status === 200);
  await alice.ok('DELETE', '/calendars/personal/shares/rita');
});

// ---------------------------------------------------------------------------------------------
// Reading

t('PROPFIND Depth 0 and 1, GET, HEAD: owner and both sharees read; the stranger gets nothing', async ({ srv }) => {
  for (const role of READERS) {
    const d0 = await propfind(srv, USER[role], CAL[role], '0', [D('displayname'), D('getetag')]);
    assert.is(propText(d0.responses[0], D('displayname')), 'Team', role);
    const d1 = await propfind(srv, USER[role], CAL[role], '1', [D('getetag')]);
    assert.ok(d1.responses.some((r) => r.href === `${CAL[role]}e1.ics`), `${role} Depth 1`);
    const get = await req(srv, role, 'GET', `${CAL[role]}e1.ics`);
    assert.is(get.status, 200, role);
    assert.ok(get.text.includes(SECRET));
    const head = await req(srv, role, 'HEAD', `${CAL[role]}e1.ics`);
    assert.is(head.status, 200, role);
    assert.is(head.text, '');
    assert.is(head.headers.get('etag'), get.headers.get('etag'));
  }
  // (The owner's principal is the directory, readable by anyone logged in: protocol/people.test.ts.)
  for (const path of [OWNER_CAL, `${OWNER_CAL}e1.ics`, '/dav/calendars/alice/']) {
    for (const depth of ['0', '1']) {
      refused(await req(srv, 'stranger', 'PROPFIND', path, { headers: { Depth: depth, ...XML_HEADERS }, body: '<d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>' }), `stranger PROPFIND ${depth} ${path}`);
    }
  }
  refused(await req(srv, 'stranger', 'GET', `${OWNER_CAL}e1.ics`), 'stranger GET');
  refused(await req(srv, 'stranger', 'GET', OWNER_CAL), 'stranger GET calendar');
  refused(await req(srv, 'stranger', 'GET', '/dav/calendars/sam/team/e1.ics'), 'stranger GET in own home');
});

t('HEAD keeps the status of a refusal or a missing resource (never 204)', async ({ srv }) => {
  // A 204 to HEAD tells a client the resource exists.
  const stranger = await req(srv, 'stranger', 'HEAD', `${OWNER_CAL}e1.ics`);
  assert.ok(stranger.status === 403 || stranger.status === 404, `stranger HEAD ${OWNER_CAL}e1.ics → ${stranger.status}`);
  const missing = await req(srv, 'owner', 'HEAD', `${OWNER_CAL}nothing-here.ics`);
  assert.is(missing.status, 404, `owner HEAD of a missing object → ${missing.status}`);
});

t('current-user-privilege-set: read has no write privilege, read-write has write-content', async ({ srv }) => {
  const WRITE = [D('write'), D('write-content'), D('write-properties'), D('all')];
  const privs = async (role: Role, path: string) => {
    const ms = await propfind(srv, USER[role], path, '0', [D('current-user-privilege-set')]);
    return descendantNames(prop(ms.responses[0], D('current-user-privilege-set')));
  };
  for (const path of [CAL.read, `${CAL.read}e1.ics`]) {
    const read = await privs('read', path);
    assert.ok(read.includes(D('read')), `read privilege on ${path}: ${read}`);
    for (const w of WRITE) assert.not.ok(read.includes(w), `no ${w} for the read sharee on ${path}: ${read}`);
  }
  const rw = await privs('rw', CAL.rw);
  assert.ok(rw.includes(D('write-content')), `rw: ${rw}`);
  const owner = await privs('owner', CAL.owner);
  assert.ok(owner.includes(D('write')) || owner.includes(D('all')), `owner: ${owner}`);
  // The home listing, which is what iOS and macOS read, says the same.
  const home = await propfind(srv, 'rita', '/dav/calendars/rita/', '1', [D('current-user-privilege-set')]);
  const inHome = descendantNames(prop(home.responses.find((r) => r.href === CAL.read), D('current-user-privilege-set')));
  for (const w of WRITE) assert.not.ok(inHome.includes(w), `no ${w} in rita's home listing`);
});

t('REPORT multiget, sync-collection and calendar-query: readers get data; the stranger none', async ({ srv }) => {
  const query = `<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>`;
  const expandQuery = `<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data><c:expand start="20000101T000000Z" end="20400101T000000Z"/></c:calendar-data></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20000101T000000Z" end="20400101T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
  for (const role of READERS) {
    const mg = await req(srv, role, 'REPORT', CAL[role], { headers: { ...XML_HEADERS, Depth: '1' }, body: multigetBody([`${CAL[role]}e1.ics`]) });
    assert.is(mg.status, 207, `${role} multiget`);
    assert.ok(mg.text.includes(SECRET), `${role} multiget data`);
    const sync = await syncCollection(srv, USER[role], CAL[role], null);
    assert.ok(sync.responses.some((r) => r.href === `${CAL[role]}e1.ics`), `${role} sync`);
    const q = await req(srv, role, 'REPORT', CAL[role], { headers: { ...XML_HEADERS, Depth: '1' }, body: query });
    assert.is(q.status, 207, `${role} query`);
    assert.ok(q.text.includes(SECRET), `${role} query data`);
    // Expanded answers are cached as whole responses; each reader's hold its own hrefs (the
    // owner's query fills the cache first).
    for (let i = 0; i < 2; i++) {
      const ex = await req(srv, role, 'REPORT', CAL[role], { headers: { ...XML_HEADERS, Depth: '1' }, body: expandQuery });
      assert.is(ex.status, 207, `${role} expand`);
      const hrefs = parseMultistatus(ex.text).responses.map((r) => r.href);
      assert.ok(hrefs.length > 0 && hrefs.every((h) => h.startsWith(CAL[role])), `${role} expand hrefs: ${hrefs.join(' ')}`);
      assert.ok(ex.text.includes(SECRET), `${role} expand data`);
    }
  }
  refused(await req(srv, 'stranger', 'REPORT', OWNER_CAL, { headers: { ...XML_HEADERS, Depth: '1' }, body: expandQuery }), 'stranger expand');
  refused(await req(srv, 'stranger', 'REPORT', OWNER_CAL, { headers: { ...XML_HEADERS, Depth: '1' }, body: multigetBody([`${OWNER_CAL}e1.ics`]) }), 'stranger multiget');
  refused(await req(srv, 'stranger', 'REPORT', OWNER_CAL, { headers: XML_HEADERS, body: '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>' }), 'stranger sync');
  refused(await req(srv, 'stranger', 'REPORT', OWNER_CAL, { headers: { ...XML_HEADERS, Depth: '1' }, body: query }), 'stranger query');
  // A multiget sent to the stranger's own calendar naming the owner's object must not fetch it.
  const sneaky = await req(srv, 'stranger', 'REPORT', OWN('stranger'), { headers: { ...XML_HEADERS, Depth: '1' }, body: multigetBody([`${OWNER_CAL}e1.ics`, `${CAL.read}e1.ics`]) });
  assert.ok([207, 400, 403, 404].includes(sneaky.status), describe('REPORT', OWN('stranger'), sneaky));
  assert.not.ok(sneaky.text.includes(SECRET), `multiget through the stranger's calendar leaks: ${sneaky.text.slice(0, 400)}`);
  if (sneaky.status === 207) {
    for (const r of parseMultistatus(sneaky.text).responses) assert.ok(r.status === 403 || r.status === 404, `${r.href}: ${r.status}`);
  }
  // A sharee's own calendar does not open the owner's URLs either.
  const viaOwn = await req(srv, 'read', 'REPORT', OWN('read'), { headers: { ...XML_HEADERS, Depth: '1' }, body: multigetBody([`${OWNER_CAL}e1.ics`]) });
  assert.not.ok(viaOwn.text.includes(SECRET), 'a sharee reads only through their own instance');
});

// ---------------------------------------------------------------------------------------------
// Writing

t('PROPPATCH: the owner succeeds; read → 403 need-privileges; read-write as its privilege set says; stranger refused', async ({ srv }) => {
  const body = (color: string) => `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop><a:calendar-color>${color}</a:calendar-color></d:prop></d:set></d:propertyupdate>`;
  const color = async () => propText((await propfind(srv, 'alice', OWNER_CAL, '0', [ICAL('calendar-color')])).responses[0], ICAL('calendar-color'));
  const res = await req(srv, 'owner', 'PROPPATCH', CAL.owner, { headers: XML_HEADERS, body: body('#00FF00FF') });
  assert.is(res.status, 207, describe('PROPPATCH', CAL.owner, res));
  assert.is(parseMultistatus(res.text).responses[0]!.propstats[0]!.status, 200);
  assert.is(await color(), '#00FF00FF');
  needPrivileges(await req(srv, 'read', 'PROPPATCH', CAL.read, { headers: XML_HEADERS, body: body('#FF0000FF') }), 'read PROPPATCH');
  refused(await req(srv, 'stranger', 'PROPPATCH', OWNER_CAL, { headers: XML_HEADERS, body: body('#FF0000FF') }), 'stranger PROPPATCH');
  assert.is(await color(), '#00FF00FF', 'refused PROPPATCHes changed nothing');
  // Read-write sharees change the calendar's content; whether they may change its properties
  // for everyone is the server's choice, but the privilege set clients read must say the same.
  const rw = await req(srv, 'rw', 'PROPPATCH', CAL.rw, { headers: XML_HEADERS, body: body('#0000FFFF') });
  assert.is(rw.status, 207, describe('PROPPATCH', CAL.rw, rw));
  const st = parseMultistatus(rw.text).responses[0]!.propstats[0]!.status;
  const privs = descendantNames(prop((await propfind(srv, 'walt', CAL.rw, '0', [D('current-user-privilege-set')])).responses[0], D('current-user-privilege-set')));
  if (st === 403) {
    assert.is(await color(), '#00FF00FF');
    assert.not.ok(privs.includes(D('write-properties')) || privs.includes(D('write')) || privs.includes(D('all')),
      `PROPPATCH by the read-write sharee is refused, yet current-user-privilege-set advertises write-properties: ${privs.join(' ')}`);
  } else {
    assert.is(st, 200);
    assert.ok(privs.includes(D('write-properties')) || privs.includes(D('write')));
  }
});

t('PUT new, PUT over, DELETE of objects: owner and read-write yes; read → 403 need-privileges; stranger refused', async ({ srv }) => {
  for (const role of WRITERS) {
    const path = `${CAL[role]}new-${role}.ics`;
    assert.is((await putIcs(srv, USER[role], path, ical(`new-${role}`))).status, 201, `${role} PUT new`);
    assert.is((await putIcs(srv, USER[role], path, ical(`new-${role}`, { summary: 'again' }))).status, 204, `${role} PUT over`);
    assert.ok(await exists(srv, `${OWNER_CAL}new-${role}.ics`), 'the owner sees it');
    assert.is((await req(srv, role, 'DELETE', path)).status, 204, `${role} DELETE`);
    assert.not.ok(await exists(srv, `${OWNER_CAL}new-${role}.ics`));
  }
  const original = await srv.request('GET', `${OWNER_CAL}e1.ics`, { user: 'alice' });
  needPrivileges(await putIcs(srv, 'rita', `${CAL.read}new-read.ics`, ical('new-read')), 'read PUT new');
  needPrivileges(await putIcs(srv, 'rita', `${CAL.read}e1.ics`, ical('e1', { summary: 'hijacked' })), 'read PUT over');
  needPrivileges(await req(srv, 'read', 'DELETE', `${CAL.read}e1.ics`), 'read DELETE');
  refused(await putIcs(srv, 'sam', `${OWNER_CAL}new-stranger.ics`, ical('new-stranger')), 'stranger PUT new');
  refused(await putIcs(srv, 'sam', `${OWNER_CAL}e1.ics`, ical('e1', { summary: 'hijacked' })), 'stranger PUT over');
  refused(await req(srv, 'stranger', 'DELETE', `${OWNER_CAL}e1.ics`), 'stranger DELETE object');
  refused(await req(srv, 'stranger', 'DELETE', OWNER_CAL), 'stranger DELETE calendar');
  const now = await srv.request('GET', `${OWNER_CAL}e1.ics`, { user: 'alice' });
  assert.is(now.text, original.text, 'e1 untouched');
  assert.is(now.headers.get('etag'), original.headers.get('etag'));
  assert.not.ok(await exists(srv, `${OWNER_CAL}new-read.ics`));
  assert.not.ok(await exists(srv, `${OWNER_CAL}new-stranger.ics`));
});

t('MKCOL and MKCALENDAR inside the calendar: never for sharees or strangers', async ({ srv }) => {
  const readMkcol = await req(srv, 'read', 'MKCOL', `${CAL.read}sub/`);
  assert.is(readMkcol.status, 403, describe('MKCOL', CAL.read, readMkcol));
  for (const role of ['owner', 'rw'] as Role[]) {
    const res = await req(srv, role, 'MKCOL', `${CAL[role]}sub/`);
    assert.ok(res.status === 403 || res.status === 405 || res.status === 201, describe('MKCOL', CAL[role], res));
    assert.ok(res.status < 500);
  }
  refused(await req(srv, 'stranger', 'MKCOL', `${OWNER_CAL}sub/`), 'stranger MKCOL');
  refused(await req(srv, 'stranger', 'MKCALENDAR', '/dav/calendars/alice/evil/'), 'stranger MKCALENDAR in the owner\'s home');
});

t('COPY and MOVE out of the shared calendar: every reader may copy; only writers may move', async ({ srv }) => {
  for (const role of READERS) {
    const res = await req(srv, role, 'COPY', `${CAL[role]}keep.ics`, { headers: dest(srv, `${OWN(role)}copied.ics`) });
    assert.is(res.status, 201, describe('COPY', `${CAL[role]}keep.ics`, res));
    assert.is((await srv.request('GET', `${OWN(role)}copied.ics`, { user: USER[role] })).status, 200);
  }
  needPrivileges(await req(srv, 'read', 'MOVE', `${CAL.read}keep.ics`, { headers: dest(srv, `${OWN('read')}moved.ics`) }), 'read MOVE out');
  assert.ok(await exists(srv, `${OWNER_CAL}keep.ics`), 'still in the shared calendar');
  assert.is((await srv.request('GET', `${OWN('read')}moved.ics`, { user: 'rita' })).status, 404, 'nothing arrived');
  await putOk(srv, 'alice', `${OWNER_CAL}tomove.ics`, ical('tomove'));
  const mv = await req(srv, 'rw', 'MOVE', `${CAL.rw}tomove.ics`, { headers: dest(srv, `${OWN('rw')}moved.ics`) });
  assert.is(mv.status, 201, describe('MOVE', `${CAL.rw}tomove.ics`, mv));
  assert.not.ok(await exists(srv, `${OWNER_CAL}tomove.ics`));
  // The stranger can neither copy nor move the owner's objects into their calendar.
  for (const m of ['COPY', 'MOVE']) {
    refused(await req(srv, 'stranger', m, `${OWNER_CAL}e1.ics`, { headers: dest(srv, `${OWN('stranger')}stolen-${m}.ics`) }), `stranger ${m} out`);
    assert.is((await srv.request('GET', `${OWN('stranger')}stolen-${m}.ics`, { user: 'sam' })).status, 404, `nothing stolen by ${m}`);
  }
  assert.ok(await exists(srv, `${OWNER_CAL}e1.ics`));
});

t('COPY and MOVE into the shared calendar: owner and read-write yes; read → 403; stranger refused', async ({ srv }) => {
  for (const role of WRITERS) {
    const cp = await req(srv, role, 'COPY', `${OWN(role)}own.ics`, { headers: dest(srv, `${CAL[role]}in-${role}.ics`) });
    assert.is(cp.status, 201, describe('COPY in', role, cp));
    assert.ok(await exists(srv, `${OWNER_CAL}in-${role}.ics`));
    const mv = await req(srv, role, 'MOVE', `${OWN(role)}mv.ics`, { headers: dest(srv, `${CAL[role]}mvin-${role}.ics`) });
    assert.is(mv.status, 201, describe('MOVE in', role, mv));
    assert.ok(await exists(srv, `${OWNER_CAL}mvin-${role}.ics`));
  }
  needPrivileges(await req(srv, 'read', 'COPY', `${OWN('read')}own.ics`, { headers: dest(srv, `${CAL.read}in-read.ics`) }), 'read COPY in');
  needPrivileges(await req(srv, 'read', 'MOVE', `${OWN('read')}mv.ics`, { headers: dest(srv, `${CAL.read}mvin-read.ics`) }), 'read MOVE in');
  assert.is((await srv.request('GET', `${OWN('read')}mv.ics`, { user: 'rita' })).status, 200, 'the refused MOVE kept the source');
  for (const m of ['COPY', 'MOVE']) {
    refused(await req(srv, 'stranger', m, `${OWN('stranger')}mv.ics`, { headers: dest(srv, `${OWNER_CAL}in-stranger-${m}.ics`) }), `stranger ${m} in`);
    assert.not.ok(await exists(srv, `${OWNER_CAL}in-stranger-${m}.ics`));
  }
  assert.is((await srv.request('GET', `${OWN('stranger')}mv.ics`, { user: 'sam' })).status, 200, 'the refused MOVE kept the stranger\'s source');
  assert.not.ok(await exists(srv, `${OWNER_CAL}in-read.ics`));
  assert.not.ok(await exists(srv, `${OWNER_CAL}mvin-read.ics`));
});

t('a sharee cannot move or overwrite the calendar itself', async ({ srv }) => {
  for (const role of ['read', 'rw'] as Role[]) {
    const res = await req(srv, role, 'MOVE', CAL[role], { headers: dest(srv, `/dav/calendars/${USER[role]}/renamed/`) });
    assert.is(res.status, 403, describe('MOVE calendar', role, res));
    // Onto one of their own calendars (Overwrite: T): still refused, and nothing is lost.
    const onto = await req(srv, role, 'MOVE', CAL[role], { headers: dest(srv, OWN(role)) });
    assert.is(onto.status, 403, describe('MOVE calendar onto own', role, onto));
    assert.is((await srv.request('GET', `${OWN(role)}own.ics`, { user: USER[role] })).status, 200, `a refused MOVE deleted ${OWN(role)}`);
  }
  assert.ok(await exists(srv, `${OWNER_CAL}e1.ics`));
});

// ---------------------------------------------------------------------------------------------
// Ending a share

t('unsharing removes it from the sharee\'s home: Depth 1, home sync (404), URL and the API', async ({ srv, alice }) => {
  const home = '/dav/calendars/rita/';
  const token = (await syncCollection(srv, 'rita', home, null)).syncToken!;
  await alice.ok('DELETE', '/calendars/team/shares/rita');
  const ms = await propfind(srv, 'rita', home, '1', [D('displayname')]);
  assert.not.ok(ms.responses.some((r) => r.href === CAL.read));
  const delta = await syncCollection(srv, 'rita', home, token);
  assert.is(delta.responses.find((r) => r.href === CAL.read)?.status, 404, 'home sync reports the removal');
  const get = await req(srv, 'read', 'GET', `${CAL.read}e1.ics`);
  assert.is(get.status, 404);
  assert.not.ok(get.text.includes(SECRET));
  const rita = await login(srv, 'rita');
  assert.equal((await rita.ok('GET', '/calendars')).others, []);
  const again = await alice.call('DELETE', '/calendars/team/shares/rita');
  assert.is(again.status, 404, 'not shared any more');
  assert.ok(await exists(srv, `${OWNER_CAL}e1.ics`));
});

t('the sharee removes it from their own list (DAV DELETE of their instance) without touching the owner', async ({ srv, alice }) => {
  const token = (await syncCollection(srv, 'walt', '/dav/calendars/walt/', null)).syncToken!;
  const res = await req(srv, 'rw', 'DELETE', CAL.rw);
  assert.is(res.status, 204, describe('DELETE', CAL.rw, res));
  assert.ok(await exists(srv, `${OWNER_CAL}e1.ics`), 'the owner keeps the calendar and its data');
  const { mine } = await alice.ok('GET', '/calendars');
  assert.equal(mine.find((c: { uri: string }) => c.uri === 'team').shares, [], 'no longer shared with walt');
  const delta = await syncCollection(srv, 'walt', '/dav/calendars/walt/', token);
  assert.is(delta.responses.find((r) => r.href === CAL.rw)?.status, 404);
  assert.is((await req(srv, 'rw', 'GET', `${CAL.rw}e1.ics`)).status, 404);
});

t('the sharee removes it from their own list through the API (DELETE /api/calendars/:uri)', async ({ srv, alice }) => {
  await alice.ok('PUT', '/calendars/team/shares/rita', { access: 'read' });
  const rita = await login(srv, 'rita');
  const mineBefore = (await rita.ok('GET', '/calendars')).mine.map((c: { uri: string }) => c.uri);
  const res = await rita.ok('DELETE', '/calendars/team');
  assert.equal(res, { result: 'unsubscribed' });
  assert.ok(await exists(srv, `${OWNER_CAL}e1.ics`));
  assert.equal((await rita.ok('GET', '/calendars')).others, []);
  assert.equal((await rita.ok('GET', '/calendars')).mine.map((c: { uri: string }) => c.uri), mineBefore, 'rita\'s own calendars are untouched');
});

t('changing access from read to read-write takes effect at once', async ({ srv, alice }) => {
  await alice.ok('PUT', '/calendars/team/shares/rita', { access: 'read' });
  needPrivileges(await putIcs(srv, 'rita', `${CAL.read}upgrade.ics`, ical('upgrade')), 'read PUT');
  await alice.ok('PUT', '/calendars/team/shares/rita', { access: 'read-write' });
  assert.is((await putIcs(srv, 'rita', `${CAL.read}upgrade.ics`, ical('upgrade'))).status, 201);
  await alice.ok('PUT', '/calendars/team/shares/rita', { access: 'read' });
  needPrivileges(await req(srv, 'read', 'DELETE', `${CAL.read}upgrade.ics`), 'read again');
});

t('the owner deleting the calendar removes it from sharees\' homes', async ({ srv }) => {
  const token = (await syncCollection(srv, 'rita', '/dav/calendars/rita/', null)).syncToken!;
  const res = await req(srv, 'owner', 'DELETE', OWNER_CAL);
  assert.is(res.status, 204, describe('DELETE', OWNER_CAL, res));
  const delta = await syncCollection(srv, 'rita', '/dav/calendars/rita/', token);
  assert.is(delta.responses.find((r) => r.href === CAL.read)?.status, 404);
  assert.is((await req(srv, 'read', 'PROPFIND', CAL.read, { headers: { Depth: '0', ...XML_HEADERS }, body: '<d:propfind xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:propfind>' })).status, 404);
});

t.run();
