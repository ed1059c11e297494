// Busy mode and alarm removal on text lines (src/ical/privacy.ts), and the unfold-aware splitting
// and merging they rely on (src/ical/merge.ts): nothing sensitive survives busy mode, in any
// casing, folded or not; what free/busy needs stays; output is valid iCalendar.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import ICAL from 'ical.js';
import { mergeCalendar, topLevelComponents, foldLine } from '../../src/ical/merge.js';
import { parseContentLine, privacyTransform } from '../../src/ical/privacy.js';
import { SENSITIVE_EVENT, assertNothingLeaks } from './fixtures.js';

const t = suite('feeds: privacy');

const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '');

async function collect(gen: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of gen) out += c;
  return out;
}

t('busy mode leaks none of the sensitive properties, whatever their casing or folding', async () => {
  const out = await collect(mergeCalendar([SENSITIVE_EVENT], { transform: privacyTransform({ details: 'busy', alarms: true }) }));
  assertNothingLeaks(out);
});

t('busy mode keeps times, recurrence, exceptions, UID, transparency, status and sequence', async () => {
  const out = unfold(await collect(mergeCalendar([SENSITIVE_EVENT], { transform: privacyTransform({ details: 'busy', alarms: true }) })));
  for (const line of [
    'UID:busy-1@example.com', 'DTSTART;TZID=Europe/Paris:20300107T090000', 'DTEND;TZID=Europe/Paris:20300107T100000', 'RRULE:FREQ=WEEKLY;COUNT=10',
    'EXDATE;TZID=Europe/Paris:20300114T090000', 'RDATE;TZID=Europe/Paris:20300301T090000', 'TRANSP:OPAQUE', 'STATUS:CONFIRMED', 'SEQUENCE:3',
    'RECURRENCE-ID;TZID=Europe/Paris:20300121T090000', 'DTSTART;TZID=Europe/Paris:20300121T110000', 'TRANSP:TRANSPARENT', 'TZID:Europe/Paris',
  ]) assert.ok(out.split('\r\n').includes(line), `kept: ${line}\n${out}`);
  assert.is(out.split('\r\n').filter((l) => l === 'SUMMARY:Busy').length, 2, 'one SUMMARY:Busy per component, even where none was');
  // Still valid iCalendar, and the free/busy picture is unchanged: the same occurrences.
  const vcal = new ICAL.Component(ICAL.parse(out));
  const [master, override] = vcal.getAllSubcomponents('vevent');
  const ev = new ICAL.Event(master!, { exceptions: [override!] });
  assert.is(ev.summary, 'Busy');
  const it = ev.iterator();
  const starts: string[] = [];
  for (let next = it.next(); next; next = it.next()) starts.push(ev.getOccurrenceDetails(next).startDate.toString());
  assert.is(starts.length, 10, 'COUNT=10 minus one EXDATE plus one RDATE');
  assert.ok(starts.includes('2030-01-21T11:00:00'), `the override's moved time: ${starts.join(' ')}`);
  assert.not.ok(starts.some((s) => s.startsWith('2030-01-14')), 'the EXDATE stays excluded');
});

t('full mode with alarms removed drops only the VALARMs, byte for byte otherwise', async () => {
  const out = await collect(mergeCalendar([SENSITIVE_EVENT], { transform: privacyTransform({ details: 'full', alarms: false }) }));
  assert.not.match(out, /BEGIN:VALARM/i);
  assert.not.match(out, /SECRET alarm text|SECRET mail body/);
  assert.ok(out.includes('DESCRIP\r\n TION:SECRET description'), 'folding of kept lines is kept');
  assert.ok(out.includes('X-SECRET-PROP:SECRET x value'));
  new ICAL.Component(ICAL.parse(out));
});

t('full mode with alarms kept passes components through unchanged', async () => {
  const out = await collect(mergeCalendar([SENSITIVE_EVENT], { transform: privacyTransform({ details: 'full', alarms: true }) }));
  assert.is((out.match(/BEGIN:VALARM/gi) ?? []).length, 2);
  const body = SENSITIVE_EVENT.slice(SENSITIVE_EVENT.indexOf('BEGIN:VEVENT'), SENSITIVE_EVENT.lastIndexOf('END:VCALENDAR'));
  assert.ok(out.includes(body));
});

t('journals and other component types stay out of feeds', async () => {
  const journal = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VJOURNAL\r\nUID:j\r\nDTSTAMP:20240101T000000Z\r\nSUMMARY:diary\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n';
  const out = await collect(mergeCalendar([journal], { transform: privacyTransform({ details: 'full', alarms: true }) }));
  assert.not.match(out, /VJOURNAL/);
});

t('busy lines stay within 75 octets when a kept property is rewritten', async () => {
  const long = SENSITIVE_EVENT.replace('DTEND;TZID=Europe/Paris:20300107T100000', `DTEND;TZID=Europe/Paris;X-${'A'.repeat(80)}=1:20300107T100000`);
  const out = await collect(mergeCalendar([long], { transform: privacyTransform({ details: 'busy', alarms: true }) }));
  for (const line of out.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, line);
  assert.ok(unfold(out).includes('DTEND;TZID=Europe/Paris:20300107T100000'));
});

t('parseContentLine respects quoted parameter values', () => {
  const p = parseContentLine('ATTENDEE;CN="A; B: C";ROLE=CHAIR:mailto:a@example.com')!;
  assert.is(p.name, 'ATTENDEE');
  assert.equal(p.params, ['CN="A; B: C"', 'ROLE=CHAIR']);
  assert.is(p.value, 'mailto:a@example.com');
  assert.is(parseContentLine('garbage'), null);
});

t('topLevelComponents unfolds before deciding: folded TZID, folded BEGIN', () => {
  const text = 'BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:America/Argen\r\n tina/Buenos_Aires\r\nEND:VTIMEZONE\r\nBEGI\r\n N:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
  const comps = topLevelComponents(text);
  assert.equal(comps.map((c) => c.type), ['VTIMEZONE', 'VEVENT']);
  assert.is(comps[0]!.tzid, 'America/Argentina/Buenos_Aires');
  assert.equal(comps[1]!.lines, ['BEGI', ' N:VEVENT', 'UID:x', 'END:VEVENT']);
});

t('mergeCalendar de-duplicates VTIMEZONEs and keeps the calendar name on one line', async () => {
  const a = SENSITIVE_EVENT;
  const b = SENSITIVE_EVENT.replace(/busy-1@example.com/g, 'busy-2@example.com');
  const out = await collect(mergeCalendar([a, b], { name: 'Work, home;\nmore' }));
  assert.is((out.match(/BEGIN:VTIMEZONE/g) ?? []).length, 1);
  assert.ok(out.includes('X-WR-CALNAME:Work, home; more'));
  const vcal = new ICAL.Component(ICAL.parse(out));
  assert.is(vcal.getFirstPropertyValue('x-wr-calname'), 'Work, home; more');
  assert.is(vcal.getAllSubcomponents('vevent').length, 4);
});

t('foldLine never splits a UTF-8 sequence', () => {
  const folded = foldLine('SUMMARY:' + 'é'.repeat(100));
  for (const l of folded.split('\r\n')) assert.ok(Buffer.byteLength(l) <= 75);
  assert.is(unfold(folded), 'SUMMARY:' + 'é'.repeat(100));
});

t.run();
