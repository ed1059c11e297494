// Hostile .vcf uploads (POST /api/addressbooks/:uri/import) keep the server answering. A refused
// card of 5 MB of lower-case letters held the event loop 2.2 s (the report's name for the card
// upper-cased it with a function call per letter); a file of a million BEGIN:VCARD lines 3.4 s
// (the split yielded only after a complete card, and the million problems were mapped in one go);
// one card folded over three million lines 2.6 s. Each is still refused, with its line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { longestStall, probeDuring } from '../helpers/latency.js';
import { login, type WebSession } from './session.js';

let s: TestServer;
let alice: WebSession;
test.before(async () => {
  s = await startTestServer({ SUNDIAL_LOG_LEVEL: 'warn' });
  await s.addUser('alice');
  alice = await login(s, 'alice');
});
test.after(async () => { await s.close(); });

/** Uploads `file` while /healthz is asked back to back (latency.ts probeDuring); the summary and the slowest /healthz. */
async function importWatched(file: string): Promise<{ summary: any; worst: number }> {
  const { worst, result } = await probeDuring(s, async () => {
    const r = await fetch(`${s.url}/api/addressbooks/contacts/import`, {
      method: 'POST', headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf, 'Content-Type': 'text/vcard' }, body: file,
    });
    assert.is(r.status, 200);
    return r.json() as Promise<any>;
  });
  return { summary: result, worst };
}

const card = (uid: string, extra: string) => `BEGIN:VCARD\r\nVERSION:4.0\r\nUID:${uid}\r\nFN:Ann ${uid}\r\n${extra}END:VCARD\r\n`;

test('hostile files are refused card by card while /healthz answers', async () => {
  const cases: [string, string, (summary: any) => void][] = [
    ['a 5 MB line of lower-case letters', card('long', `NOTE:${'x'.repeat(5_000_000)}\r\n`) + card('fine', ''), (sum) => {
      assert.is(sum.imported, 1);
      assert.equal(sum.skipped, [{ item: 'line 5 (FN Ann long)', reason: 'a content line longer than 4194304 characters (server limit)' }]);
    }],
    ['a million BEGIN:VCARD lines', 'BEGIN:VCARD\r\n'.repeat(1_000_000), (sum) => {
      assert.is(sum.imported, 0);
      assert.is(sum.skippedCount, 1_000_000);
      assert.is(sum.skipped.length, 200);
      assert.equal(sum.skipped[0], { item: 'line 1 (a card)', reason: 'no END:VCARD before the next BEGIN:VCARD at line 2' });
    }],
    ['one card folded over 3,000,000 lines', card('folded', `NOTE:x\r\n${' x\r\n'.repeat(3_000_000)}`), (sum) => {
      assert.is(sum.imported, 0);
      assert.equal(sum.skipped, [{ item: 'line 1 (FN Ann folded)', reason: 'the vCard is larger than 10485760 bytes' }]);
    }],
  ];
  for (const [what, file, check] of cases) {
    const { stall, result: { summary, worst } } = await longestStall(() => importWatched(file));
    check(summary);
    console.log(`${what}: slowest /healthz ${worst.toFixed(0)} ms, event loop held at most ${stall.toFixed(0)} ms`);
    assert.ok(worst < 1000, `${what}: slowest /healthz ${worst.toFixed(0)} ms`);
    assert.ok(stall < 1000, `${what}: the event loop was held ${stall.toFixed(0)} ms (1.7–3.4 s before)`);
  }
});

test.run();
