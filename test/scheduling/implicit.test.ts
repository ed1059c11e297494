// RFC 6638 §3 implicit scheduling among Sundial users (issue 15 item 3): the organizer's PUT
// delivers REQUESTs and attendee copies, the attendee's PARTSTAT change replies, deletions cancel
// or decline; Schedule-Tag and If-Schedule-Tag-Match; SCHEDULE-AGENT=CLIENT; the inbox.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TestServer } from '../helpers/server.js';
import { C, D, XML_HEADERS, parseMultistatus, propfind, propText, putIcs, syncCollection, syncTokenOf } from '../helpers/dav.js';
import { attendeeLine, attendeeOf, cal, inbox, invite, paramOf, schedulingServer, setPartstat, unfold } from './helpers.js';

interface Ctx { srv: TestServer }
const t = suite<Ctx>('implicit scheduling');
t.before(async (ctx) => { ctx.srv = await schedulingServer(); });
t.after(async (ctx) => { await ctx.srv.close(); });

const get = (srv: TestServer, user: string, path: string) => srv.request('GET', path, { user });
async function inboxTexts(srv: TestServer, user: string): Promise<string[]> {
  const ms = await propfind(srv, user, inbox(user), '1', [D('getetag')]);
  const out: string[] = [];
  for (const r of ms.responses.slice(1)) out.push((await srv.request('GET', r.href, { user })).text);
  return out;
}
const methodOf = (text: string) => unfold(text).find((l) => l.startsWith('METHOD:'))?.slice(7);

t('organizer PUT: bob gets a NEEDS-ACTION copy with the same UID and a REQUEST in his inbox; SCHEDULE-STATUS 1.2; Schedule-Tag, no ETag', async ({ srv }) => {
  const res = await putIcs(srv, 'alice', cal('alice', 'm1.ics'), invite({ uid: 'm1@t', attendees: ['bob@example.com'] }));
  assert.is(res.status, 201, res.text);
  assert.ok(res.headers.get('schedule-tag'), 'Schedule-Tag header');
  assert.is(res.headers.get('etag'), null, 'no ETag: the server added SCHEDULE-STATUS (RFC 4791 §5.3.4)');
  const own = await get(srv, 'alice', cal('alice', 'm1.ics'));
  assert.is(paramOf(attendeeOf(own.text, 'bob@example.com'), 'SCHEDULE-STATUS'), '1.2');
  assert.is(paramOf(attendeeOf(own.text, 'alice@example.com'), 'SCHEDULE-STATUS'), undefined, 'the organizer is not scheduled');
  const copy = await get(srv, 'bob', cal('bob', 'm1@t.ics'));
  assert.is(copy.status, 200, copy.text);
  assert.match(copy.text, /UID:m1@t/);
  assert.is(paramOf(attendeeOf(copy.text, 'bob@example.com'), 'PARTSTAT'), 'NEEDS-ACTION');
  const msgs = await inboxTexts(srv, 'bob');
  assert.ok(msgs.some((m) => methodOf(m) === 'REQUEST' && m.includes('UID:m1@t')), 'REQUEST in the inbox');
  // The copy carries a Schedule-Tag of its own (GET header and CALDAV:schedule-tag), also in
  // DAVx5's multiget (getcontenttype, getetag, schedule-tag, calendar-data: the row path).
  const header = copy.headers.get('schedule-tag');
  const tag = await propfind(srv, 'bob', cal('bob', 'm1@t.ics'), '0', [C('schedule-tag')]);
  assert.is(propText(tag.responses[0], C('schedule-tag')), header!);
  const mg = await srv.request('REPORT', cal('bob'), { user: 'bob', headers: { Depth: '1', 'Content-Type': 'application/xml' },
    body: `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getcontenttype/><d:getetag/><c:schedule-tag/><c:calendar-data/></d:prop><d:href>${cal('bob', 'm1@t.ics')}</d:href></c:calendar-multiget>` });
  assert.is(propText(parseMultistatus(mg.text).responses[0], C('schedule-tag')), header!);
});

