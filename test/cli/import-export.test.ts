// `sundial import` and `sundial export` as an operator runs them (issue 6): a generated
// 10,000-event file with recurring events whose overrides sit far from their master, VTIMEZONEs
// shared by many events, to-dos, and a few broken components; re-running changes nothing;
// export gives the calendar back as one .ics that parses and matches.
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import ICAL from 'ical.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { run, tempDir } from '../helpers/cli.js';

const EVENTS = 10_000;
const RECURRING = 50; // of the events, with one override each at the end of the file
const TODOS = 20;
const LONG = 180_000;

interface Ctx {
  dir: string;
  env: Record<string, string>;
  file: string;
}

const t = suite<Ctx>('sundial import / export');

const PARIS = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Paris', 'X-LIC-LOCATION:Europe/Paris',
  'BEGIN:STANDARD', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'END:STANDARD',
  'BEGIN:DAYLIGHT', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'END:DAYLIGHT',
  'END:VTIMEZONE',
];
const UNUSED_ZONE = ['BEGIN:VTIMEZONE', 'TZID:Unused/Zone', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0000', 'TZOFFSETTO:+0000', 'END:STANDARD', 'END:VTIMEZONE'];

/** The generated file: a Thunderbird/Google-style export with everything in one VCALENDAR. */
function generate(): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial tests//Generator//EN', 'METHOD:PUBLISH', 'X-WR-CALNAME:Generated', ...PARIS, ...UNUSED_ZONE];
  for (let i = 0; i < EVENTS; i++) {
    const month = String(1 + (i % 12)).padStart(2, '0');
    const day = String(1 + (i % 28)).padStart(2, '0');
    const tz = i % 3 === 0;
    const start = tz ? `DTSTART;TZID=Europe/Paris:2030${month}${day}T090000` : `DTSTART:2030${month}${day}T090000Z`;
    const end = tz ? `DTEND;TZID=Europe/Paris:2030${month}${day}T100000` : `DTEND:2030${month}${day}T100000Z`;
    lines.push('BEGIN:VEVENT', `UID:gen-${i}@example.com`, 'DTSTAMP:20240101T000000Z', start, end, `SUMMARY:Generated event ${i}`);
    if (i < RECURRING) lines.push('RRULE:FREQ=WEEKLY;COUNT=5');
    if (i % 100 === 0) lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT10M', 'END:VALARM');
    lines.push('END:VEVENT');
  }
  for (let i = 0; i < TODOS; i++) lines.push('BEGIN:VTODO', `UID:todo-${i}`, 'DTSTAMP:20240101T000000Z', `SUMMARY:To do ${i}`, 'END:VTODO');
  // Broken components: no UID; an unparseable date; a journal the calendar does not take.
  lines.push('BEGIN:VEVENT', 'DTSTAMP:20240101T000000Z', 'DTSTART:20300101T090000Z', 'SUMMARY:Lost without UID', 'END:VEVENT');
  lines.push('BEGIN:VEVENT', 'UID:bad-date', 'DTSTAMP:20240101T000000Z', 'DTSTART:2030-13-45', 'SUMMARY:Bad date', 'END:VEVENT');
  lines.push('BEGIN:VJOURNAL', 'UID:journal-1', 'DTSTAMP:20240101T000000Z', 'SUMMARY:Diary', 'END:VJOURNAL');
  // Overrides far away from their masters (the second instance moved by an hour).
  for (let i = 0; i < RECURRING; i++) {
    const month = String(1 + (i % 12)).padStart(2, '0');
    const day = String(1 + (i % 28)).padStart(2, '0');
    const tz = i % 3 === 0;
    const d = new Date(Date.UTC(2030, i % 12, 1 + (i % 28) + 7));
    const second = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
    void month; void day;
    const rid = tz ? `RECURRENCE-ID;TZID=Europe/Paris:${second}T090000` : `RECURRENCE-ID:${second}T090000Z`;
    const start = tz ? `DTSTART;TZID=Europe/Paris:${second}T100000` : `DTSTART:${second}T100000Z`;
    const end = tz ? `DTEND;TZID=Europe/Paris:${second}T110000` : `DTEND:${second}T110000Z`;
    lines.push('BEGIN:VEVENT', `UID:gen-${i}@example.com`, 'DTSTAMP:20240101T000000Z', rid, start, end, `SUMMARY:Moved ${i}`, 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}


async function withStore<T>(dir: string, fn: (store: Awaited<ReturnType<typeof openSqliteStore>>) => Promise<T>): Promise<T> {
  const store = await openSqliteStore({ path: path.join(dir, 'sundial.db') });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

t.before(async (ctx) => {
  ctx.dir = tempDir();
  ctx.env = { SUNDIAL_DATA: ctx.dir };
  const add = await run(['user', 'add', 'alice'], { env: ctx.env, input: 'alice password\n' });
  assert.is(add.code, 0, add.stderr);
  ctx.file = path.join(ctx.dir, 'generated.ics');
  fs.writeFileSync(ctx.file, generate());
});
t.after((ctx) => { fs.rmSync(ctx.dir, { recursive: true, force: true }); });

t('import of a 10,000-event file: split by UID, overrides with their master, bad components reported', async ({ dir, env, file }) => {
  const started = Date.now();
  const res = await run(['import', file, '--user', 'alice', '--calendar', 'personal'], { env, timeoutMs: LONG });
  const seconds = (Date.now() - started) / 1000;
  console.log(`  imported ${EVENTS} events + ${TODOS} to-dos (${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB) in ${seconds.toFixed(1)} s (${Math.round((EVENTS + TODOS) / seconds)} per second)`);
  assert.is(res.code, 1, `exit 1 when components were skipped\n${res.stdout}\n${res.stderr}`);
  assert.match(res.stdout, new RegExp(`^${EVENTS + TODOS + 1} imported, 0 replaced, 0 unchanged, 2 skipped$`, 'm'), res.stdout);
  assert.match(res.stdout, /skipped VEVENT #\d+ \("Lost without UID"\): no UID/);
  assert.match(res.stdout, /skipped UID bad-date: /);
  // Calendars take journals by default (SPEC): the file's VJOURNAL is imported, not skipped.
  assert.not.match(res.stdout, /journal-1/);
  assert.not.match(res.stderr, /\r/, 'no progress line when stderr is not a terminal');

  await withStore(dir, async (store) => {
    const u = (await store.getUser('alice'))!;
    const inst = (await store.getInstance(u.id, 'personal'))!;
    assert.is(inst.collection.objectCount, EVENTS + TODOS + 1); // and the journal
    const recurring = (await store.getObject(inst.collection.id, 'gen-0@example.com.ics'))!.data.toString('utf8');
    assert.is((recurring.match(/BEGIN:VEVENT/g) ?? []).length, 2, 'the override is stored with its master');
    assert.is((recurring.match(/BEGIN:VTIMEZONE/g) ?? []).length, 1, 'the referenced VTIMEZONE is copied in');
    assert.not.match(recurring, /Unused\/Zone|METHOD:/);
    const utc = (await store.getObject(inst.collection.id, 'gen-1@example.com.ics'))!.data.toString('utf8');
    assert.not.match(utc, /VTIMEZONE/, 'no zone where none is referenced');
    const vcal = new ICAL.Component(ICAL.parse(recurring));
    const [master, override] = vcal.getAllSubcomponents('vevent');
    assert.ok(override!.hasProperty('recurrence-id'));
    assert.is(String(master!.getFirstPropertyValue('uid')), 'gen-0@example.com');
  });
});

t('re-running the import duplicates nothing and rewrites nothing; a changed event is replaced', async ({ dir, env, file }) => {
  const res = await run(['import', file, '--user', 'alice', '--calendar', 'personal'], { env, timeoutMs: LONG });
  assert.match(res.stdout, new RegExp(`^0 imported, 0 replaced, ${EVENTS + TODOS + 1} unchanged, 2 skipped$`, 'm'), res.stdout);
  const changed = path.join(dir, 'changed.ics');
  fs.writeFileSync(changed, fs.readFileSync(file, 'utf8').replace('SUMMARY:Generated event 5\r\n', 'SUMMARY:Renamed event 5\r\n'));
  const again = await run(['import', changed, '--user', 'alice', '--calendar', 'personal'], { env, timeoutMs: LONG });
  assert.match(again.stdout, new RegExp(`^0 imported, 1 replaced, ${EVENTS + TODOS} unchanged, 2 skipped$`, 'm'), again.stdout);
  await withStore(dir, async (store) => {
    const u = (await store.getUser('alice'))!;
    const inst = (await store.getInstance(u.id, 'personal'))!;
    assert.is(inst.collection.objectCount, EVENTS + TODOS + 1); // and the journal
    assert.match((await store.getObject(inst.collection.id, 'gen-5@example.com.ics'))!.data.toString('utf8'), /Renamed event 5/);
  });
});

t('an event a device created under another name is updated in place, not duplicated', async ({ dir, env }) => {
  await withStore(dir, async (store) => {
    const u = (await store.getUser('alice'))!;
    const inst = (await store.getInstance(u.id, 'personal'))!;
    const text = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:device/made:1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20300101T090000Z\r\nSUMMARY:old\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    await store.putObject(inst.collection.id, { name: 'ABC-123.ics', data: Buffer.from(text), contentType: 'text/calendar', uid: 'device/made:1', componentType: 'VEVENT' });
  });
  const file = path.join(dir, 'device.ics');
  fs.writeFileSync(file, 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:device/made:1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20300101T090000Z\r\nSUMMARY:new\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:other/uid\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20300101T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n');
  const res = await run(['import', file, '--user', 'alice', '--calendar', 'personal'], { env });
  assert.is(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /^1 imported, 1 replaced, 0 unchanged, 0 skipped$/m);
  await withStore(dir, async (store) => {
    const u = (await store.getUser('alice'))!;
    const inst = (await store.getInstance(u.id, 'personal'))!;
    assert.match((await store.getObject(inst.collection.id, 'ABC-123.ics'))!.data.toString('utf8'), /SUMMARY:new/);
    const name = await store.findByUid(inst.collection.id, 'other/uid');
    assert.match(name!, /^other_uid-[0-9a-f]{12}\.ics$/, 'an unsafe UID gets a safe, distinct name');
    await store.deleteObject(inst.collection.id, 'ABC-123.ics');
    await store.deleteObject(inst.collection.id, name!);
  });
});

t('export writes the calendar back as one .ics that parses and matches the import', async ({ dir, env, file }) => {
  const res = await run(['export', '--user', 'alice', '--calendar', 'personal'], { env, timeoutMs: LONG });
  assert.is(res.code, 0, res.stderr);
  const vcal = new ICAL.Component(ICAL.parse(res.stdout));
  assert.is(vcal.getAllSubcomponents('vtimezone').length, 1, 'VTIMEZONEs de-duplicated');
  const source = new ICAL.Component(ICAL.parse(fs.readFileSync(file, 'utf8').replace('SUMMARY:Generated event 5\r\n', 'SUMMARY:Renamed event 5\r\n')));
  const key = (c: ICAL.Component) => `${c.name}|${c.getFirstPropertyValue('uid')}|${c.getFirstProperty('recurrence-id')?.toICALString() ?? ''}|${c.getFirstPropertyValue('summary')}|${c.getFirstProperty('dtstart')?.toICALString() ?? ''}`;
  const valid = (c: ICAL.Component) => c.hasProperty('uid') && !['bad-date'].includes(String(c.getFirstPropertyValue('uid')));
  const expected = source.getAllSubcomponents().filter((c) => c.name !== 'vtimezone' && valid(c)).map(key).sort();
  const exported = vcal.getAllSubcomponents().filter((c) => c.name !== 'vtimezone').map(key).sort();
  assert.is(exported.length, EVENTS + RECURRING + TODOS + 1);
  assert.equal(exported, expected);

  const out = path.join(dir, 'export.ics');
  const toFile = await run(['export', '--user', 'alice', '--calendar', 'personal', '--output', out], { env, timeoutMs: LONG });
  assert.is(toFile.code, 0, toFile.stderr);
  assert.match(toFile.stdout, new RegExp(`${EVENTS + TODOS + 1} entries of personal written to`));
  assert.is(fs.readFileSync(out, 'utf8'), res.stdout);

  // And back in: the export imports cleanly into a new calendar.
  assert.is((await run(['calendar', 'create', 'alice', 'Restored'], { env })).code, 0);
  const back = await run(['import', out, '--user', 'alice', '--calendar', 'restored'], { env, timeoutMs: LONG });
  assert.is(back.code, 0, back.stdout + back.stderr);
  assert.match(back.stdout, new RegExp(`^${EVENTS + TODOS + 1} imported, 0 replaced, 0 unchanged, 0 skipped$`, 'm'));
});

t('usage errors exit 2', async ({ env, file }) => {
  for (const args of [
    ['import', file, '--user', 'alice'],
    ['import', '--user', 'alice', '--calendar', 'personal'],
    ['import', file, '--user', 'nobody', '--calendar', 'personal'],
    ['import', file, '--user', 'alice', '--calendar', 'nope'],
    ['import', '/nonexistent.ics', '--user', 'alice', '--calendar', 'personal'],
    ['export', '--user', 'alice'],
    ['export', '--user', 'alice', '--calendar', 'nope'],
  ]) {
    const res = await run(args, { env });
    assert.is(res.code, 2, `${args.join(' ')}: ${res.stdout} ${res.stderr}`);
    assert.ok(res.stderr.length > 0);
  }
});

t.run();
