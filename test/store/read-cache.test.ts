// The SQLite store caches the rows every request reads (credentials, calendar instances) until the
// database changes (store/sqlite/connection.ts readCache). A change must be seen: one made through
// the store itself at once, one made by another connection to the same file (the CLI beside the
// server) a moment later (the other connection's commits are looked for at most every 2 ms), and
// nothing uncommitted may ever be served from the cache.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sundial-read-cache-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
/** Past the 2 ms within which a check for other connections' commits holds (connection.ts RECHECK_MS). */
const aMomentLater = () => new Promise<void>((r) => setTimeout(r, 3));

const cache = suite('store read cache');

cache('a password change through another connection voids the cached credentials a moment later', async () => {
  const file = path.join(tmp, `rc-${++n}.db`);
  const server = await openSqliteStore({ path: file });
  const cli = await openSqliteStore({ path: file });
  await server.createUser({ username: 'ann', passwordHash: 'h1' });
  const before = await server.getCredentials('ann');
  assert.is((await server.getCredentials('ann'))!.passwordHash, 'h1', 'cached read');
  await cli.setPassword('ann', 'h2');
  await aMomentLater();
  const after = await server.getCredentials('ann');
  assert.is(after!.passwordHash, 'h2');
  assert.ok(after!.credentialVersion > before!.credentialVersion);
  await cli.deleteUser('ann');
  await aMomentLater();
  assert.is(await server.getCredentials('ann'), null, 'a user deleted elsewhere is gone a moment later');
  await server.close();
  await cli.close();
});

cache('writes through the store itself void cached instances; cached values are frozen', async () => {
  const store = await openSqliteStore({ path: ':memory:' });
  const ann = await store.createUser({ username: 'ann', passwordHash: 'h' });
  const cal = await store.createCollection(ann.id, { uri: 'work', kind: 'calendar' });
  const i1 = await store.getInstance(ann.id, 'work');
  assert.ok(Object.isFrozen(i1) && Object.isFrozen(i1!.collection), 'shared cached values cannot be changed by a caller');
  assert.is(await store.getInstance(ann.id, 'work'), i1, 'second read from the cache');
  await store.putObject(cal.id, { name: 'a.ics', data: Buffer.from('x'), contentType: 'text/calendar' });
  const i2 = await store.getInstance(ann.id, 'work');
  assert.ok(i2!.collection.syncSeq > i1!.collection.syncSeq, 'the new sync token is seen at once');
  assert.is(await store.getInstance(ann.id, 'nope'), null);
  await store.createCollection(ann.id, { uri: 'nope', kind: 'calendar' });
  assert.ok(await store.getInstance(ann.id, 'nope'), 'a cached miss is voided by the write that creates it');
  await store.close();
});

cache('a failed write (rolled back) leaves the committed rows to be read', async () => {
  const store = await openSqliteStore({ path: ':memory:' });
  const ann = await store.createUser({ username: 'ann', passwordHash: 'h' });
  const cal = await store.createCollection(ann.id, { uri: 'work', kind: 'calendar' });
  await store.putObject(cal.id, { name: 'a.ics', data: Buffer.from('x'), contentType: 'text/calendar' });
  const seq = (await store.getInstance(ann.id, 'work'))!.collection.syncSeq;
  // A UID held by another object fails inside the transaction, after the sequence was taken.
  await store.putObject(cal.id, { name: 'b.ics', data: Buffer.from('y'), contentType: 'text/calendar', uid: 'u' });
  const seq2 = (await store.getInstance(ann.id, 'work'))!.collection.syncSeq;
  assert.ok(seq2 > seq);
  await store.putObject(cal.id, { name: 'c.ics', data: Buffer.from('z'), contentType: 'text/calendar', uid: 'u' }).then(
    () => assert.unreachable('no-uid-conflict'),
    () => {},
  );
  assert.is((await store.getInstance(ann.id, 'work'))!.collection.syncSeq, seq2, 'the token did not move');
  assert.is(await store.getObject(cal.id, 'c.ics'), null);
  await store.close();
});

cache.run();
