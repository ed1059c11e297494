// Sync tokens never drift (issue 3 item 6, SPEC "Sync tokens never fall out of step with the change
// log"): PUT, DELETE, MOVE between calendars and PROPPATCH (collection and object dead property)
// are interleaved, the token of each calendar is recorded after every step, and sync-collection
// from EVERY recorded token must answer exactly the members changed or removed since, as computed
// from the test's own operation log. Also: getctag moves with every write, unknown tokens are 403
// valid-sync-token, limit/nresults truncates with a 507 and a token that yields the rest (RFC 6578
// §3.6), and the calendar home's own sync-collection (Depth 1) reports calendars added, changed
// and removed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { CS, D, describe, errorConditions, ical, parseMultistatus, propText, putOk, syncCollection, syncCollectionRaw, syncTokenOf, ctagOf, XML_HEADERS, type Multistatus } from '../helpers/dav.js';

const USER = 'alice';
const HOME = `/dav/calendars/${USER}/`;
const A = `${HOME}personal/`;
const B = `${HOME}work/`;
const CALS = [A, B];

/** Per calendar: member name → version (bumped by every write that touches the member). */
type State = Map<string, Map<string, number>>;

interface Snapshot {
  step: string;
  tokens: Map<string, string>;
  ctags: Map<string, string>;
  state: State;
  /** Names that existed at any time from this snapshot on (for created-then-deleted members). */
  seen: Map<string, Set<string>>;
}

interface Ctx {
  srv: TestServer;
  version: number;
  state: State;
  snapshots: Snapshot[];
}

const t = suite<Ctx>('sync tokens');

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
  const res = await ctx.srv.request('MKCALENDAR', B, { user: USER });
  assert.is(res.status, 201, describe('MKCALENDAR', B, res));
  ctx.version = 0;
  ctx.state = new Map(CALS.map((c) => [c, new Map()]));
  ctx.snapshots = [];
});
t.after(async (ctx) => { await ctx.srv.close(); });

const clone = (s: State): State => new Map([...s].map(([k, v]) => [k, new Map(v)]));

async function snapshot(ctx: Ctx, step: string): Promise<void> {
  const tokens = new Map<string, string>();
  const ctags = new Map<string, string>();
  for (const c of CALS) {
    tokens.set(c, (await syncTokenOf(ctx.srv, USER, c)) ?? '');
    ctags.set(c, (await ctagOf(ctx.srv, USER, c)) ?? '');
  }
  const snap: Snapshot = { step, tokens, ctags, state: clone(ctx.state), seen: new Map(CALS.map((c) => [c, new Set(ctx.state.get(c)!.keys())])) };
  ctx.snapshots.push(snap);
}

/** Records that `name` in `cal` was written (created or changed). */
function touched(ctx: Ctx, cal: string, name: string): void {
  ctx.state.get(cal)!.set(name, ++ctx.version);
  for (const s of ctx.snapshots) s.seen.get(cal)!.add(name);
}

function removed(ctx: Ctx, cal: string, name: string): void {
  ctx.state.get(cal)!.delete(name);
}

async function expectStatus(srv: TestServer, method: string, path: string, ok: number[], opts: Parameters<TestServer['request']>[2] = {}): Promise<void> {
  const res = await srv.request(method, path, { user: USER, ...opts });
  assert.ok(ok.includes(res.status), describe(method, path, res));
}

const proppatchBody = (inner: string) => `<?xml version="1.0" encoding="utf-8"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="http://example.com/ns/"><d:set><d:prop>${inner}</d:prop></d:set></d:propertyupdate>`;

type Op = { step: string; affects: string[]; run: (ctx: Ctx) => Promise<void> };

const put = (cal: string, name: string, summary: string): Op => ({
  step: `PUT ${cal}${name} (${summary})`, affects: [cal],
  run: async (ctx) => {
    await putOk(ctx.srv, USER, cal + name, ical(`${name}-uid`, { summary }));
    touched(ctx, cal, name);
  },
});
const del = (cal: string, name: string): Op => ({
  step: `DELETE ${cal}${name}`, affects: [cal],
  run: async (ctx) => {
    await expectStatus(ctx.srv, 'DELETE', cal + name, [204]);
    removed(ctx, cal, name);
  },
});
const move = (from: string, name: string, to: string, newName: string): Op => ({
  step: `MOVE ${from}${name} → ${to}${newName}`, affects: [from, to],
  run: async (ctx) => {
    await expectStatus(ctx.srv, 'MOVE', from + name, [201, 204], { headers: { Destination: ctx.srv.url + to + newName } });
    removed(ctx, from, name);
    touched(ctx, to, newName);
  },
});
const patchCollection = (cal: string, displayName: string): Op => ({
  step: `PROPPATCH ${cal} displayname=${displayName} and a dead property`, affects: [cal],
  run: async (ctx) => {
    await expectStatus(ctx.srv, 'PROPPATCH', cal, [207], { headers: XML_HEADERS, body: proppatchBody(`<d:displayname>${displayName}</d:displayname><x:note>${displayName}</x:note>`) });
    // A collection property is no member change: nothing to report in sync-collection.
  },
});
const patchObject = (cal: string, name: string, value: string): Op => ({
  step: `PROPPATCH ${cal}${name} dead property x:tag=${value}`, affects: [cal],
  run: async (ctx) => {
    await expectStatus(ctx.srv, 'PROPPATCH', cal + name, [207], { headers: XML_HEADERS, body: proppatchBody(`<x:tag>${value}</x:tag>`) });
    // RFC 6578 §3.5: a member whose properties changed is a changed member.
    touched(ctx, cal, name);
  },
});

