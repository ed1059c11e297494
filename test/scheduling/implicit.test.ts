// RFC 6638 §3 implicit scheduling among Sundial users: the organizer's PUT delivers REQUESTs and
// attendee copies, the attendee's PARTSTAT change replies, deletions cancel or decline.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TestServer } from '../helpers/server.js';
import { putIcs } from '../helpers/dav.js';
import { attendeeOf, cal, invite, paramOf, schedulingServer } from './helpers.js';

interface Ctx { srv: TestServer }
const t = suite<Ctx>('implicit scheduling');
t.before(async (ctx) => { ctx.srv = await schedulingServer(); });
t.after(async (ctx) => { await ctx.srv.close(); });

t('organizer PUT: bob gets a NEEDS-ACTION copy with the same UID; SCHEDULE-STATUS 1.2; Schedule-Tag', async ({ srv }) => {
  const res = await putIcs(srv, 'alice', cal('alice', 'm1.ics'), invite({ uid: 'm1@t', attendees: ['bob@example.com'] }));
  assert.is(res.status, 201, res.text);
  assert.ok(res.headers.get('schedule-tag'), 'Schedule-Tag header');
  assert.is(res.headers.get('etag'), null, 'no ETag: the server added SCHEDULE-STATUS');
  const own = await srv.request('GET', cal('alice', 'm1.ics'), { user: 'alice' });
  assert.is(paramOf(attendeeOf(own.text, 'bob@example.com'), 'SCHEDULE-STATUS'), '1.2');
  const copy = await srv.request('GET', cal('bob', 'm1@t.ics'), { user: 'bob' });
  assert.is(copy.status, 200, copy.text);
  assert.match(copy.text, /UID:m1@t/);
  assert.is(paramOf(attendeeOf(copy.text, 'bob@example.com'), 'PARTSTAT'), 'NEEDS-ACTION');
});

t.run();
