// Imports apply the configured object limits (src/config.ts), as PUT does: with
// SUNDIAL_MAX_RECURRENCE_RULES=1 an event with two RRULEs is skipped by `sundial import` and by
// POST /api/feeds/import, and the other event of the file is imported. Imports used to validate
// with the default limits (4 rules), whatever the configuration said (issue 12 item 15 leftover).
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { startTestServer } from '../helpers/server.js';
import { run, tempDir } from '../helpers/cli.js';
import { login } from '../web/session.js';

const FILE = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial tests//EN',
  'BEGIN:VEVENT', 'UID:two-rules', 'DTSTAMP:20240101T000000Z', 'DTSTART:20300101T100000Z', 'DTEND:20300101T110000Z',
  'RRULE:FREQ=WEEKLY;COUNT=3', 'RRULE:FREQ=MONTHLY;COUNT=3', 'SUMMARY:Two rules', 'END:VEVENT',
  'BEGIN:VEVENT', 'UID:one-rule', 'DTSTAMP:20240101T000000Z', 'DTSTART:20300101T100000Z', 'DTEND:20300101T110000Z',
  'RRULE:FREQ=WEEKLY;COUNT=3', 'SUMMARY:One rule', 'END:VEVENT',
  'END:VCALENDAR', '',
].join('\r\n');

const LIMIT = { SUNDIAL_MAX_RECURRENCE_RULES: '1' };

const t = suite('imports apply the configured object limits');

t('POST /api/feeds/import skips an object over the configured rule limit', async () => {
  const srv = await startTestServer(LIMIT);
  try {
    await srv.addUser('alice');
    const alice = await login(srv, 'alice');
    const res = await fetch(`${srv.url}/api/feeds/import?calendar=personal`, {
      method: 'POST', headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf, 'Content-Type': 'text/calendar' }, body: FILE,
    });
    assert.is(res.status, 200);
    const summary = await res.json() as { imported: number; skipped: { item: string; reason: string }[] };
    assert.is(summary.imported, 1);
    assert.equal(summary.skipped.map((s) => s.item), ['UID two-rules']);
    const get = await srv.request('GET', '/dav/calendars/alice/personal/', { user: 'alice' });
    assert.ok(get.text.includes('UID:one-rule'));
    assert.not.ok(get.text.includes('UID:two-rules'));
  } finally {
    await srv.close();
  }
});

t('sundial import skips an object over the configured rule limit', async () => {
  const dir = tempDir();
  try {
    const env = { SUNDIAL_DATA: dir, ...LIMIT };
    const add = await run(['user', 'add', 'alice'], { env, input: 'alice password\n' });
    assert.is(add.code, 0, add.stderr);
    const file = path.join(dir, 'two.ics');
    fs.writeFileSync(file, FILE);
    const res = await run(['import', file, '--user', 'alice', '--calendar', 'personal'], { env });
    assert.is(res.code, 1, res.stderr); // something was skipped (cli/import.ts)
    assert.match(res.stdout + res.stderr, /skipped UID two-rules: more than 1 RRULE/);
    const store = await openSqliteStore({ path: path.join(dir, 'sundial.db') });
    try {
      const user = (await store.getCredentials('alice'))!.user;
      const instance = (await store.getInstance(user.id, 'personal'))!;
      assert.is(await store.findByUid(instance.collection.id, 'one-rule') !== null, true);
      assert.is(await store.findByUid(instance.collection.id, 'two-rules'), null);
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
