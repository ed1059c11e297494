// The content limits of one calendar object (ical/limits.ts), the per-request work budget
// (ical/work-budget.ts) and the sub-daily arithmetic walker (rule-walk.ts) against ical.js.
import ICAL from 'ical.js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { options } from '../../src/config.js';
import { DEFAULT_OBJECT_LIMITS, checkObjectLimits } from '../../src/ical/limits.js';
import { CalendarDataError } from '../../src/ical/errors.js';
import { countContinuationLines, maxContinuationLines } from '../../src/ical/unfold.js';
import { QueryError } from '../../src/ical/query-errors.js';
import { WorkBudget } from '../../src/ical/work-budget.js';
import { QueryObject } from '../../src/ical/query-object.js';
import { RuleWalker, simpleRuleWalker, wallWalker } from '../../src/ical/rule-walk.js';
import { UTC_ZONE } from '../../src/ical/zones.js';

const t = suite('ical-limits');

t('the defaults of ical/limits.ts are those of the options in src/config.ts', () => {
  assert.equal(DEFAULT_OBJECT_LIMITS, {
    maxComponents: options.maxObjectComponents.default,
    maxProperties: options.maxObjectProperties.default,
    maxRules: options.maxRecurrenceRules.default,
    maxRecurrenceDates: options.maxRecurrenceDates.default,
  });
});

t('folding: a text folded as clients fold passes, one folded over many short lines is refused before it is unfolded', () => {
  const head = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:f\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T090000Z\r\n';
  const tail = 'END:VEVENT\r\nEND:VCALENDAR\r\n';
  // RFC 5545 §3.1: at most 75 octets a line. 1 MB of CJK (3 octets a character) folds every 25
  // characters, the shortest lines a conforming client writes for text.
  const cjk = '日本語の説明文'.repeat(50_000);
  const folded = (`DESCRIPTION:${cjk}`.match(/.{1,25}/gu) ?? []).join('\r\n ');
  checkObjectLimits(`${head}${folded}\r\n${tail}`);
  const shortLines = `${head}DESCRIPTION:x\r\n${' y\r\n'.repeat(500_000)}${tail}`;
  const started = performance.now();
  assert.throws(() => checkObjectLimits(shortLines), (e: Error) => e instanceof CalendarDataError && /continuation lines/.test(e.message));
  assert.ok(performance.now() - started < 200, 'counted, not unfolded');
  // At the bound exactly it passes: 48 octets a continuation on average, plus one per property.
  assert.is(maxContinuationLines(4800, 10), 110);
  assert.is(countContinuationLines('A\r\n b\n\tc\r\nD\r\n', 99), 2);
  assert.is(countContinuationLines(' y\r\n'.repeat(1000), 5), 6, 'stops counting past the bound');
});

function timeOf(fn: () => void): number {
  const t0 = performance.now();
  try {
    fn();
  } catch {
    // refusals are expected
  }
  return performance.now() - t0;
}

t('checkObjectLimits is linear: hostile 100 KB inputs cost about what a benign one does', () => {
  const benign = 'BEGIN:VCALENDAR\r\n' + 'X-A:hello world\r\n'.repeat(6000) + 'END:VCALENDAR\r\n';
  const limits = { ...DEFAULT_OBJECT_LIMITS, maxProperties: 1_000_000 };
  const hostile = [
    'BEGIN:VCALENDAR\r\nRRULE:' + 'FREQ=DAILY;'.repeat(9000) + '\r\nEND:VCALENDAR\r\n',
    'BEGIN:VCALENDAR\r\nX-A;P="' + ':'.repeat(100_000) + '\r\nEND:VCALENDAR\r\n',
    'BEGIN:VCALENDAR\r\nRDATE:' + ','.repeat(100_000) + '\r\n',
    'BEGIN:VCALENDAR\r\n' + '\r\n \r\n\t'.repeat(20_000) + 'END:VCALENDAR\r\n',
  ];
  const base = Math.max(1, Math.min(...[1, 2, 3].map(() => timeOf(() => checkObjectLimits(benign, limits)))));
  for (const h of hostile) {
    const cost = Math.min(...[1, 2, 3].map(() => timeOf(() => checkObjectLimits(h, limits))));
    assert.ok(cost < 50 * base + 20, `hostile input took ${cost.toFixed(1)} ms, benign ${base.toFixed(1)} ms`);
  }
});

t('checkObjectLimits counts per kind and names the limit', () => {
  const obj = (lines: string[]) => ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
  const refuse = (text: string, re: RegExp) => {
    try {
      checkObjectLimits(text);
      assert.unreachable('accepted');
    } catch (err) {
      assert.instance(err, CalendarDataError);
      assert.match((err as Error).message, re);
    }
  };
  refuse(obj(Array.from({ length: 5 }, () => 'RRULE:FREQ=DAILY')), /RRULE/);
  // Folded lines are one property: a fold inside the name still counts as RRULE.
  refuse(obj(Array.from({ length: 5 }, () => 'RRU\r\n LE:FREQ=DAILY')), /RRULE/);
  refuse(obj(['RRULE:FREQ=DAILY;INTERVAL=0']), /INTERVAL/);
  refuse(obj(['RRULE:FREQ=DAILY;COUNT=0']), /COUNT/);
  refuse(obj(['RRULE:FREQ=MINUTELY;BYHOUR=9']), /MINUTELY/);
  refuse(obj(['EXDATE:' + Array.from({ length: 1001 }, () => '20240101T000000Z').join(',')]), /EXDATE/);
  // Four rules in each of two components are fine: the count is per component.
  const two = ['BEGIN:VCALENDAR', ...[1, 2].flatMap(() => ['BEGIN:VEVENT', ...Array.from({ length: 4 }, () => 'RRULE:FREQ=DAILY'), 'END:VEVENT']), 'END:VCALENDAR', ''].join('\r\n');
  checkObjectLimits(two);
  checkObjectLimits(obj(['RRULE:FREQ=MINUTELY;BYSECOND=0,30', 'RRULE:FREQ=HOURLY;BYMINUTE=0;BYDAY=MO']));
});