const OPS: Op[] = [
  put(A, 'e1.ics', 'one'),
  put(A, 'e2.ics', 'two'),
  put(B, 'f1.ics', 'work one'),
  put(A, 'e1.ics', 'one, edited'),
  del(A, 'e2.ics'),
  move(A, 'e1.ics', B, 'm1.ics'),
  patchCollection(A, 'Personal renamed'),
  patchObject(B, 'f1.ics', 'red'),
  put(A, 'e2.ics', 'two again'),
  put(A, 'e3.ics', 'three'),
  patchCollection(B, 'Work renamed'),
  del(B, 'f1.ics'),
  del(A, 'e3.ics'),
  move(B, 'm1.ics', A, 'e1.ics'),
  put(B, 'f2.ics', 'work two'),
  patchObject(A, 'e2.ics', 'blue'),
  put(A, 'e4.ics', 'four'),
];

t('every write changes the token and getctag of each calendar it touches', async (ctx) => {
  await snapshot(ctx, 'start');
  for (const op of OPS) {
    const before = ctx.snapshots[ctx.snapshots.length - 1]!;
    await op.run(ctx);
    await snapshot(ctx, op.step);
    const after = ctx.snapshots[ctx.snapshots.length - 1]!;
    for (const cal of op.affects) {
      assert.is.not(after.tokens.get(cal), before.tokens.get(cal), `sync-token of ${cal} after ${op.step}`);
      assert.is.not(after.ctags.get(cal), before.ctags.get(cal), `getctag of ${cal} after ${op.step}`);
    }
  }
  for (const cal of CALS) {
    const tokens = ctx.snapshots.map((s) => s.tokens.get(cal)!);
    assert.ok(tokens.every((tok) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(tok)), `tokens are URIs: ${tokens.join(' ')}`);
  }
});

function diff(since: Snapshot, now: State, cal: string): { changed: string[]; deleted: string[]; maybeDeleted: string[] } {
  const then = since.state.get(cal)!;
  const cur = now.get(cal)!;
  const changed = [...cur].filter(([name, v]) => then.get(name) !== v).map(([n]) => n).sort();
  const deleted = [...then.keys()].filter((n) => !cur.has(n)).sort();
  // Created after the token and deleted again: RFC 6578 §3.5.2 lets the server report a 404 or
  // leave it out.
  const maybeDeleted = [...since.seen.get(cal)!].filter((n) => !then.has(n) && !cur.has(n)).sort();
  return { changed, deleted, maybeDeleted };
}

function checkSync(ms: Multistatus, cal: string, expected: ReturnType<typeof diff>, label: string): void {
  const members = ms.responses.filter((r) => r.href !== cal);
  const names = (rs: typeof members) => rs.map((r) => r.href.slice(cal.length)).sort();
  const changed = members.filter((r) => r.status === undefined);
  const gone = members.filter((r) => r.status === 404);
  const other = members.filter((r) => r.status !== undefined && r.status !== 404);
  assert.equal(other.map((r) => `${r.href} ${r.status}`), [], `${label}: unexpected member statuses`);
  assert.equal(names(changed), expected.changed, `${label}: changed members`);
  const goneNames = names(gone);
  for (const n of expected.deleted) assert.ok(goneNames.includes(n), `${label}: ${n} reported deleted (404) in ${JSON.stringify(goneNames)}`);
  for (const n of goneNames) assert.ok(expected.deleted.includes(n) || expected.maybeDeleted.includes(n), `${label}: ${n} reported deleted but was not removed since`);
  assert.is(new Set(members.map((r) => r.href)).size, members.length, `${label}: each member once`);
  assert.ok(!ms.responses.some((r) => r.href === cal), `${label}: no response for the collection itself without a limit`);
}