t('attendee accepts: the organizer copy gets PARTSTAT=ACCEPTED and a REPLY; the organizer Schedule-Tag stays', async ({ srv }) => {
  await putIcs(srv, 'alice', cal('alice', 'm2.ics'), invite({ uid: 'm2@t', attendees: ['bob@example.com', 'carol@example.com'] }));
  const tagBefore = propText((await propfind(srv, 'alice', cal('alice', 'm2.ics'), '0', [C('schedule-tag')])).responses[0], C('schedule-tag'));
  const copy = (await get(srv, 'bob', cal('bob', 'm2@t.ics'))).text;
  const accepted = setPartstat(copy, 'bob@example.com', 'ACCEPTED');
  assert.is.not(accepted, copy);
  const res = await putIcs(srv, 'bob', cal('bob', 'm2@t.ics'), accepted);
  assert.is(res.status, 204, res.text);
  const org = (await get(srv, 'alice', cal('alice', 'm2.ics'))).text;
  assert.is(paramOf(attendeeOf(org, 'bob@example.com'), 'PARTSTAT'), 'ACCEPTED');
  assert.is(paramOf(attendeeOf(org, 'carol@example.com'), 'PARTSTAT'), 'NEEDS-ACTION');
  const tagAfter = propText((await propfind(srv, 'alice', cal('alice', 'm2.ics'), '0', [C('schedule-tag')])).responses[0], C('schedule-tag'));
  assert.is(tagAfter, tagBefore, 'a reply does not change the organizer Schedule-Tag (RFC 6638 §3.2.10)');
  const replies = (await inboxTexts(srv, 'alice')).filter((m) => methodOf(m) === 'REPLY' && m.includes('UID:m2@t'));
  assert.is(replies.length, 1);
  assert.match(replies[0]!, /PARTSTAT=ACCEPTED/);
});

t('organizer moves the event: the copy follows with a new Schedule-Tag; a stale If-Schedule-Tag-Match is 412 and changes nothing', async ({ srv }) => {
  await putIcs(srv, 'alice', cal('alice', 'm3.ics'), invite({ uid: 'm3@t', attendees: ['bob@example.com'] }));
  const r1 = await srv.request('GET', cal('bob', 'm3@t.ics'), { user: 'bob' });
  const tag1 = r1.headers.get('schedule-tag');
  assert.ok(tag1, 'GET answers Schedule-Tag');
  await putIcs(srv, 'alice', cal('alice', 'm3.ics'), invite({ uid: 'm3@t', attendees: ['bob@example.com'], start: '20300102T100000Z', end: '20300102T110000Z', sequence: 1 }));
  const r2 = await srv.request('GET', cal('bob', 'm3@t.ics'), { user: 'bob' });
  assert.match(r2.text, /DTSTART:20300102T100000Z/);
  assert.is.not(r2.headers.get('schedule-tag'), tag1);
  // Bob's client accepts the old version it fetched before the move.
  const stale = setPartstat(r1.text, 'bob@example.com', 'ACCEPTED');
  const res = await putIcs(srv, 'bob', cal('bob', 'm3@t.ics'), stale, { 'If-Schedule-Tag-Match': tag1! });
  assert.is(res.status, 412, res.text);
  assert.match((await get(srv, 'bob', cal('bob', 'm3@t.ics'))).text, /DTSTART:20300102T100000Z/);
  // With the current tag the PARTSTAT change goes through.
  const fresh = setPartstat(r2.text, 'bob@example.com', 'ACCEPTED');
  assert.is((await putIcs(srv, 'bob', cal('bob', 'm3@t.ics'), fresh, { 'If-Schedule-Tag-Match': r2.headers.get('schedule-tag')! })).status, 204);
});

t('an attendee copy changed while the organizer\'s write is planned: the plan is made again, the organizer gets 204, not 412', async ({ srv }) => {
  await putIcs(srv, 'alice', cal('alice', 'race.ics'), invite({ uid: 'race@t', attendees: ['bob@example.com'] }));
  const bob = (await srv.store.getUser('bob'))!;
  const bobCal = (await srv.store.getInstance(bob.id, 'personal'))!.collection;
  const store = srv.store as unknown as { applySchedulingWrite: (ops: unknown[]) => Promise<unknown> };
  const original = store.applySchedulingWrite.bind(store);
  let raced = false;
  store.applySchedulingWrite = async (ops) => {
    if (!raced) {
      raced = true;
      // bob's device writes his copy between the plan and its transaction.
      const copy = (await srv.store.getObject(bobCal.id, 'race@t.ics'))!;
      await srv.store.putObject(bobCal.id, { name: copy.name, contentType: copy.contentType, uid: copy.uid, componentType: copy.componentType, data: Buffer.from(copy.data.toString('utf8').replace('SUMMARY:Planning', 'SUMMARY:Planning ')) });
    }
    return original(ops);
  };
  try {
    const res = await putIcs(srv, 'alice', cal('alice', 'race.ics'), invite({ uid: 'race@t', attendees: ['bob@example.com'], start: '20300105T100000Z', end: '20300105T110000Z', sequence: 1 }));
    assert.is(res.status, 204, res.text);
    assert.ok(raced);
    assert.match((await get(srv, 'bob', cal('bob', 'race@t.ics'))).text, /DTSTART:20300105T100000Z/);
  } finally {
    store.applySchedulingWrite = original;
  }
});

