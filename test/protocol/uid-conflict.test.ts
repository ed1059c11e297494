// RFC 4791 §5.3.2.1 CALDAV:no-uid-conflict, second half (issue 12, item 1): a calendar object
// resource is never overwritten by one with another UID — by PUT, or by COPY/MOVE with
// Overwrite: T — and the answer names the resource (DAV:href). Nothing changes on refusal.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { C, errorConditions, errorElement, hrefsIn, ical, putIcs, putOk, syncTokenOf } from '../helpers/dav.js';

const USER = 'uma';
const HOME = `/dav/calendars/${USER}/`;
const CAL = `${HOME}personal/`;

interface Ctx { srv: TestServer }
const t = suite<Ctx>('no-uid-conflict on overwrite');

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
  await ctx.srv.request('MKCALENDAR', `${HOME}other/`, { user: USER });
});
t.after(async (ctx) => { await ctx.srv.close(); });

const req = (srv: TestServer, method: string, path: string, headers: Record<string, string> = {}) => srv.request(method, path, { user: USER, headers });

function assertNoUidConflict(res: { status: number; text: string }, href: string): void {
  assert.is(res.status, 403, res.text);
  assert.ok(errorConditions(res.text).includes(C('no-uid-conflict')), res.text);
  assert.equal(hrefsIn(errorElement(res.text, C('no-uid-conflict'))), [href]);
}

t('PUT over a.ics with another UID is 403 no-uid-conflict naming a.ics; a.ics is unchanged', async ({ srv }) => {
  await putOk(srv, USER, `${CAL}a.ics`, ical('first@t', { summary: 'First' }));
  const token = await syncTokenOf(srv, USER, CAL);
  const res = await putIcs(srv, USER, `${CAL}a.ics`, ical('second@t', { summary: 'Second' }));
  assertNoUidConflict(res, `${CAL}a.ics`);
  assert.match((await req(srv, 'GET', `${CAL}a.ics`)).text, /UID:first@t/);
  assert.is(await syncTokenOf(srv, USER, CAL), token, 'nothing changed');
  // The same UID replaces as before.
  assert.is((await putIcs(srv, USER, `${CAL}a.ics`, ical('first@t', { summary: 'Changed' }))).status, 204);
});

for (const method of ['COPY', 'MOVE']) {
  t(`${method} with Overwrite: T onto an object with another UID is 403 no-uid-conflict; both stay`, async ({ srv }) => {
    const src = `${HOME}other/${method.toLowerCase()}-src.ics`;
    const dst = `${CAL}${method.toLowerCase()}-dst.ics`;
    await putOk(srv, USER, src, ical(`${method}-src@t`));
    await putOk(srv, USER, dst, ical(`${method}-dst@t`));
    const tokens = [await syncTokenOf(srv, USER, CAL), await syncTokenOf(srv, USER, `${HOME}other/`)];
    const res = await req(srv, method, src, { Destination: dst, Overwrite: 'T' });
    assertNoUidConflict(res, dst);
    assert.match((await req(srv, 'GET', dst)).text, new RegExp(`UID:${method}-dst@t`));
    assert.match((await req(srv, 'GET', src)).text, new RegExp(`UID:${method}-src@t`));
    assert.equal([await syncTokenOf(srv, USER, CAL), await syncTokenOf(srv, USER, `${HOME}other/`)], tokens);
  });
}

t('MOVE onto an object holding the same UID replaces it (a client re-filing its own event)', async ({ srv }) => {
  await putOk(srv, USER, `${HOME}other/same.ics`, ical('same@t', { summary: 'New' }));
  await putOk(srv, USER, `${CAL}same.ics`, ical('same@t', { summary: 'Old' }));
  const res = await req(srv, 'MOVE', `${HOME}other/same.ics`, { Destination: `${CAL}same.ics` });
  assert.is(res.status, 204, res.text);
  assert.match((await req(srv, 'GET', `${CAL}same.ics`)).text, /SUMMARY:New/);
});

t.run();