t('sync-collection from every intermediate token answers exactly the changes since', async (ctx) => {
  assert.ok(ctx.snapshots.length === OPS.length + 1, 'the previous test recorded the tokens');
  for (const cal of CALS) {
    const current = await syncTokenOf(ctx.srv, USER, cal);
    for (const snap of ctx.snapshots) {
      const label = `${cal} from the token after "${snap.step}" (${snap.tokens.get(cal)})`;
      const ms = await syncCollection(ctx.srv, USER, cal, snap.tokens.get(cal)!, { props: [D('getetag')] });
      checkSync(ms, cal, diff(snap, ctx.state, cal), label);
      assert.is(ms.syncToken, current, `${label}: the new token is the calendar's current token`);
      // Each changed member carries its current ETag.
      for (const r of ms.responses.filter((x) => x.status === undefined)) {
        const get = await ctx.srv.request('HEAD', r.href, { user: USER });
        assert.is(propText(r, D('getetag')), get.headers.get('etag') ?? undefined, `${label}: ETag of ${r.href}`);
      }
    }
  }
});

t('sync-collection from the current token is empty and keeps the token', async ({ srv }) => {
  for (const cal of CALS) {
    const token = (await syncTokenOf(srv, USER, cal))!;
    const ms = await syncCollection(srv, USER, cal, token);
    assert.is(ms.responses.length, 0, `${cal}: ${ms.responses.map((r) => r.href).join(', ')}`);
    assert.is(ms.syncToken, token);
  }
});

t('the initial sync (empty token) lists exactly the current members', async (ctx) => {
  for (const cal of CALS) {
    const ms = await syncCollection(ctx.srv, USER, cal, null);
    assert.equal(ms.responses.map((r) => r.href.slice(cal.length)).sort(), [...ctx.state.get(cal)!.keys()].sort(), cal);
    assert.ok(ms.responses.every((r) => r.status === undefined), 'no 404s in an initial sync');
    assert.is(ms.syncToken, await syncTokenOf(ctx.srv, USER, cal));
  }
});

t('unknown tokens are 403 with <d:valid-sync-token/> (never an empty <d:error/>, which Thunderbird reads as a rate limit)', async ({ srv }) => {
  for (const token of ['http://sundial.invalid/sync/999999', 'garbage', 'data:,6_51', 'http://sundial.invalid/sync/-1', 'http://sundial.invalid/sync/1e3', 'http://other.example/sync/1']) {
    for (const cal of [A, HOME]) {
      const res = await syncCollectionRaw(srv, USER, cal, token, cal === HOME ? { depth: '1' } : {});
      assert.is(res.status, 403, describe('REPORT sync-collection ' + token, cal, res));
      assert.ok(errorConditions(res.text).includes(D('valid-sync-token')), describe('REPORT sync-collection ' + token, cal, res));
    }
  }
});

t('limit/nresults smaller than the change count: the first N changes, a 507 for the collection, and a token that yields the rest', async ({ srv }) => {
  const cal = `${HOME}limited/`;
  assert.is((await srv.request('MKCALENDAR', cal, { user: USER })).status, 201);
  await putOk(srv, USER, cal + 'pre.ics', ical('pre'));
  const start = (await syncTokenOf(srv, USER, cal))!;
  const names = ['l1.ics', 'l2.ics', 'l3.ics', 'l4.ics', 'l5.ics'];
  for (const n of names) await putOk(srv, USER, cal + n, ical(n));
  await putOk(srv, USER, cal + 'l1.ics', ical('l1.ics', { summary: 'l1 changed again' })); // l1 now changed last
  assert.is((await srv.request('DELETE', cal + 'pre.ics', { user: USER })).status, 204);
  const expected = ['l1.ics', 'l2.ics', 'l3.ics', 'l4.ics', 'l5.ics', 'pre.ics'].sort();

  const seen: string[] = [];
  let token = start;
  for (let round = 0; round < 10; round++) {
    const res = await syncCollectionRaw(srv, USER, cal, token, { limit: 2 });
    assert.is(res.status, 207, describe('REPORT sync-collection limit 2', cal, res));
    const ms = parseMultistatus(res.text);
    const members = ms.responses.filter((r) => r.href !== cal);
    const self = ms.responses.filter((r) => r.href === cal);
    assert.ok(members.length <= 2, `round ${round}: at most 2 members, got ${members.map((r) => r.href).join(', ')}`);
    for (const r of members) seen.push(r.href.slice(cal.length));
    assert.ok(ms.syncToken, `round ${round}: a token`);
    if (seen.length < expected.length) {
      assert.is(members.length, 2, `round ${round}: exactly the limit while more remain`);
      assert.is(self.length, 1, `round ${round}: a response for the collection marks the truncation`);
      assert.is(self[0]!.status, 507, `round ${round}: the truncation response is 507`);
    } else {
      // The last page may still carry a 507 when it was cut exactly at the end; after it nothing is left.
      token = ms.syncToken!;
      break;
    }
    token = ms.syncToken!;
  }
  assert.equal([...seen].sort(), expected, 'the pages together are exactly the changes, each once');
  const pre = await syncCollection(srv, USER, cal, start, { props: [D('getetag')] });
  assert.ok(pre.responses.find((r) => r.href === cal + 'pre.ics')?.status === 404, 'pre.ics is a deletion');
  const rest = await syncCollection(srv, USER, cal, token);
  assert.equal(rest.responses.filter((r) => r.href !== cal).map((r) => r.href), [], 'nothing after the last page');
});

