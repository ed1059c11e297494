// A lost update is impossible (SPEC "ETags"; issue 3 item 4): two writers holding the same ETag
// race with If-Match, and exactly one wins (204) while the other gets 412; two creators race with
// If-None-Match: * for one name, and exactly one gets 201. Repeated, because a race that is lost
// once in a while is still a lost update.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer, type TestResponse } from '../helpers/server.js';
import { describe, ical, putIcs, putOk, syncCollection, syncTokenOf } from '../helpers/dav.js';

const USER = 'alice';
const CAL = `/dav/calendars/${USER}/personal/`;
const ROUNDS = 20;

const t = suite<{ srv: TestServer }>('concurrency');

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
  // Warm the credential cache so both racers reach the store, not argon2, at the same moment.
  await ctx.srv.request('OPTIONS', '/dav/', { user: USER });
});
t.after(async (ctx) => { await ctx.srv.close(); });

t(`two PUTs with the same If-Match: exactly one wins, the other gets 412 (${ROUNDS} rounds)`, async ({ srv }) => {
  const path = CAL + 'race.ics';
  let etag = await putOk(srv, USER, path, ical('race', { summary: 'v0' }));
  for (let round = 1; round <= ROUNDS; round++) {
    const bodies = [ical('race', { summary: `round ${round} writer A` }), ical('race', { summary: `round ${round} writer B` })];
    const results = await Promise.all(bodies.map((b) => putIcs(srv, USER, path, b, { 'If-Match': etag })));
    const statuses = results.map((r) => r.status).sort();
    const detail = results.map((r, i) => `writer ${'AB'[i]}: ${describe('PUT', path, r)}`).join('\n');
    assert.equal(statuses, [204, 412], `round ${round}:\n${detail}`);
    const winner = results.findIndex((r) => r.status === 204);
    const get = await srv.request('GET', path, { user: USER });
    assert.is(get.text, bodies[winner], `round ${round}: the stored body is the winner's`);
    assert.is(get.headers.get('etag'), results[winner]!.headers.get('etag'), `round ${round}: the winner's ETag is the current one`);
    assert.is.not(results[winner]!.headers.get('etag'), etag, `round ${round}: the ETag changed`);
    etag = results[winner]!.headers.get('etag')!;
  }
});

t(`two DELETEs or a DELETE and a PUT with the same If-Match: exactly one wins (${ROUNDS} rounds)`, async ({ srv }) => {
  for (let round = 1; round <= ROUNDS; round++) {
    const path = `${CAL}del-race-${round}.ics`;
    const etag = await putOk(srv, USER, path, ical(`del-race-${round}`));
    const results: TestResponse[] = await Promise.all([
      srv.request('DELETE', path, { user: USER, headers: { 'If-Match': etag } }),
      round % 2 ? srv.request('DELETE', path, { user: USER, headers: { 'If-Match': etag } }) : putIcs(srv, USER, path, ical(`del-race-${round}`, { summary: 'edited' }), { 'If-Match': etag }),
    ]);
    const ok = results.filter((r) => r.status === 204);
    const refused = results.filter((r) => r.status === 412 || r.status === 404);
    assert.is(ok.length, 1, `round ${round}: ${results.map((r) => r.status).join(', ')}`);
    assert.is(refused.length, 1, `round ${round}: ${results.map((r) => r.status).join(', ')}`);
  }
});

t(`concurrent If-None-Match: * creations of one name: exactly one 201 (${ROUNDS} rounds, 2 and 5 writers)`, async ({ srv }) => {
  for (let round = 1; round <= ROUNDS; round++) {
    const writers = round % 2 ? 2 : 5;
    const path = `${CAL}create-race-${round}.ics`;
    const bodies = Array.from({ length: writers }, (_, i) => ical(`create-race-${round}`, { summary: `writer ${i}` }));
    const results = await Promise.all(bodies.map((b) => putIcs(srv, USER, path, b, { 'If-None-Match': '*' })));
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 412);
    assert.is(created.length, 1, `round ${round}: ${results.map((r) => describe('PUT', path, r)).join('\n')}`);
    assert.is(refused.length, writers - 1, `round ${round}: the others get 412: ${results.map((r) => r.status).join(', ')}`);
    const get = await srv.request('GET', path, { user: USER });
    assert.is(get.headers.get('etag'), created[0]!.headers.get('etag'), `round ${round}: the creator's version is stored`);
  }
});

t('concurrent creations of different names with one UID: exactly one is stored (no-uid-conflict for the rest)', async ({ srv }) => {
  for (let round = 1; round <= 10; round++) {
    const uid = `same-uid-${round}`;
    const results = await Promise.all([0, 1, 2].map((i) => putIcs(srv, USER, `${CAL}uid-race-${round}-${i}.ics`, ical(uid), { 'If-None-Match': '*' })));
    const created = results.filter((r) => r.status === 201);
    assert.is(created.length, 1, `round ${round}: ${results.map((r) => `${r.status} ${r.text.slice(0, 200)}`).join('\n')}`);
    for (const r of results.filter((x) => x.status !== 201)) {
      assert.is(r.status, 403, r.text);
      assert.match(r.text, /no-uid-conflict/);
    }
  }
});

t('after all the races the sync log agrees with what is stored', async ({ srv }) => {
  const ms = await syncCollection(srv, USER, CAL, null);
  const listing = await srv.request('PROPFIND', CAL, { user: USER, headers: { Depth: '1' } });
  assert.is(listing.status, 207);
  const names = ms.responses.map((r) => r.href).sort();
  const listed = [...listing.text.matchAll(/<d:href>([^<]+\.ics)<\/d:href>/g)].map((m) => decodeURIComponent(m[1]!)).sort();
  assert.equal(names, listed);
  assert.is(ms.syncToken, await syncTokenOf(srv, USER, CAL));
});

t.run();
