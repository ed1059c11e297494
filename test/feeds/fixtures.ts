// Shared fixtures of the feed tests: an event carrying every property busy mode must hide (in
// odd casings, some folded mid-name), and the check that none of it leaks.
import * as assert from 'uvu/assert';

const ZONE = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Paris', 'X-LIC-LOCATION:Europe/Paris',
  'BEGIN:STANDARD', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'END:STANDARD',
  'BEGIN:DAYLIGHT', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'END:DAYLIGHT',
  'END:VTIMEZONE',
];

/** Every sensitive property, in odd casings, some folded mid-name or mid-value, with secrets marked "SECRET". */
export const SENSITIVE_EVENT = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...ZONE,
  'BEGIN:VEVENT',
  'UID:busy-1@example.com',
  'DTSTAMP:20240101T000000Z',
  'DTSTART;TZID=Europe/Paris;X-SECRET-PARAM=SECRETparam:20300107T090000',
  'DTEND;TZID=Europe/Paris:20300107T100000',
  'RRULE:FREQ=WEEKLY;COUNT=10',
  'EXDATE;TZID=Europe/Paris:20300114T090000',
  'RDATE;TZID=Europe/Paris:20300301T090000',
  'TRANSP:OPAQUE',
  'STATUS:CONFIRMED',
  'SEQUENCE:3',
  'CLASS:CONFIDENTIAL',
  'SUMMARY:SECRET summary of the meeting',
  'summary;LANGUAGE=fr:SECRET second summary',
  'DESCRIP',
  ' TION:SECRET description that is long enough to be folded over several lines because it goes',
  '  on and on',
  'description:SECRET lower-case description',
  'LOCATION;ALTREP="http://example.com/SECRET":SECRET room 101',
  'Attendee;CN="SECRET Person; with: punctuation";ROLE=REQ-PARTICIPANT:mailto:SECRET@example.com',
  'ORGANIZER;CN=SECRET Boss:mailto:SECRETboss@example.com',
  'URL:https://example.com/SECRET',
  'ATTACH;FMTTYPE=application/pdf:https://example.com/SECRET.pdf',
  'CATEGORIES:SECRET,CATEGORY',
  'COMMENT:SECRET comment',
  'CONTACT:SECRET contact',
  'RESOURCES:SECRET projector',
  'GEO:48.85;2.35',
  'PRIORITY:1',
  'X-SECRET-PROP:SECRET x value',
  'x-lower-case:SECRET lower x',
  'X-',
  ' FOLDED-NAME:SECRET folded x name',
  'X-MOZ-SNOOZE-TIME:SECRET20300107',
  'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:SECRET alarm text', 'TRIGGER:-PT15M', 'END:VALARM',
  'begin:valarm', 'ACTION:EMAIL', 'SUMMARY:SECRET mail', 'DESCRIPTION:SECRET mail body', 'ATTENDEE:mailto:SECRET@example.com', 'TRIGGER:-PT5M', 'end:valarm',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:busy-1@example.com',
  'DTSTAMP:20240101T000000Z',
  'RECURRENCE-ID;TZID=Europe/Paris:20300121T090000',
  'DTSTART;TZID=Europe/Paris:20300121T110000',
  'DTEND;TZID=Europe/Paris:20300121T120000',
  'TRANSP:TRANSPARENT',
  'LOCATION:SECRET moved room',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n') + '\r\n';

const SENSITIVE_NAMES = ['SUMMARY', 'DESCRIPTION', 'LOCATION', 'ATTENDEE', 'ORGANIZER', 'URL', 'ATTACH', 'CATEGORIES', 'COMMENT', 'CONTACT', 'RESOURCES', 'GEO', 'PRIORITY', 'CLASS', 'BEGIN:VALARM'];

const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '');

/** Checks a busy-mode output: no secret, no sensitive property apart from SUMMARY:Busy, no X-. */
export function assertNothingLeaks(text: string): void {
  assert.not.match(text, /secret/i, 'no secret text, in any casing');
  const logical = unfold(text).split('\r\n');
  for (const line of logical) {
    const name = line.split(/[;:]/)[0]!.toUpperCase();
    if (name === 'SUMMARY') assert.is(line, 'SUMMARY:Busy');
    else assert.not.ok(SENSITIVE_NAMES.some((n) => line.toUpperCase().startsWith(n)), `no sensitive line: ${line}`);
    assert.not.ok(name.startsWith('X-') && name !== 'X-WR-CALNAME' && name !== 'X-PUBLISHED-TTL', `no X- property: ${line}`);
  }
  assert.not.match(text, /BEGIN:VALARM/i);
}