t('an organizer update keeps the alarm the attendee added to their copy', async ({ srv }) => {
  await putIcs(srv, 'alice', cal('alice', 'al.ics'), invite({ uid: 'al@t', attendees: ['bob@example.com'] }));
  const copy = (await get(srv, 'bob', cal('bob', 'al@t.ics'))).text;
  const withAlarm = copy.replace('END:VEVENT', 'BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Bob reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT');
  assert.is((await putIcs(srv, 'bob', cal('bob', 'al@t.ics'), withAlarm)).status, 204);
  await putIcs(srv, 'alice', cal('alice', 'al.ics'), invite({ uid: 'al@t', attendees: ['bob@example.com'], summary: 'Renamed', sequence: 1 }));
  const after = (await get(srv, 'bob', cal('bob', 'al@t.ics'))).text;
  assert.match(after, /SUMMARY:Renamed/);
  assert.match(after, /DESCRIPTION:Bob reminder/);
});

t('organizer removes an attendee: their copy is marked CANCELLED and a CANCEL reaches their inbox', async ({ srv }) => {
  await putIcs(srv, 'alice', cal('alice', 'm4.ics'), invite({ uid: 'm4@t', attendees: ['bob@example.com', 'carol@example.com'] }));
  await putIcs(srv, 'alice', cal('alice', 'm4.ics'), invite({ uid: 'm4@t', attendees: ['bob@example.com'], sequence: 1 }));
  const carol = (await get(srv, 'carol', cal('carol', 'm4@t.ics'))).text;
  assert.match(carol, /STATUS:CANCELLED/);
  assert.ok((await inboxTexts(srv, 'carol')).some((m) => methodOf(m) === 'CANCEL' && m.includes('UID:m4@t')));
  assert.not.match((await get(srv, 'bob', cal('bob', 'm4@t.ics'))).text, /STATUS:CANCELLED/);
});

t('organizer deletes: every attendee copy is CANCELLED; attendee deletes: the organizer sees DECLINED', async ({ srv }) => {
  await putIcs(srv, 'alice', cal('alice', 'm5.ics'), invite({ uid: 'm5@t', attendees: ['bob@example.com', 'carol@example.com'] }));
  assert.is((await srv.request('DELETE', cal('carol', 'm5@t.ics'), { user: 'carol' })).status, 204);
  const org = (await get(srv, 'alice', cal('alice', 'm5.ics'))).text;
  assert.is(paramOf(attendeeOf(org, 'carol@example.com'), 'PARTSTAT'), 'DECLINED');
  assert.is((await srv.request('DELETE', cal('alice', 'm5.ics'), { user: 'alice' })).status, 204);
  assert.match((await get(srv, 'bob', cal('bob', 'm5@t.ics'))).text, /STATUS:CANCELLED/);
  assert.is((await get(srv, 'alice', cal('alice', 'm5.ics'))).status, 404);
});

t('an attendee may not move the event: 403 allowed-attendee-scheduling-object-change, nothing changes', async ({ srv }) => {
  await putIcs(srv, 'alice', cal('alice', 'm6.ics'), invite({ uid: 'm6@t', attendees: ['bob@example.com'] }));
  const copy = (await get(srv, 'bob', cal('bob', 'm6@t.ics'))).text;
  const token = await syncTokenOf(srv, 'bob', cal('bob'));
  const res = await putIcs(srv, 'bob', cal('bob', 'm6@t.ics'), copy.replace('DTSTART:20300101T100000Z', 'DTSTART:20300101T090000Z'));
  assert.is(res.status, 403, res.text);
  assert.match(res.text, /allowed-attendee-scheduling-object-change/);
  assert.is(await syncTokenOf(srv, 'bob', cal('bob')), token);
});

t('SCHEDULE-AGENT=CLIENT on an attendee: no copy, no message, no SCHEDULE-STATUS', async ({ srv }) => {
  const body = invite({ uid: 'm7@t', attendees: ['bob@example.com'] }).replace('RSVP=TRUE:mailto:bob', 'RSVP=TRUE;SCHEDULE-AGENT=CLIENT:mailto:bob');
  const before = (await inboxTexts(srv, 'bob')).length;
  assert.is((await putIcs(srv, 'alice', cal('alice', 'm7.ics'), body)).status, 201);
  assert.is((await get(srv, 'bob', cal('bob', 'm7@t.ics'))).status, 404);
  assert.is((await inboxTexts(srv, 'bob')).length, before);
  assert.is(paramOf(attendeeOf((await get(srv, 'alice', cal('alice', 'm7.ics'))).text, 'bob@example.com'), 'SCHEDULE-STATUS'), undefined);
});

