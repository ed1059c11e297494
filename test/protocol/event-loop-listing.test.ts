// Long multistatus answers give the event loop back (SPEC "Limits and bad input"): a Depth 1
// PROPFIND of a large calendar with properties off the etag fast path, the whole calendar as one
// GET, and an initial sync-collection render thousands of responses. A reader on loopback takes
// the chunks as fast as they are made, so socket backpressure alone never paused the rendering
// (a 3000-member listing held the loop ~460 ms); /healthz must keep answering meanwhile.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { XML_HEADERS, ical } from '../helpers/dav.js';
import { assertResponsive, idleLatency, probeDuring } from '../helpers/latency.js';

/**
 * Tighter than assertResponsive's "interleaved": the probe that waited longest waited for a
 * small share of the whole answer (measured: ~60% of it when rendering never paused, ~12% with
 * the pauses), so the check holds on a loaded machine without a wall-clock bound.
 */
function assertSliced(run: { worst: number; probes: number; ms: number }): void {
  assert.ok(run.worst < Math.max(100, run.ms / 4), `healthz waited ${run.worst.toFixed(0)} ms of a ${run.ms.toFixed(0)} ms answer (${run.probes} probes)`);
}

const USER = 'alice';
const CAL = `/dav/calendars/${USER}/big/`;
const MEMBERS = 6000;
const t = suite<{ srv: TestServer }>('event-loop-listing');

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
  assert.is((await ctx.srv.request('MKCALENDAR', CAL, { user: USER })).status, 201);
  const user = await ctx.srv.store.getUser(USER);
  const id = (await ctx.srv.store.getInstance(user!.id, 'big'))!.collection.id;
  // Straight into the store: 6000 PUTs would make the test slow, and only reading is measured.
  for (let i = 0; i < MEMBERS; i++) {
    const uid = `ev-${i}`;
    await ctx.srv.store.putObject(id, { name: `${uid}.ics`, data: Buffer.from(ical(uid, { summary: `Event ${i}` })), contentType: 'text/calendar; charset=utf-8', uid, componentType: 'VEVENT' });
  }
});
t.after(async (ctx) => { await ctx.srv.close(); });

// Properties that no fast path serves (allprop-like listing of a calendar's members).
const MANY_PROPS = `<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><D:getcontenttype/><D:resourcetype/><D:displayname/><D:getlastmodified/>
  <D:creationdate/><D:current-user-privilege-set/><D:owner/><D:supportedlock/><C:schedule-tag/></D:prop>
</D:propfind>`;

t('a Depth 1 PROPFIND of many properties over 6000 members leaves /healthz answering', async ({ srv }) => {
  const idle = await idleLatency(srv);
  const run = await probeDuring(srv, async () => {
    const res = await srv.request('PROPFIND', CAL, { user: USER, headers: { ...XML_HEADERS, Depth: '1' }, body: MANY_PROPS });
    assert.is(res.status, 207);
    assert.is(res.text.split('<d:response>').length - 1, MEMBERS + 1);
    return res;
  });
  assertResponsive(run, idle);
  assertSliced(run);
});

t('GET of the whole 6000-entry calendar leaves /healthz answering', async ({ srv }) => {
  const idle = await idleLatency(srv);
  const run = await probeDuring(srv, async () => {
    const res = await srv.request('GET', CAL, { user: USER });
    assert.is(res.status, 200);
    assert.is(res.text.split('BEGIN:VEVENT').length - 1, MEMBERS);
    return res;
  });
  assertResponsive(run, idle);
});

t.run();
