// A big import does not stop the server (issue 11 item 4): while POST /api/feeds/import stores
// 20,000 events, /healthz and a DAV PROPFIND keep answering. Latency is compared with the same
// requests on the idle server, with a generous floor for a loaded machine: before the fix every
// request waited for the whole import (seconds).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, basic, type TestServer } from '../helpers/server.js';
import { login } from '../web/session.js';

const N = 20_000;
function bigFile(): string {
  const parts = ['BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n'];
  for (let i = 0; i < N; i++) {
    parts.push(`BEGIN:VEVENT\r\nUID:ev-${i}@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260102T100000Z\r\nDTEND:20260102T110000Z\r\nSUMMARY:Event ${i}\r\nDESCRIPTION:${'d'.repeat(100)}\r\nEND:VEVENT\r\n`);
  }
  parts.push('END:VCALENDAR\r\n');
  return parts.join('');
}

async function timed(fn: () => Promise<Response>): Promise<number> {
  const t = performance.now();
  const res = await fn();
  await res.arrayBuffer();
  assert.ok(res.status < 300, `status ${res.status}`);
  return performance.now() - t;
}

let s: TestServer;
test.before(async () => {
  s = await startTestServer({ SUNDIAL_LOG_LEVEL: 'warn' });
  await s.addUser('alice');
});
test.after(async () => { await s.close(); });

test('/healthz and PROPFIND answer promptly during a 20,000-event import', async () => {
  const health = () => fetch(s.url + '/healthz');
  const propfind = () => fetch(s.url + '/dav/calendars/alice/', { method: 'PROPFIND', headers: { Depth: '0', Authorization: basic('alice') } });
  await timed(propfind); // the credential cache: argon2 once, not during the measurement
  const baseline: number[] = [];
  for (let i = 0; i < 20; i++) baseline.push(await timed(health));
  baseline.sort((a, b) => a - b);
  const base = baseline[10]!;

  const alice = await login(s, 'alice');
  const started = performance.now();
  let finished = 0;
  const importing = fetch(`${s.url}/api/feeds/import?calendar=personal`, {
    method: 'POST',
    headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf, 'Content-Type': 'text/calendar' },
    body: bigFile(),
  }).then(async (r) => { finished = performance.now(); return { status: r.status, json: await r.json() as { imported: number } }; });

  const during: number[] = [];
  await new Promise((r) => setTimeout(r, 200)); // the upload is read; the import is under way
  while (!finished) {
    during.push(await timed(health));
    if (during.length % 5 === 0) during.push(await timed(propfind));
    await new Promise((r) => setTimeout(r, 20));
  }
  const result = await importing;
  assert.is(result.status, 200);
  assert.is(result.json.imported, N);
  const duration = finished - started;
  const sorted = [...during].sort((a, b) => a - b);
  const worst = sorted.at(-1)!;
  const p95 = sorted[Math.floor(sorted.length * 0.95)]!;
  // Printed for the report: the figures behind the assertions.
  console.log(`import ${Math.round(duration)} ms; /healthz idle median ${base.toFixed(1)} ms; during the import: ${during.length} requests, 95th percentile ${p95.toFixed(1)} ms, worst ${worst.toFixed(1)} ms`);
  assert.ok(during.length >= 10, `requests were answered during the import (${during.length})`);
  // The machine running the tests is shared: a garbage collection or another process can stall
  // any one request, so the typical request is held to the tight bound and the worst to a loose one.
  assert.ok(p95 < Math.max(150, 10 * base), `95th percentile during the import ${p95.toFixed(0)} ms (idle ${base.toFixed(1)} ms)`);
  assert.ok(worst < Math.max(1000, 50 * base), `worst latency during the import ${worst.toFixed(0)} ms (idle ${base.toFixed(1)} ms, import ${duration.toFixed(0)} ms)`);
});

test.run();
