// Errors inside a streamed multistatus (issue 11, item 1): answers are streamed, so an error in a
// later response (max-instances of an expand) can no longer become the status of the whole answer.
// The first batch is computed before the 207 is committed (a proper 403 there, as before); after
// it, the failing member gets its own response with the status and the precondition, and the
// body stays well-formed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { C, XML_HEADERS, errorConditions, ical, parseMultistatus, putOk } from '../helpers/dav.js';

const USER = 'eve';
const CAL = `/dav/calendars/${USER}/personal/`;
const EXPAND = '<c:calendar-data><c:expand start="20300101T000000Z" end="20310101T000000Z"/></c:calendar-data>';

interface Ctx { srv: TestServer }
const t = suite<Ctx>('errors inside streamed multistatus answers');

t.before(async (ctx) => {
  ctx.srv = await startTestServer({ SUNDIAL_MAX_INSTANCES: '20' });
  await ctx.srv.addUser(USER);
  await putOk(ctx.srv, USER, `${CAL}a.ics`, ical('a@t'));
  await putOk(ctx.srv, USER, `${CAL}z.ics`, ical('z@t', { extra: ['RRULE:FREQ=DAILY'] }));
});
t.after(async (ctx) => { await ctx.srv.close(); });

const report = (srv: TestServer, body: string) => srv.request('REPORT', CAL, { user: USER, headers: { ...XML_HEADERS, Depth: '1' }, body });

t('sync-collection: a later member past max-instances is a 403 response of its own; the others are answered', async ({ srv }) => {
  const res = await report(srv, `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/>${EXPAND}</d:prop></d:sync-collection>`);
  assert.is(res.status, 207, res.text);
  const ms = parseMultistatus(res.text); // well-formed to the end
  const a = ms.responses.find((r) => r.href === `${CAL}a.ics`);
  const z = ms.responses.find((r) => r.href === `${CAL}z.ics`);
  assert.ok(a?.propstats.some((p) => p.status === 200), 'a.ics is answered');
  assert.is(z?.status, 403);
  assert.match(res.text, /max-instances/);
  assert.ok(ms.syncToken, 'the token follows the responses');
});

t('calendar-multiget: max-instances in the first batch is still a 403 for the whole report', async ({ srv }) => {
  const res = await report(srv, `<?xml version="1.0"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/>${EXPAND}</d:prop><d:href>${CAL}a.ics</d:href><d:href>${CAL}z.ics</d:href></c:calendar-multiget>`);
  assert.is(res.status, 403);
  assert.ok(errorConditions(res.text).includes(C('max-instances')), res.text);
});

t.run();