t('SCHEDULE-AGENT=CLIENT on the ORGANIZER: stored as sent, nothing scheduled', async ({ srv }) => {
  const body = invite({ uid: 'm8@t', attendees: ['bob@example.com'] }).replace('ORGANIZER;CN=alice:', 'ORGANIZER;CN=alice;SCHEDULE-AGENT=CLIENT:');
  const res = await putIcs(srv, 'alice', cal('alice', 'm8.ics'), body);
  assert.is(res.status, 201);
  assert.ok(res.headers.get('etag'), 'the body is stored as sent');
  assert.is((await get(srv, 'bob', cal('bob', 'm8@t.ics'))).status, 404);
});

t('recurring event with an override: per-instance copies (RFC 5546 §3.2.2); an attendee declining one instance replies for it', async ({ srv }) => {
  // carol is in the series but not in the overridden instance of Jan 3; bob only in that instance.
  const override = ['BEGIN:VEVENT', 'UID:r1@t', 'DTSTAMP:20240101T000000Z', 'RECURRENCE-ID:20300103T100000Z', 'DTSTART:20300103T120000Z', 'DTEND:20300103T130000Z',
    'SUMMARY:Moved', 'ORGANIZER;CN=alice:mailto:alice@example.com', 'ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:alice@example.com', attendeeLine('bob@example.com'), 'END:VEVENT'].join('\r\n');
  const body = invite({ uid: 'r1@t', attendees: ['carol@example.com'], extra: ['RRULE:FREQ=DAILY;COUNT=5'], overrides: [override] });
  assert.is((await putIcs(srv, 'alice', cal('alice', 'r1.ics'), body)).status, 201);
  const carol = (await get(srv, 'carol', cal('carol', 'r1@t.ics'))).text;
  assert.match(carol, /EXDATE:20300103T100000Z/, 'carol is not invited to the moved instance');
  assert.not.match(carol, /RECURRENCE-ID/);
  const bob = (await get(srv, 'bob', cal('bob', 'r1@t.ics'))).text;
  assert.match(bob, /RECURRENCE-ID:20300103T100000Z/);
  assert.not.match(bob, /RRULE/, 'bob gets the one instance only');
  // carol declines Jan 2 only: her client adds an override with PARTSTAT=DECLINED.
  const lines = unfold(carol);
  const vevent = lines.slice(lines.indexOf('BEGIN:VEVENT'), lines.indexOf('END:VEVENT') + 1)
    .filter((l) => !l.startsWith('RRULE') && !l.startsWith('EXDATE') && !l.startsWith('DTSTART') && !l.startsWith('DTEND'))
    .map((l) => (l.includes('mailto:carol@') ? l.replace('PARTSTAT=NEEDS-ACTION', 'PARTSTAT=DECLINED') : l));
  vevent.splice(1, 0, 'RECURRENCE-ID:20300102T100000Z', 'DTSTART:20300102T100000Z', 'DTEND:20300102T110000Z');
  const declinedOne = carol.replace('END:VCALENDAR', vevent.join('\r\n') + '\r\nEND:VCALENDAR');
  assert.is((await putIcs(srv, 'carol', cal('carol', 'r1@t.ics'), declinedOne)).status, 204);
  const org = (await get(srv, 'alice', cal('alice', 'r1.ics'))).text;
  const comps = org.split('BEGIN:VEVENT').slice(1);
  const jan2 = comps.find((c) => /RECURRENCE-ID[^\r\n]*:20300102T100000Z/.test(c));
  assert.ok(jan2, 'the organizer copy got an override for Jan 2');
  assert.is(paramOf(attendeeOf('BEGIN:VEVENT' + jan2!, 'carol@example.com'), 'PARTSTAT'), 'DECLINED');
  const master = comps.find((c) => !/RECURRENCE-ID/.test(c))!;
  assert.is(paramOf(attendeeOf('BEGIN:VEVENT' + master, 'carol@example.com'), 'PARTSTAT'), 'NEEDS-ACTION', 'the series stays unanswered');
});