t('WorkBudget: max-instances once one object has used its time; a new object starts a new account', async () => {
  const budget = new WorkBudget(300, 5);
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) budget.check();
  };
  budget.startObject();
  spin(100);
  assert.ok(budget.check(), 'the 5 ms slice is used up');
  await budget.pause();
  budget.startObject();
  spin(100); // 200 ms over two objects: each well under 300
  assert.throws(() => spin(400), (err: unknown) => err instanceof QueryError && err.condition === 'max-instances');
});

t('an evaluation past the budget throws max-instances instead of running on', () => {
  const text = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20200101T000000Z\r\nDTSTART:20200101T000000Z\r\nRRULE:FREQ=MINUTELY;BYSECOND=0,10,20,30,40,50\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
  const obj = new QueryObject(text, { floatingZone: UTC_ZONE, maxInstances: 10_000_000, budget: new WorkBudget(50) });
  const t0 = performance.now();
  assert.throws(() => obj.instanceSet(obj.components()[0]!).list(Date.UTC(2030, 0, 1)), (err: unknown) => err instanceof QueryError && err.condition === 'max-instances');
  assert.ok(performance.now() - t0 < 2000, 'stopped near its budget');
});

t('sub-daily rules without BYxxx parts: the arithmetic walker agrees with ical.js, jumps included', () => {
  const dtstart = ICAL.Time.fromString('2025-03-30T01:15:07', null);
  for (const rule of ['FREQ=SECONDLY', 'FREQ=SECONDLY;INTERVAL=7;COUNT=500', 'FREQ=MINUTELY;INTERVAL=13', 'FREQ=HOURLY;INTERVAL=5;COUNT=300', 'FREQ=HOURLY']) {
    const recur = ICAL.Recur.fromString(rule);
    const slow = wallWalker(new RuleWalker(recur, dtstart, 20_000));
    const expected: number[] = [];
    for (let w = slow.next(); w !== null && expected.length < 400; w = slow.next()) expected.push(w);
    const fast = simpleRuleWalker(recur, dtstart, -Infinity);
    assert.ok(fast, rule);
    const got: number[] = [];
    for (let w = fast!.next(); w !== null && got.length < 400; w = fast!.next()) got.push(w);
    assert.equal(got, expected, rule);
    const skip = expected[200]!;
    const jumped = simpleRuleWalker(recur, dtstart, skip)!;
    const after: number[] = [];
    for (let w = jumped.next(); w !== null && after.length < 400; w = jumped.next()) if (w >= skip) after.push(w);
    assert.equal(after.slice(0, 150), expected.filter((w) => w >= skip).slice(0, 150), `${rule} after a jump`);
  }
});

t('rules with BYxxx parts that jump to the range give the instances a walk from DTSTART gives', () => {
  const rules = ['FREQ=DAILY;BYHOUR=9,17', 'FREQ=HOURLY;INTERVAL=5;BYMINUTE=0,30', 'FREQ=MINUTELY;INTERVAL=7;BYSECOND=0,30', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;BYHOUR=8', 'FREQ=DAILY;BYMONTH=2,3;UNTIL=20290101T000000Z', 'FREQ=HOURLY;BYDAY=SA;BYHOUR=1,23'];
  const start = Date.UTC(2026, 2, 1, 3);
  const end = Date.UTC(2026, 2, 20);
  for (const rule of rules) {
    const text = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20200101T000000Z\r\nDTSTART:20251210T081507Z\r\nDURATION:PT10M\r\nRRULE:${rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
    const inRange = (skipBefore: number | null) => {
      const obj = new QueryObject(text, { floatingZone: UTC_ZONE, maxInstances: 1_000_000, skipBefore });
      return obj.instanceSet(obj.components()[0]!).list(end).map((i) => i.start!).filter((s) => s >= start && s < end);
    };
    const walked = inRange(null);
    assert.ok(walked.length > 0, rule);
    assert.equal(inRange(start), walked, rule);
  }
});

t('an RDATE PERIOD begun long before the range still overlaps it', () => {
  const text = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20200101T000000Z\r\nDTSTART:20251201T000000Z\r\nDURATION:PT1H\r\nRDATE;VALUE=PERIOD:20260101T000000Z/20260401T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
  const start = Date.UTC(2026, 2, 1);
  const obj = new QueryObject(text, { floatingZone: UTC_ZONE, maxInstances: 100, skipBefore: start });
  const hits = obj.instanceSet(obj.components()[0]!).list(Date.UTC(2026, 2, 2)).filter((i) => i.end! > start);
  assert.equal(hits.map((i) => new Date(i.start!).toISOString()), ['2026-01-01T00:00:00.000Z']);
});

t.run();
