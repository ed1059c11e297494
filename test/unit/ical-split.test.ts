// Splitting an iCalendar file for import (src/ical-files/import.ts): a file cut short leaves its
// last component open, and that component is reported as skipped with the reason instead of
// being left out without a word.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitCalendar } from '../../src/ical-files/import.js';

const EVENT = (uid: string) => `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260301T090000Z\r\nSUMMARY:${uid}\r\nEND:VEVENT\r\n`;
const HEAD = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n';

test('a file cut inside its last event: the complete events are kept, the open one is skipped with the reason', () => {
  const text = `${HEAD}${EVENT('a')}${EVENT('b')}BEGIN:VEVENT\r\nUID:cut\r\nDTSTART:20260301T090000Z\r\nSUMMA`;
  const r = splitCalendar(text);
  assert.equal(r.objects.map((o) => o.uid), ['a', 'b']);
  assert.equal(r.skipped, [{ item: 'UID cut', reason: 'no END:VEVENT before the end of the file' }]);
});

test('an open component without a UID is reported by its type and number', () => {
  const r = splitCalendar(`${HEAD}${EVENT('a')}BEGIN:VTODO\r\nSUMMARY:never ends`);
  assert.equal(r.objects.map((o) => o.uid), ['a']);
  assert.equal(r.skipped, [{ item: 'VTODO #1', reason: 'no END:VTODO before the end of the file' }]);
});

test('a complete file is unchanged: nothing skipped', () => {
  const r = splitCalendar(`${HEAD}${EVENT('a')}END:VCALENDAR\r\n`);
  assert.equal(r.objects.map((o) => o.uid), ['a']);
  assert.equal(r.skipped, []);
});

test.run();
