// Uploads running at once (web/import-gate.ts): an import holds about 23 times its size in heap
// (a 9 MB .ics of 100,000 events: 210 MB), so six 32 MB uploads sent together by one user would
// pass Node's heap limit and end the process. One import per user and two in all; the others
// answer 429 `busy` with Retry-After before their body is read, and store nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { login, type WebSession } from './session.js';

let s: TestServer;
const sessions: Record<string, WebSession> = {};
test.before(async () => {
  s = await startTestServer({ SUNDIAL_LOG_LEVEL: 'warn' });
  for (const name of ['alice', 'bob', 'carol']) {
    await s.addUser(name);
    sessions[name] = await login(s, name);
  }
});
test.after(async () => { await s.close(); });

function ics(n: number, prefix: string): string {
  const parts = ['BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Sundial tests//EN\r\n'];
  for (let i = 0; i < n; i++) parts.push(`BEGIN:VEVENT\r\nUID:${prefix}-${i}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\nSUMMARY:Event ${i}\r\nEND:VEVENT\r\n`);
  parts.push('END:VCALENDAR\r\n');
  return parts.join('');
}

const vcf = 'BEGIN:VCARD\r\nVERSION:4.0\r\nUID:ann\r\nFN:Ann\r\nEND:VCARD\r\n';

function upload(who: string, kind: 'ics' | 'vcf', body: string): Promise<{ status: number; retryAfter: string | null; json: any }> {
  const { cookie, csrf } = sessions[who]!;
  const url = kind === 'ics' ? `${s.url}/api/feeds/import?calendar=personal` : `${s.url}/api/addressbooks/contacts/import`;
  return fetch(url, { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': kind === 'ics' ? 'text/calendar' : 'text/vcard' }, body })
    .then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), json: await r.json() }));
}

const entries = async (who: string, kind: 'ics' | 'vcf') => {
  const list = await sessions[who]!.ok('GET', kind === 'ics' ? '/calendars' : '/addressbooks');
  return list.mine[0].entries as number;
};

test('one import per user, two in all: the others are 429 busy with Retry-After and store nothing', async () => {
  const alice = upload('alice', 'ics', ics(10_000, 'a'));
  const bob = upload('bob', 'ics', ics(10_000, 'b'));
  await new Promise((r) => setTimeout(r, 300));
  const again = await upload('alice', 'vcf', vcf);
  assert.is(again.status, 429, JSON.stringify(again.json));
  assert.is(again.json.error, 'busy');
  assert.is(again.retryAfter, '10');
  const carol = await upload('carol', 'ics', ics(1, 'c'));
  assert.is(carol.status, 429, JSON.stringify(carol.json));
  assert.is(carol.json.error, 'busy');
  const [a, b] = await Promise.all([alice, bob]);
  assert.is(a.status, 200);
  assert.is(a.json.imported, 10_000);
  assert.is(b.status, 200);
  assert.is(await entries('alice', 'vcf'), 0, 'the refused .vcf stored nothing');
  assert.is(await entries('carol', 'ics'), 0, 'the refused .ics stored nothing');
  // Once they have finished, the same uploads go through.
  assert.is((await upload('alice', 'vcf', vcf)).status, 200);
  assert.is((await upload('carol', 'ics', ics(1, 'c'))).status, 200);
  assert.is(await entries('carol', 'ics'), 1);
});

test('a refused or failed import leaves its place: the next one runs', async () => {
  const bad = await upload('bob', 'vcf', '\u00ff'.repeat(10));
  assert.is(bad.status, 200, 'not a vCard file: a summary with the reason');
  const notUtf8 = await fetch(`${s.url}/api/addressbooks/contacts/import`, { method: 'POST', headers: { Cookie: sessions.bob!.cookie, 'X-CSRF-Token': sessions.bob!.csrf, 'Content-Type': 'text/vcard' }, body: Buffer.from([0xff, 0xfe]) });
  assert.is(notUtf8.status, 400);
  assert.is((await upload('bob', 'vcf', vcf)).status, 200);
});

test.run();
