// PROPPATCH limits (issue 11, "Low"): a 500 KB displayname and 10,000 dead properties on one
// resource were stored. A property larger than maxPropertySize, or one that would take a resource
// past maxDeadProperties, is answered 507 Insufficient Storage in the 207 (RFC 4918 §9.2.1), the
// other properties of the request 424 Failed Dependency, and nothing is stored.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { D, XML_HEADERS, ical, parseMultistatus, putOk, syncTokenOf } from '../helpers/dav.js';

const USER = 'pat';
const CAL = `/dav/calendars/${USER}/personal/`;
const OBJ = `${CAL}e.ics`;
const MAX_DEAD = 5;

interface Ctx { srv: TestServer }
const t = suite<Ctx>('PROPPATCH limits');

t.before(async (ctx) => {
  ctx.srv = await startTestServer({ SUNDIAL_MAX_DEAD_PROPERTIES: String(MAX_DEAD), SUNDIAL_MAX_XML_SIZE: String(2 * 1024 * 1024) });
  await ctx.srv.addUser(USER);
  await putOk(ctx.srv, USER, OBJ, ical('e@t'));
});
t.after(async (ctx) => { await ctx.srv.close(); });

const patch = (srv: TestServer, path: string, set: string, remove = '') => srv.request('PROPPATCH', path, {
  user: USER, headers: XML_HEADERS,
  body: `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:test">${set ? `<d:set><d:prop>${set}</d:prop></d:set>` : ''}${remove ? `<d:remove><d:prop>${remove}</d:prop></d:remove>` : ''}</d:propertyupdate>`,
});

/** Property Clark name → status, from a PROPPATCH 207. */
function statuses(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of parseMultistatus(text).responses) for (const ps of r.propstats) for (const name of ps.props.keys()) out.set(name, ps.status);
  return out;
}

async function deadCount(srv: TestServer, path: string): Promise<number> {
  const user = (await srv.store.getUser(USER))!;
  const cal = (await srv.store.getInstance(user.id, 'personal'))!.collection;
  return (await srv.store.getDeadProperties(cal.id, path === CAL ? '' : 'e.ics')).length;
}

t('a 500 KB displayname is 507 and the name is unchanged', async ({ srv }) => {
  const token = await syncTokenOf(srv, USER, CAL);
  const res = await patch(srv, CAL, `<d:displayname>${'n'.repeat(500 * 1024)}</d:displayname><x:small>ok</x:small>`);
  assert.is(res.status, 207);
  const st = statuses(res.text);
  assert.is(st.get(D('displayname')), 507, res.text.slice(0, 500));
  assert.is(st.get('{urn:test}small'), 424);
  assert.match(res.text, /larger than 65536 bytes/);
  assert.is(await syncTokenOf(srv, USER, CAL), token, 'nothing stored');
  assert.is(await deadCount(srv, CAL), 0);
});

t('10,000 dead properties in one PROPPATCH: 507, none stored', async ({ srv }) => {
  const set = Array.from({ length: 10_000 }, (_, i) => `<x:p${i}/>`).join('');
  const res = await patch(srv, OBJ, set);
  assert.is(res.status, 207);
  const st = statuses(res.text);
  assert.is(st.get('{urn:test}p0'), 507);
  assert.is(st.get('{urn:test}p9999'), 507);
  assert.is(await deadCount(srv, OBJ), 0);
});

t('dead properties accumulate up to the limit across requests; replacing and removing stay possible', async ({ srv }) => {
  const some = (from: number, n: number) => Array.from({ length: n }, (_, i) => `<x:q${from + i}>v</x:q${from + i}>`).join('');
  assert.is(statuses((await patch(srv, OBJ, some(0, MAX_DEAD))).text).get('{urn:test}q0'), 200);
  assert.is(await deadCount(srv, OBJ), MAX_DEAD);
  const over = await patch(srv, OBJ, some(MAX_DEAD, 1));
  assert.is(statuses(over.text).get(`{urn:test}q${MAX_DEAD}`), 507);
  assert.match(over.text, new RegExp(`at most ${MAX_DEAD} dead properties`));
  assert.is(await deadCount(srv, OBJ), MAX_DEAD);
  // Setting one it already holds is not one more.
  assert.is(statuses((await patch(srv, OBJ, '<x:q0>changed</x:q0>')).text).get('{urn:test}q0'), 200);
  // Removing one makes room in the same request.
  const swap = await patch(srv, OBJ, some(MAX_DEAD, 1), '<x:q1/>');
  assert.is(statuses(swap.text).get(`{urn:test}q${MAX_DEAD}`), 200, swap.text);
  assert.is(await deadCount(srv, OBJ), MAX_DEAD);
});

t('concurrent PROPPATCHes cannot pass the limit together (counted in the write transaction)', async ({ srv }) => {
  const path = `${CAL}concurrent.ics`;
  await putOk(srv, USER, path, ical('concurrent@t'));
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => patch(srv, path, `<x:p${i}>v</x:p${i}>`)));
  const stored = answers.filter((r) => statuses(r.text).get(`{urn:test}p${answers.indexOf(r)}`) === 200).length;
  const refused = answers.filter((r) => statuses(r.text).get(`{urn:test}p${answers.indexOf(r)}`) === 507).length;
  assert.is(stored, MAX_DEAD);
  assert.is(refused, 20 - MAX_DEAD);
  const user = (await srv.store.getUser(USER))!;
  const cal = (await srv.store.getInstance(user.id, 'personal'))!.collection;
  assert.is((await srv.store.getDeadProperties(cal.id, 'concurrent.ics')).length, MAX_DEAD);
});

t('a 100 KB dead property is 507; the small one beside it is 424 and not stored', async ({ srv }) => {
  const res = await patch(srv, CAL, `<x:big>${'b'.repeat(100 * 1024)}</x:big><x:tiny>t</x:tiny>`);
  const st = statuses(res.text);
  assert.is(st.get('{urn:test}big'), 507);
  assert.is(st.get('{urn:test}tiny'), 424);
  assert.is(await deadCount(srv, CAL), 0);
});

t.run();
