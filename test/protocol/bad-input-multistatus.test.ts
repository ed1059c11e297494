// Multistatus amplification (issue 11, item 1): one authenticated request must not make the server
// hold its whole answer in memory. A real `sundial serve` child runs with a small V8 heap
// (NODE_OPTIONS=--max-old-space-size), and its resident size is read from /proc while the client
// deliberately stops reading: a server that builds the answer, or ignores the socket's
// backpressure, either dies (heap out of memory) or grows by the size of the answer.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createUserWithCalendar } from '../../src/bootstrap.js';
import { serve, tempDir, type ServeProcess } from '../helpers/cli.js';
import { basic, PASSWORD, startTestServer } from '../helpers/server.js';
import { D, errorConditions, multigetBody, XML_HEADERS } from '../helpers/dav.js';

const USER = 'mallory';
const CAL = `/dav/calendars/${USER}/personal/`;
const BIG = 4 * 1024 * 1024; // one object's DESCRIPTION
const MANY = 30; // distinct objects of BIG bytes: a 120 MB answer
const HEAP_MB = 160;

interface Ctx { dir: string; srv: ServeProcess }
const t = suite<Ctx>('bad input: multistatus amplification');

function bigEvent(uid: string): Buffer {
  // CRLF line ends: the XML escapes every CR (&#13;), so the answer is larger than the data.
  const line = 'x'.repeat(BIG);
  return Buffer.from(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20300101T100000Z\r\nDTEND:20300101T110000Z\r\nDESCRIPTION:${line}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`);
}

t.before(async (ctx) => {
  ctx.dir = tempDir('sundial-amp-');
  // Filled through the store (PUT of 120 MB would dominate the test's time), then served.
  const store = await openSqliteStore({ path: path.join(ctx.dir, 'sundial.db') });
  const user = await createUserWithCalendar(store, { username: USER, password: PASSWORD });
  const cal = (await store.getInstance(user.id, 'personal'))!.collection;
  for (let i = 0; i < MANY; i++) {
    await store.putObject(cal.id, { name: `big${i}.ics`, data: bigEvent(`big${i}@t`), contentType: 'text/calendar', uid: `big${i}@t`, componentType: 'VEVENT' });
  }
  await store.close();
  ctx.srv = await serve({ SUNDIAL_DATA: ctx.dir, SUNDIAL_CREATE_ADMIN: 'false', SUNDIAL_LOG_LEVEL: 'info', NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` }, 60_000);
});
t.after((ctx) => {
  ctx.srv?.kill();
  fs.rmSync(ctx.dir, { recursive: true, force: true });
});

/** Resident set size of the server child, in MB (Linux). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const END = '</d:response>';

interface Streamed { status: number; bytes: number; responses: number; tail: string; rssBefore: number; rssPaused: number }

/**
 * Sends a REPORT, reads the first chunk of the answer, then stops reading for `pauseMs` (the
 * server may only fill the socket's buffers meanwhile) and samples the server's RSS; then reads
 * the rest, counting `</d:response>` and keeping the end of the body.
 */
