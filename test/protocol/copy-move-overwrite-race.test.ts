// COPY and MOVE with Overwrite: F against a PUT (If-None-Match: *) creating the destination
// between the handler's look at it and the store's write (dav/methods/copy-move.ts destAbsent).
// The race is forced deterministically: the store call the COPY/MOVE makes is wrapped so that the
// PUT runs, over HTTP, right before it. The COPY/MOVE must then be 412 and change nothing: the
// PUT's body stays (it was silently replaced, both answering 201), the source stays where it was.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ical, putIcs, putOk } from '../helpers/dav.js';

interface Ctx { srv: TestServer }
const t = suite<Ctx>('COPY/MOVE Overwrite: F racing a PUT');

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('rita');
  await ctx.srv.request('MKCOL', '/dav/calendars/rita/files/', { user: 'rita' });
});
t.after(async (ctx) => { await ctx.srv.close(); });

const CAL = '/dav/calendars/rita/personal/';
type Method = 'copyObject' | 'moveObject' | 'putObject' | 'copyCollection' | 'moveCollection';

/**
 * Runs `request` with the next call of the store's `method` preceded by `before` (the racing
 * PUT): between the handler's check of the destination and its write. Returns the response and
 * whether the hook ran (it must, or the test proves nothing).
 */
async function racing<T>(srv: TestServer, method: Method, before: () => Promise<void>, request: () => Promise<T>): Promise<[T, boolean]> {
  const store = srv.store as unknown as Record<Method, (...args: unknown[]) => Promise<unknown>>;
  const original = store[method];
  let armed = true;
  store[method] = async (...args: unknown[]) => {
    if (armed) {
      armed = false;
      await before();
    }
    return original.apply(store, args);
  };
  try {
    return [await request(), !armed];
  } finally {
    store[method] = original;
  }
}

const get = (srv: TestServer, path: string) => srv.request('GET', path, { user: 'rita' });
const copyMove = (srv: TestServer, method: 'COPY' | 'MOVE', from: string, to: string) =>
  srv.request(method, from, { user: 'rita', headers: { Destination: to, Overwrite: 'F' } });

for (const method of ['COPY', 'MOVE'] as const) {
  t(`${method} of a calendar object with Overwrite: F: a PUT creating the destination first wins, the ${method} is 412`, async ({ srv }) => {
    const name = method.toLowerCase();
    await putOk(srv, 'rita', `${CAL}${name}-src.ics`, ical(`${name}-src@t`, { summary: 'source' }));
    let putStatus = 0;
    const [res, ran] = await racing(srv, method === 'COPY' ? 'copyObject' : 'moveObject', async () => {
      putStatus = (await putIcs(srv, 'rita', `${CAL}${name}-dst.ics`, ical(`${name}-dst@t`, { summary: 'put in between' }), { 'If-None-Match': '*' })).status;
    }, () => copyMove(srv, method, `${CAL}${name}-src.ics`, `${CAL}${name}-dst.ics`));
    assert.ok(ran, 'the PUT ran between the check and the write');
    assert.is(putStatus, 201);
    assert.is(res.status, 412, res.text);
    assert.match((await get(srv, `${CAL}${name}-dst.ics`)).text, /SUMMARY:put in between/, 'the PUT\'s body is kept');
    assert.match((await get(srv, `${CAL}${name}-src.ics`)).text, /SUMMARY:source/, 'the source is where it was');
  });

  t(`${method} of a plain resource into a calendar (validated, put then delete) with Overwrite: F racing a PUT: 412, source kept`, async ({ srv }) => {
    const name = `plain-${method.toLowerCase()}`;
    const src = `/dav/calendars/rita/files/${name}.ics`;
    const put = await srv.request('PUT', src, { user: 'rita', body: ical(`${name}-src@t`, { summary: 'plain source' }), headers: { 'Content-Type': 'text/plain' } });
    assert.is(put.status, 201, put.text);
    let putStatus = 0;
    const [res, ran] = await racing(srv, 'putObject', async () => {
      putStatus = (await putIcs(srv, 'rita', `${CAL}${name}.ics`, ical(`${name}-dst@t`, { summary: 'put in between' }), { 'If-None-Match': '*' })).status;
    }, () => copyMove(srv, method, src, `${CAL}${name}.ics`));
    assert.ok(ran, 'the PUT ran between the check and the write');
    assert.is(putStatus, 201);
    assert.is(res.status, 412, res.text);
    assert.match((await get(srv, `${CAL}${name}.ics`)).text, /SUMMARY:put in between/, 'the PUT\'s body is kept');
    assert.match((await get(srv, src)).text, /SUMMARY:plain source/, 'the source is where it was');
  });
}

for (const method of ['COPY', 'MOVE'] as const) {
  t(`${method} of a collection with Overwrite: F racing a MKCOL of the destination: refused (409: the store's name check), nothing replaced`, async ({ srv }) => {
    // The collection store refuses a taken name inside its transaction (Conflict) and replaces
    // nothing without `replacing`: no data is lost, though the answer is 409 rather than 412.
    const name = method.toLowerCase();
    const base = '/dav/calendars/rita/files/';
    assert.is((await srv.request('MKCOL', `${base}${name}-a/`, { user: 'rita' })).status, 201);
    let made = 0;
    const [res, ran] = await racing(srv, method === 'COPY' ? 'copyCollection' : 'moveCollection', async () => {
      made = (await srv.request('MKCOL', `${base}${name}-b/`, { user: 'rita' })).status;
      await srv.request('PUT', `${base}${name}-b/keep.txt`, { user: 'rita', body: 'keep me' });
    }, () => copyMove(srv, method, `${base}${name}-a/`, `${base}${name}-b/`));
    assert.ok(ran, 'the MKCOL ran between the check and the write');
    assert.is(made, 201);
    assert.is(res.status, 409, res.text);
    assert.is((await get(srv, `${base}${name}-b/keep.txt`)).text, 'keep me', 'the new collection and its member are kept');
    assert.is((await srv.request('PROPFIND', `${base}${name}-a/`, { user: 'rita', headers: { Depth: '0' } })).status, 207, 'the source is where it was');
  });
}

t('without a racing PUT, COPY/MOVE with Overwrite: F onto a missing destination still creates it (201)', async ({ srv }) => {
  await putOk(srv, 'rita', `${CAL}calm.ics`, ical('calm@t', { summary: 'calm' }));
  assert.is((await copyMove(srv, 'MOVE', `${CAL}calm.ics`, `${CAL}calm-moved.ics`)).status, 201);
  assert.is((await copyMove(srv, 'COPY', `${CAL}calm-moved.ics`, '/dav/calendars/rita/files/calm-copy.ics')).status, 201);
  assert.match((await get(srv, '/dav/calendars/rita/files/calm-copy.ics')).text, /SUMMARY:calm/);
});

t.run();
