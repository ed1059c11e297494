// A 30,000-entry feed is streamed (SPEC "Subscription feeds", issue 6): the body arrives in many
// chunks, and the heap retained while it is sent (measured after a full GC; server and test share
// this process) stays a small fraction of the feed's size.
import v8 from 'node:v8';
import vm from 'node:vm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { login } from '../web/session.js';

const ENTRIES = 30_000;

// A full GC before each sample, so the figure is what is retained, not garbage awaiting collection.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const retained = () => { gc(); return process.memoryUsage().heapUsed; };
const t = suite<{ srv: TestServer; url: string }>('feeds: 30,000 entries');

const filler = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(24);

t.before(async (ctx) => {
  ctx.srv = await startTestServer({ SUNDIAL_LOG_LEVEL: 'warn' });
  await ctx.srv.addUser('big');
  const store = ctx.srv.store;
  const user = (await store.getUser('big'))!;
  const inst = (await store.getInstance(user.id, 'personal'))!;
  const started = Date.now();
  for (let i = 0; i < ENTRIES; i++) {
    const uid = `big-${i}`;
    const day = String(1 + (i % 28)).padStart(2, '0');
    const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z',
      `DTSTART:203001${day}T100000Z`, `DTEND:203001${day}T110000Z`, `SUMMARY:Event ${i}`, `DESCRIPTION:${filler}`.replace(/(.{74})/g, '$1\r\n ').trimEnd(),
      'END:VEVENT', 'END:VCALENDAR'].join('\r\n') + '\r\n';
    await store.putObject(inst.collection.id, { name: `${uid}.ics`, data: Buffer.from(text), contentType: 'text/calendar; charset=utf-8; component=vevent', uid, componentType: 'VEVENT', firstStart: null, lastEnd: null });
  }
  console.log(`  stored ${ENTRIES} entries in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const alice = await login(ctx.srv, 'big');
  ctx.url = (await alice.ok('POST', '/feeds', { calendar: 'personal' })).url;
});
t.after(async (ctx) => { await ctx.srv.close(); });

t('the feed is streamed in many chunks, and the heap stays far below its size', async ({ srv, url }) => {
  const res = await fetch(srv.url + new URL(url).pathname);
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-length'), null, 'no length up front: streamed (chunked)');
  const base = retained();
  let peak = 0;
  let size = 0;
  let chunks = 0;
  let events = 0;
  let tail = '';
  const decoder = new TextDecoder();
  const started = Date.now();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks++;
    size += chunk.length;
    const text = tail + decoder.decode(chunk, { stream: true });
    events += (text.match(/\r\nBEGIN:VEVENT\r\n/g) ?? []).length;
    tail = text.slice(-20);
    // The 20 characters kept could hold the start of a match counted again: keep only a partial one.
    if (/\r\nBEGIN:VEVENT\r\n/.test(tail)) tail = '';
    if (chunks % 50 === 0) peak = Math.max(peak, retained() - base);
  }
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(`  feed: ${mb(size)} MB in ${chunks} chunks, ${((Date.now() - started) / 1000).toFixed(1)} s; peak retained heap growth ${mb(peak)} MB`);
  assert.is(events, ENTRIES);
  assert.ok(size > 40 * 1024 * 1024, `a feed of ${size} bytes`);
  assert.ok(chunks > 100, `${chunks} chunks`);
  assert.ok(peak < size / 10, `heap grew by ${mb(peak)} MB for a ${mb(size)} MB feed`);
});

t.run();