function streamed(srv: ServeProcess, urlPath: string, body: string, pauseMs = 1500): Promise<Streamed> {
  const pid = srv.child.pid!;
  const rssBefore = rssMb(pid);
  return new Promise((resolve, reject) => {
    const req = http.request(srv.url.replace(/\/$/, '') + urlPath, {
      method: 'REPORT',
      headers: { ...XML_HEADERS, Depth: '1', Authorization: basic(USER), 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      let bytes = 0;
      let responses = 0;
      let carry = '';
      let tail = '';
      let rssPaused = NaN;
      let paused = false;
      res.setEncoding('utf8');
      res.on('data', (s: string) => {
        bytes += Buffer.byteLength(s);
        const text = carry + s;
        responses += text.split(END).length - 1;
        // What may start a match that this chunk cuts, never a part of one already counted.
        const last = text.lastIndexOf(END);
        carry = text.slice(Math.max(last === -1 ? 0 : last + END.length, text.length - END.length + 1));
        tail = (tail + s).slice(-40);
        if (!paused) {
          paused = true;
          res.pause();
          setTimeout(() => { rssPaused = rssMb(pid); res.resume(); }, pauseMs);
        }
      });
      res.on('end', () => resolve({ status: res.statusCode!, bytes, responses, tail, rssBefore, rssPaused }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

t('a multiget naming one 4 MB object 1000 times answers it once, and the server lives', async ({ srv }) => {
  const hrefs = Array.from({ length: 1000 }, () => `${CAL}big0.ics`);
  const res = await streamed(srv, CAL, multigetBody(hrefs));
  assert.is(res.status, 207);
  assert.is(res.responses, 1, 'a repeated href is answered once');
  assert.ok(res.bytes > BIG && res.bytes < 2 * BIG, `${res.bytes} bytes`);
  assert.match(res.tail, /<\/d:multistatus>$/);
  assert.is(srv.child.exitCode, null, 'the server is still running');
});

t('hrefs that spell one object differently (runs of slashes, a trailing slash) are answered once too', async ({ srv }) => {
  // The resolver reads `//` as `/` (urls.ts parseDavPath), so each of these names big0.ics; they
  // used to pass the de-duplication as new hrefs: 1000 of them to one 8 MB card streamed 880 MB.
  const segments = ['dav', 'calendars', USER, 'personal', 'big0.ics'];
  const hrefs = Array.from({ length: 900 }, (_, i) => {
    const at = i % 4; // the gap after this segment gets the extra slashes
    return '/' + segments.map((s, k) => (k === at ? s + '/'.repeat(2 + Math.floor(i / 4)) : k < segments.length - 1 ? s + '/' : s)).join('').replace(/\/+$/, '');
  });
  hrefs.push(`${CAL}big0.ics`, `${CAL}big0.ics/`, `${CAL.replace('/dav/', '/dav//')}big0.ics/`);
  assert.is(new Set(hrefs).size, hrefs.length, 'every href is spelled differently');
  const res = await streamed(srv, CAL, multigetBody(hrefs), 100);
  assert.is(res.status, 207);
  assert.ok(res.bytes > BIG && res.bytes < 2 * BIG, `${res.bytes} bytes: the object is answered once`);
  assert.match(res.tail, /<\/d:multistatus>$/);
  assert.is(srv.child.exitCode, null);
});

t('a multiget of 30 distinct 4 MB objects is streamed: the server holds a few batches, not the 120 MB answer', async ({ srv }) => {
  const hrefs = Array.from({ length: MANY }, (_, i) => `${CAL}big${i}.ics`);
  const res = await streamed(srv, CAL, multigetBody(hrefs));
  assert.is(res.status, 207);
  assert.is(res.responses, MANY);
  assert.ok(res.bytes > MANY * BIG, `${res.bytes} bytes`);
  assert.match(res.tail, /<\/d:multistatus>$/);
  const growth = res.rssPaused - res.rssBefore;
  console.log(`    multiget: ${(res.bytes / 1048576).toFixed(0)} MB answered; server RSS ${res.rssBefore.toFixed(0)} MB before, ${res.rssPaused.toFixed(0)} MB while the client paused`);
  // Generous: a batch (4 MB of bodies), its rendering and the socket's buffers; the answer is 120 MB.
  assert.ok(growth < 60, `server RSS grew by ${growth.toFixed(0)} MB while the client was not reading`);
  assert.is(srv.child.exitCode, null);
});

t('an initial sync-collection with calendar-data of 30 distinct 4 MB objects is streamed the same way', async ({ srv }) => {
  const body = `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/><c:calendar-data/></d:prop></d:sync-collection>`;
  const res = await streamed(srv, CAL, body);
  assert.is(res.status, 207);
  assert.is(res.responses, MANY);
  const growth = res.rssPaused - res.rssBefore;
  console.log(`    sync-collection: ${(res.bytes / 1048576).toFixed(0)} MB answered; server RSS ${res.rssBefore.toFixed(0)} MB before, ${res.rssPaused.toFixed(0)} MB while the client paused`);
  assert.ok(growth < 60, `server RSS grew by ${growth.toFixed(0)} MB while the client was not reading`);
  assert.is(srv.child.exitCode, null);
});

t('more hrefs than maxMultigetHrefs: 403 DAV:number-of-matches-within-limits, duplicates counted as sent', async () => {
  const srv = await startTestServer({ SUNDIAL_MAX_MULTIGET_HREFS: '10' });
  try {
    await srv.addUser('ann');
    const cal = '/dav/calendars/ann/personal/';
    const over = await srv.request('REPORT', cal, { user: 'ann', headers: { ...XML_HEADERS, Depth: '1' }, body: multigetBody(Array.from({ length: 11 }, () => `${cal}a.ics`)) });
    assert.is(over.status, 403);
    assert.ok(errorConditions(over.text).includes(D('number-of-matches-within-limits')), over.text);
    assert.match(over.text, /At most 10 hrefs/);
    const ok = await srv.request('REPORT', cal, { user: 'ann', headers: { ...XML_HEADERS, Depth: '1' }, body: multigetBody(Array.from({ length: 10 }, () => `${cal}a.ics`)) });
    assert.is(ok.status, 207);
    assert.is(ok.text.split('</d:response>').length - 1, 1, 'one 404 response for the one href named ten times');
  } finally {
    await srv.close();
  }
});

t.run();
