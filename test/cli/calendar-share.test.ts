// `sundial calendar list|create|sync`, `sundial share … read|read-write|--remove` and
// `sundial stats` as an operator runs them: `node bin/sundial.js …` in a child process with
// SUNDIAL_DATA pointing at a fresh directory (issue 5, items 6 and 7). Their effects are checked
// in the store the server reads.
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createUserWithCalendar } from '../../src/bootstrap.js';
import type { Store } from '../../src/store/types.js';
import { run, tempDir, type RunResult } from '../helpers/cli.js';
import { ical } from '../helpers/dav.js';

interface Ctx {
  setupError?: unknown;
  dir: string;
  env: Record<string, string>;
}

const t = suite<Ctx>('sundial calendar / share / stats');

async function withStore<T>(dir: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openSqliteStore({ path: path.join(dir, 'sundial.db') });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const lines = (r: RunResult) => r.stdout.split('\n').filter(Boolean);
const rows = (r: RunResult) => lines(r).map((l) => l.split('\t'));

async function ok(args: string[], env: Record<string, string>): Promise<RunResult> {
  const res = await run(args, { env });
  assert.is(res.code, 0, `sundial ${args.join(' ')} → ${res.code}\n${res.stdout}\n${res.stderr}`);
  return res;
}

async function usage(args: string[], env: Record<string, string>, message: RegExp): Promise<void> {
  const res = await run(args, { env });
  assert.is(res.code, 2, `sundial ${args.join(' ')} → ${res.code}\n${res.stdout}\n${res.stderr}`);
  assert.match(res.stderr, message, `sundial ${args.join(' ')}: ${res.stderr}`);
}

guardedBefore(t, async (ctx) => {
  ctx.dir = tempDir();
  ctx.env = { SUNDIAL_DATA: ctx.dir };
  await ok(['migrate'], ctx.env);
  await withStore(ctx.dir, async (store) => {
    for (const username of ['alice', 'bob', 'carol']) await createUserWithCalendar(store, { username, password: 'a long password' });
  });
});
t.after((ctx) => { fs.rmSync(ctx.dir, { recursive: true, force: true }); });

t('calendar list shows a user\'s calendars: uri, name, access, entries, sync', async ({ env }) => {
  assert.equal(rows(await ok(['calendar', 'list', 'alice'], env)), [['personal', 'Personal', 'own', '0 entries', 'sync on', 'free/busy on']]);
});

t('calendar create makes a calendar (with a colour), listed by the CLI and present in the store', async ({ dir, env }) => {
  const res = await ok(['calendar', 'create', 'alice', 'Book Club', '--color', '#123456'], env);
  assert.match(res.stdout, /created book-club \("Book Club"\) for alice/);
  const listed = rows(await ok(['calendar', 'list', 'alice'], env));
  assert.equal(listed.map((r) => r[0]).sort(), ['book-club', 'personal']);
  assert.ok(listed.some((r) => r[0] === 'book-club' && r[1] === 'Book Club' && r[2] === 'own' && r[4] === 'sync on'));
  await withStore(dir, async (store) => {
    const alice = (await store.getUser('alice'))!;
    const i = await store.getInstance(alice.id, 'book-club');
    assert.ok(i);
    assert.is(i!.collection.color, '#123456');
    assert.equal(i!.collection.components, ['VEVENT', 'VTODO', 'VJOURNAL']);
  });
  // The same name again gets a free URI.
  assert.match((await ok(['calendar', 'create', 'alice', 'Book Club'], env)).stdout, /created book-club-2/);
});

t('calendar create refuses bad input with exit code 2', async ({ env }) => {
  await usage(['calendar', 'create', 'alice', 'Bad', '--color', 'red'], env, /colour/);
  await usage(['calendar', 'create', 'nobody', 'X'], env, /no user "nobody"/);
  await usage(['calendar', 'create', 'alice'], env, /sundial calendar create/);
  await usage(['calendar', 'frobnicate'], env, /sundial calendar list/);
  await usage(['calendar'], env, /sundial calendar sync/);
});

t('calendar sync switches the instance and moves the home\'s sync token', async ({ dir, env }) => {
  const homeSeq = () => withStore(dir, async (s) => s.homeSeq((await s.getUser('alice'))!.id));
  const before = await homeSeq();
  const off = await ok(['calendar', 'sync', 'alice', 'book-club', 'off'], env);
  assert.match(off.stdout, /synchronization of book-club for alice: off/);
  assert.ok(rows(await ok(['calendar', 'list', 'alice'], env)).some((r) => r[0] === 'book-club' && r[4] === 'sync off'));
  const mid = await homeSeq();
  assert.ok(mid > before, 'home token moved');
  await withStore(dir, async (s) => {
    const alice = (await s.getUser('alice'))!;
    const listed = (await s.listInstances(alice.id, { syncOnly: true })).map((i) => i.uri);
    assert.not.ok(listed.includes('book-club'), 'not listed for devices');
  });
  assert.match((await ok(['calendar', 'sync', 'alice', 'book-club', 'on'], env)).stdout, /: on/);
  assert.ok((await homeSeq()) > mid);
  await usage(['calendar', 'sync', 'alice', 'book-club', 'maybe'], env, /on\|off/);
  await usage(['calendar', 'sync', 'alice', 'nothere', 'off'], env, /no calendar "nothere"/);
  await usage(['calendar', 'sync', 'nobody', 'personal', 'off'], env, /no user/);
});

t('share … read, read-write and --remove', async ({ dir, env }) => {
  const res = await ok(['share', 'alice', 'book-club', 'bob', 'read'], env);
  assert.match(res.stdout, /book-club of alice shared with bob \(read\)/);
  let bob = rows(await ok(['calendar', 'list', 'bob'], env));
  assert.ok(bob.some((r) => r[0] === 'book-club' && r[1] === 'Book Club' && r[2] === 'read from alice' && r[4] === 'sync on'), JSON.stringify(bob));
  await ok(['share', 'alice', 'book-club', 'bob', 'read-write'], env);
  bob = rows(await ok(['calendar', 'list', 'bob'], env));
  assert.ok(bob.some((r) => r[0] === 'book-club' && r[2] === 'read-write from alice'));
  await withStore(dir, async (s) => {
    const alice = (await s.getUser('alice'))!;
    const c = (await s.getInstance(alice.id, 'book-club'))!.collection;
    assert.equal((await s.listShares(c.id)).map((x) => [x.username, x.access]), [['bob', 'read-write']]);
  });
  // The sharee's switch is their own.
  await ok(['calendar', 'sync', 'bob', 'book-club', 'off'], env);
  assert.ok(rows(await ok(['calendar', 'list', 'alice'], env)).some((r) => r[0] === 'book-club' && r[4] === 'sync on'));

  const removed = await ok(['share', 'alice', 'book-club', 'bob', '--remove'], env);
  assert.match(removed.stdout, /no longer shared with bob/);
  assert.not.ok(rows(await ok(['calendar', 'list', 'bob'], env)).some((r) => r[0] === 'book-club'));
  assert.ok(rows(await ok(['calendar', 'list', 'alice'], env)).some((r) => r[0] === 'book-club'), 'the owner keeps it');
});

t('share refuses bad input with exit code 2 and changes nothing', async ({ dir, env }) => {
  await usage(['share', 'alice', 'book-club', 'nobody', 'read'], env, /no user "nobody"/);
  await usage(['share', 'alice', 'book-club', 'bob', 'write'], env, /read-write/);
  await usage(['share', 'alice', 'book-club', 'alice', 'read'], env, /own/);
  await usage(['share', 'alice', 'nothere', 'bob', 'read'], env, /no calendar/);
  await usage(['share', 'alice', 'book-club', 'carol', '--remove'], env, /not shared/);
  await usage(['share', 'alice', 'book-club', 'bob'], env, /sundial share/);
  await usage(['share'], env, /sundial share/);
  await ok(['share', 'alice', 'book-club', 'carol', 'read'], env);
  // bob cannot share alice's calendar he has through a share.
  await ok(['share', 'alice', 'book-club', 'bob', 'read'], env);
  await usage(['share', 'bob', 'book-club', 'carol', 'read-write'], env, /owner/);
  await withStore(dir, async (s) => {
    const alice = (await s.getUser('alice'))!;
    const c = (await s.getInstance(alice.id, 'book-club'))!.collection;
    assert.equal((await s.listShares(c.id)).map((x) => [x.username, x.access]), [['bob', 'read'], ['carol', 'read']]);
  });
});

t('stats lists every calendar once with its entries and flags those past SUNDIAL_LARGE_CALENDAR', async ({ dir, env }) => {
  await withStore(dir, async (s) => {
    const alice = (await s.getUser('alice'))!;
    const c = (await s.getInstance(alice.id, 'book-club'))!.collection;
    for (let i = 0; i < 3; i++) {
      await s.putObject(c.id, { name: `e${i}.ics`, data: Buffer.from(ical(`e${i}`)), contentType: 'text/calendar; charset=utf-8', uid: `e${i}`, componentType: 'VEVENT' });
    }
  });
  const res = await ok(['stats'], { ...env, SUNDIAL_LARGE_CALENDAR: '2' });
  // The calendars' table; the address books' follows it (test/cli/addressbook.test.ts).
  const table = rows(res).slice(0, rows(res).findIndex((r) => r[1] === 'addressbook'));
  assert.equal(table[0], ['owner', 'calendar', 'entries', 'flag']);
  const body = table.slice(1, -1);
  const club = body.find((r) => r[0] === 'alice' && r[1] === 'book-club');
  assert.ok(club, res.stdout);
  assert.is(club![2], '3');
  assert.match(club![3] ?? '', /LARGE \(> 2\)/);
  const personal = body.find((r) => r[0] === 'alice' && r[1] === 'personal');
  assert.is(personal![2], '0');
  assert.is(personal![3] ?? '', '');
  assert.is(body.filter((r) => r[1] === 'book-club').length, 1, 'a shared calendar is counted once, under its owner');
  assert.is(body.length, 5, 'alice: personal, book-club, book-club-2; bob and carol: personal');
  assert.match(table.at(-1)!.join('\t'), /^5 calendars, 3 entries, 1 past the threshold of 2$/);
  // With the default threshold nothing is flagged; the CLI list shows the flag too.
  assert.ok(lines(await ok(['stats'], env)).some((l) => /calendars, .* 0 past the threshold of 9000/.test(l)));
  const listed = rows(await ok(['calendar', 'list', 'alice'], { ...env, SUNDIAL_LARGE_CALENDAR: '2' }));
  assert.ok(listed.some((r) => r[0] === 'book-club' && r[3] === '3 entries (large)'));
});

t.run();
