// A big .vcf import or export does not stop the server (issue 14 item 6, as issue 11 item 4 for
// .ics): while POST /api/addressbooks/contacts/import stores 9,000 cards, and while the export
// streams them back, /healthz keeps answering. Latency is compared with the same request on the
// idle server, with generous floors for a loaded machine (the import alone takes seconds).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { login } from './session.js';

const N = 9000;
function bigFile(): string {
  const parts: string[] = [];
  for (let i = 0; i < N; i++) {
    parts.push(`BEGIN:VCARD\r\nVERSION:${i % 2 ? '4.0' : '3.0'}\r\nUID:card-${String(i).padStart(5, '0')}\r\nFN:Person ${i} Ünal\r\nN:Ünal;Person ${i};;;\r\nEMAIL;TYPE=home:p${i}@example.com\r\nTEL;TYPE=cell:+49 170 ${String(i).padStart(7, '0')}\r\nNOTE:${'n'.repeat(100)}\r\nEND:VCARD\r\n`);
  }
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

async function during(work: Promise<unknown>, isDone: () => boolean): Promise<number[]> {
  const health = () => fetch(s.url + '/healthz');
  const out: number[] = [];
  while (!isDone()) {
    out.push(await timed(health));
    await new Promise((r) => setTimeout(r, 20));
  }
  await work;
  return out.sort((a, b) => a - b);
}

test('/healthz answers promptly during a 9,000-card import and its export', async () => {
  const baseline: number[] = [];
  for (let i = 0; i < 20; i++) baseline.push(await timed(() => fetch(s.url + '/healthz')));
  baseline.sort((a, b) => a - b);
  const base = baseline[10]!;
  const alice = await login(s, 'alice');
  const file = bigFile();

  let imported = 0;
  const started = performance.now();
  const importing = fetch(`${s.url}/api/addressbooks/contacts/import`, {
    method: 'POST', headers: { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf, 'Content-Type': 'text/vcard' }, body: file,
  }).then(async (r) => { assert.is(r.status, 200); imported = performance.now(); return r.json() as Promise<{ imported: number; large: boolean }>; });
  await new Promise((r) => setTimeout(r, 200));
  const whileImporting = await during(importing, () => imported !== 0);
  const summary = await importing;
  assert.is(summary.imported, N);
  assert.is(summary.large, false, 'exactly the threshold is not past it');

  let exported = 0;
  let body = Buffer.alloc(0);
  const exporting = fetch(`${s.url}/api/addressbooks/contacts/export`, { headers: { Cookie: alice.cookie } })
    .then(async (r) => { body = Buffer.from(await r.arrayBuffer()); exported = performance.now(); });
  const whileExporting = await during(exporting, () => exported !== 0);
  assert.ok(body.equals(Buffer.from(file, 'utf8')), 'the export is the file, byte for byte');

  for (const [what, list] of [['import', whileImporting], ['export', whileExporting]] as const) {
    const worst = list.at(-1) ?? 0;
    const p95 = list[Math.floor(list.length * 0.95)] ?? 0;
    console.log(`${what}: ${list.length} requests answered meanwhile, 95th percentile ${p95.toFixed(1)} ms, worst ${worst.toFixed(1)} ms (idle median ${base.toFixed(1)} ms; import took ${Math.round(imported - started)} ms)`);
    assert.ok(p95 < Math.max(150, 10 * base), `${what}: 95th percentile ${p95.toFixed(0)} ms (idle ${base.toFixed(1)} ms)`);
    assert.ok(worst < Math.max(1000, 50 * base), `${what}: worst ${worst.toFixed(0)} ms (idle ${base.toFixed(1)} ms)`);
  }
  assert.ok(whileImporting.length >= 10, `requests were answered during the import (${whileImporting.length})`);
});

test.run();