t('a limit larger than the change count answers everything without 507', async ({ srv }) => {
  const cal = `${HOME}limited/`;
  const token = (await syncTokenOf(srv, USER, cal))!;
  await putOk(srv, USER, cal + 'z.ics', ical('z'));
  const res = await syncCollectionRaw(srv, USER, cal, token, { limit: 10 });
  assert.is(res.status, 207);
  const ms = parseMultistatus(res.text);
  assert.equal(ms.responses.map((r) => `${r.href} ${r.status ?? 200}`), [`${cal}z.ics 200`]);
});

t('the calendar home: MKCALENDAR appears as changed, a member write changes its calendar, DELETE answers 404', async ({ srv }) => {
  const homeToken = async () => (await syncTokenOf(srv, USER, HOME))!;
  const homeCtag = async () => (await ctagOf(srv, USER, HOME))!;
  const t0 = await homeToken();
  const c0 = await homeCtag();
  const initial = await syncCollection(srv, USER, HOME, null, { depth: '1', props: [D('displayname'), D('resourcetype')] });
  for (const cal of CALS) assert.ok(initial.responses.some((r) => r.href === cal && r.status === undefined), `initial home sync lists ${cal}`);
  assert.is(initial.syncToken, t0);

  const NEW = `${HOME}projects/`;
  assert.is((await srv.request('MKCALENDAR', NEW, { user: USER })).status, 201);
  const t1 = await homeToken();
  assert.is.not(t1, t0, 'MKCALENDAR changes the home token');
  assert.is.not(await homeCtag(), c0, 'MKCALENDAR changes the home getctag');
  let ms = await syncCollection(srv, USER, HOME, t0, { depth: '1', props: [D('displayname')] });
  assert.equal(ms.responses.map((r) => `${r.href} ${r.status ?? 200}`), [`${NEW} 200`], 'only the new calendar since t0');
  assert.is(ms.syncToken, t1);

  await putOk(srv, USER, NEW + 'p.ics', ical('p'));
  const t2 = await homeToken();
  assert.is.not(t2, t1, 'a write in a calendar changes the home token (clients notice through the home)');
  ms = await syncCollection(srv, USER, HOME, t1, { depth: '1', props: [CS('getctag')] });
  assert.equal(ms.responses.map((r) => `${r.href} ${r.status ?? 200}`), [`${NEW} 200`], 'the written calendar is reported changed');

  assert.is((await srv.request('DELETE', NEW, { user: USER })).status, 204);
  const t3 = await homeToken();
  assert.is.not(t3, t2, 'DELETE of a calendar changes the home token');
  ms = await syncCollection(srv, USER, HOME, t2, { depth: '1', props: [D('displayname')] });
  assert.equal(ms.responses.map((r) => `${r.href} ${r.status ?? 200}`), [`${NEW} 404`], 'the deleted calendar is a 404 response');
  assert.is(ms.syncToken, t3);

  // From before its creation: created and deleted since, so a 404 or nothing (RFC 6578 §3.5.2).
  ms = await syncCollection(srv, USER, HOME, t0, { depth: '1', props: [D('displayname')] });
  assert.ok(ms.responses.every((r) => r.href === NEW && r.status === 404), ms.responses.map((r) => `${r.href} ${r.status ?? 200}`).join(', '));

  ms = await syncCollection(srv, USER, HOME, t3, { depth: '1', props: [D('displayname')] });
  assert.is(ms.responses.length, 0, 'nothing since the newest home token');
});

t('the home: PROPPATCH of a calendar\'s displayname reports that calendar changed', async ({ srv }) => {
  const t0 = (await syncTokenOf(srv, USER, HOME))!;
  const res = await srv.request('PROPPATCH', B, { user: USER, headers: XML_HEADERS, body: proppatchBody('<d:displayname>Work (home sync)</d:displayname>') });
  assert.is(res.status, 207);
  const ms = await syncCollection(srv, USER, HOME, t0, { depth: '1', props: [D('displayname')] });
  assert.equal(ms.responses.map((r) => `${r.href} ${r.status ?? 200}`), [`${B} 200`]);
  assert.is(propText(ms.responses[0], D('displayname')), 'Work (home sync)');
});

t.run();