t('inviting a group address invites each member (MEMBER=<group>), who get their own copies; the group itself gets no message', async ({ srv }) => {
  const bob = (await srv.store.getUser('bob'))!;
  const carol = (await srv.store.getUser('carol'))!;
  await srv.store.createGroup({ name: 'team', displayName: 'Team', email: 'team@example.com' });
  await srv.store.setGroupMembers('team', [bob.id, carol.id]);
  const res = await putIcs(srv, 'alice', cal('alice', 'g1.ics'), invite({ uid: 'g1@t', attendees: ['team@example.com'] }));
  assert.is(res.status, 201, res.text);
  const own = (await get(srv, 'alice', cal('alice', 'g1.ics'))).text;
  assert.is(paramOf(attendeeOf(own, 'team@example.com'), 'CUTYPE'), 'GROUP');
  assert.is(paramOf(attendeeOf(own, 'team@example.com'), 'SCHEDULE-STATUS'), undefined);
  for (const who of ['bob', 'carol']) {
    const line = attendeeOf(own, `${who}@example.com`);
    assert.is(paramOf(line, 'MEMBER'), 'mailto:team@example.com', line);
    assert.is(paramOf(line, 'SCHEDULE-STATUS'), '1.2');
    assert.is((await get(srv, who, cal(who, 'g1@t.ics'))).status, 200);
  }
});

t('the inbox: listed, readable, deletable, with its own sync-collection', async ({ srv }) => {
  const first = await syncCollection(srv, 'bob', inbox('bob'), null);
  const token = first.syncToken!;
  // The inbox's sync-token and getctag (PROPFIND) are the token sync-collection hands out.
  const props = await propfind(srv, 'bob', inbox('bob'), '0', [D('sync-token')]);
  assert.is(propText(props.responses[0], D('sync-token')), token);
  assert.ok(first.responses.length >= 1);
  await putIcs(srv, 'alice', cal('alice', 'i1.ics'), invite({ uid: 'i1@t', attendees: ['bob@example.com'] }));
  const delta = await syncCollection(srv, 'bob', inbox('bob'), token);
  assert.is(delta.responses.length, 1, 'one new message');
  const href = delta.responses[0]!.href;
  const msg = await srv.request('GET', href, { user: 'bob' });
  assert.is(msg.status, 200);
  assert.match(msg.headers.get('content-type') ?? '', /method=REQUEST/);
  assert.is((await srv.request('DELETE', href, { user: 'bob' })).status, 204);
  assert.is((await srv.request('GET', href, { user: 'bob' })).status, 404);
  const after = await syncCollection(srv, 'bob', inbox('bob'), delta.syncToken!);
  assert.is(after.responses.length, 1);
  assert.is(after.responses[0]!.status, 404, 'the deletion is reported');
  // Another user's inbox is not reachable.
  assert.is((await srv.request('PROPFIND', inbox('bob'), { user: 'carol', headers: { Depth: '0' } })).status, 403);
});

t('principal: schedule-inbox-URL, schedule-outbox-URL, schedule-default-calendar-URL; OPTIONS announces calendar-auto-schedule', async ({ srv }) => {
  const ms = await propfind(srv, 'bob', '/dav/principals/bob/', '0', [C('schedule-inbox-URL'), C('schedule-outbox-URL'), C('schedule-default-calendar-URL')]);
  const r = ms.responses[0]!;
  assert.is(propText(r, C('schedule-inbox-URL'))?.trim(), '/dav/calendars/bob/inbox/');
  assert.is(propText(r, C('schedule-outbox-URL'))?.trim(), '/dav/calendars/bob/outbox/');
  assert.is(propText(r, C('schedule-default-calendar-URL'))?.trim(), '/dav/calendars/bob/personal/');
  const opt = await srv.request('OPTIONS', '/dav/calendars/bob/', { user: 'bob' });
  assert.match(opt.headers.get('dav') ?? '', /calendar-auto-schedule/);
  assert.match(opt.headers.get('dav') ?? '', /calendar-schedule/);
  const box = await propfind(srv, 'bob', inbox('bob'), '0', [D('resourcetype')]);
  assert.match(JSON.stringify(box.responses[0]), /schedule-inbox/);
  const mk = await srv.request('MKCALENDAR', inbox('bob'), { user: 'bob' });
  assert.is(mk.status, 403, 'the inbox segment is reserved');
  const mv = await srv.request('MOVE', '/dav/calendars/bob/personal/', { user: 'bob', headers: { Destination: '/dav/calendars/bob/outbox/' } });
  assert.is(mv.status, 403, 'nothing moves onto the outbox');
  assert.is((await srv.request('PROPFIND', '/dav/calendars/bob/personal/', { user: 'bob', headers: { Depth: '0' } })).status, 207);
  void XML_HEADERS;
  void parseMultistatus;
});

t.run();
