// `sundial addressbook list|create|sync`, `sundial share --addressbook …`, and `sundial import
// FILE.vcf --addressbook A` / `sundial export --addressbook A` as an operator runs them (issue 14
// items 4 and 6): `node bin/sundial.js …` in a child process on a fresh data folder, effects
// checked in the store the server reads. The import file has 1,000 cards (3.0 and 4.0, folded
// lines, non-ASCII) and a few broken ones; a re-run changes nothing; the export gives the cards
// back byte for byte.
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { createUserWithCalendar } from '../../src/bootstrap.js';
import type { Store } from '../../src/store/types.js';
import { run, tempDir, type RunResult } from '../helpers/cli.js';

interface Ctx {
  setupError?: unknown;
  dir: string;
  env: Record<string, string>;
}

const t = suite<Ctx>('sundial addressbook / share --addressbook / import and export of .vcf');

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
  const res = await run(args, { env, timeoutMs: 60_000 });
  assert.is(res.code, 0, `sundial ${args.join(' ')} → ${res.code}\n${res.stdout}\n${res.stderr}`);
  return res;
}

async function usage(args: string[], env: Record<string, string>, message: RegExp): Promise<void> {
  const res = await run(args, { env });
  assert.is(res.code, 2, `sundial ${args.join(' ')} → ${res.code}\n${res.stdout}\n${res.stderr}`);
  assert.match(res.stderr, message, `sundial ${args.join(' ')}: ${res.stderr}`);
}

const syncedBooks = (dir: string, user: string) => withStore(dir, async (store) => {
  const u = (await store.getUser(user))!;
  return (await store.listInstances(u.id, { syncOnly: true, home: 'addressbooks' })).map((i) => i.uri);
});

guardedBefore(t, async (ctx) => {
  ctx.dir = tempDir();
  ctx.env = { SUNDIAL_DATA: ctx.dir };
  await ok(['migrate'], ctx.env);
  await withStore(ctx.dir, async (store) => {
    for (const username of ['alice', 'bob']) await createUserWithCalendar(store, { username, password: 'a long password' });
  });
});
t.after((ctx) => { fs.rmSync(ctx.dir, { recursive: true, force: true }); });

t('addressbook list: every user has "Contacts", own, no cards, synchronized', async ({ env }) => {
  assert.equal(rows(await ok(['addressbook', 'list', 'alice'], env)), [['contacts', 'Contacts', 'own', '0 cards', 'sync on']]);
});

t('addressbook create: a URL segment from the name, unique in the address-book home, with a description', async ({ env, dir }) => {
  assert.equal(lines(await ok(['addressbook', 'create', 'alice', 'Team', '--description', 'the people at work'], env)), ['created team ("Team") for alice']);
  assert.equal(lines(await ok(['addressbook', 'create', 'alice', 'Team'], env)), ['created team-2 ("Team") for alice']);
  // The calendar home is another namespace: "Personal" is free here.
  assert.equal(lines(await ok(['addressbook', 'create', 'alice', 'Personal'], env)), ['created personal ("Personal") for alice']);
  const team = await withStore(dir, async (store) => (await store.getInstance((await store.getUser('alice'))!.id, 'team', 'addressbooks'))!);
  assert.is(team.collection.kind, 'addressbook');
  assert.is(team.collection.description, 'the people at work');
  await usage(['addressbook', 'create', 'alice'], env, /Usage:/);
  await usage(['addressbook', 'create', 'nobody', 'X'], env, /no user "nobody"/);
  await usage(['addressbook', 'create', 'alice', 'x'.repeat(201)], env, /1 to 200 characters/);
});

t('addressbook sync: off leaves it out of what devices see, on brings it back; unknown names are usage errors', async ({ env, dir }) => {
  assert.equal(lines(await ok(['addressbook', 'sync', 'alice', 'team', 'off'], env)), ['synchronization of team for alice: off']);
  assert.not.ok((await syncedBooks(dir, 'alice')).includes('team'));
  assert.equal(rows(await ok(['addressbook', 'list', 'alice'], env)).find((r) => r[0] === 'team')!.at(-1), 'sync off');
  await ok(['addressbook', 'sync', 'alice', 'team', 'on'], env);
  assert.ok((await syncedBooks(dir, 'alice')).includes('team'));
  await usage(['addressbook', 'sync', 'alice', 'team', 'maybe'], env, /Usage:/);
  await usage(['addressbook', 'sync', 'alice', 'nope', 'off'], env, /no address book "nope"/);
  // A calendar's name is not an address book's.
  await usage(['addressbook', 'sync', 'alice', 'personal-calendar', 'off'], env, /no address book/);
});

t('share --addressbook: read for bob (his own switch), --remove; without the flag the name is a calendar\'s', async ({ env, dir }) => {
  assert.equal(lines(await ok(['share', '--addressbook', 'alice', 'team', 'bob', 'read'], env)), ['team of alice shared with bob (read)']);
  assert.equal(rows(await ok(['addressbook', 'list', 'bob'], env)), [['contacts', 'Contacts', 'own', '0 cards', 'sync on'], ['team', 'Team', 'read from alice', '0 cards', 'sync on']]);
  await ok(['addressbook', 'sync', 'bob', 'team', 'off'], env);
  assert.ok((await syncedBooks(dir, 'alice')).includes('team'), 'the owner\'s switch is untouched');
  await usage(['share', 'alice', 'team', 'bob', 'read'], env, /no calendar "team"/);
  await usage(['share', '--addressbook', 'alice', 'team', 'bob', 'owner'], env, /access is "read" or "read-write"/);
  await usage(['share', '--addressbook', 'bob', 'team', 'alice', 'read'], env, /only the owner/);
  assert.equal(lines(await ok(['share', '--addressbook', 'alice', 'team', 'bob', '--remove'], env)), ['team of alice is no longer shared with bob']);
  assert.equal(rows(await ok(['addressbook', 'list', 'bob'], env)).length, 1);
});

const N = 1000;

/** A Contacts-style export: N cards in UID order, 3.0 and 4.0, a folded NOTE, non-ASCII names, and three broken cards. */
function vcfFile(): { text: string; good: string[] } {
  const good: string[] = [];
  const parts: string[] = [];
  for (let i = 0; i < N; i++) {
    const uid = `p-${String(i).padStart(5, '0')}`;
    const v3 = i % 2 === 0;
    const c = [
      'BEGIN:VCARD', `VERSION:${v3 ? '3.0' : '4.0'}`, `UID:${uid}`, `FN:Person ${i} Müller-Łukasz`, `N:Müller;Person ${i};;;`,
      `EMAIL;TYPE=work:person${i}@example.com`, 'NOTE:a long note that a client folded over two lines because it was lon', ' ger than 75 octets', 'END:VCARD',
    ].join('\r\n') + '\r\n';
    good.push(c);
    parts.push(c);
    if (i === 10) parts.push('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:No UID here\r\nEND:VCARD\r\n');
    if (i === 500) parts.push('BEGIN:VCARD\r\nVERSION:2.1\r\nUID:old-21\r\nFN:Old format\r\nEND:VCARD\r\n');
  }
  parts.push('BEGIN:VCARD\r\nVERSION:4.0\r\nUID:cut\r\nFN:Cut off\r\n');
  return { text: parts.join(''), good };
}

t('import FILE.vcf --addressbook: 1,000 cards, the broken ones reported with their line, exit 1; a re-run changes nothing', async ({ env, dir }) => {
  const { text } = vcfFile();
  const file = path.join(dir, 'contacts.vcf');
  fs.writeFileSync(file, text);
  const first = await run(['import', file, '--user', 'alice', '--addressbook', 'contacts'], { env, timeoutMs: 60_000 });
  assert.is(first.code, 1, first.stderr);
  const out = lines(first);
  assert.match(out[0]!, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: 1000 cards, processed in \\d+\\.\\d s$`));
  assert.is(out[1], '1000 imported, 0 replaced, 0 unchanged, 3 skipped');
  assert.ok(out.some((l) => /^ {2}skipped line 100 \(FN No UID here\): UID is missing/.test(l)), out.join('\n'));
  assert.ok(out.some((l) => /^ {2}skipped line \d+ \(FN Old format\): vCard version 2\.1 is not supported/.test(l)), out.join('\n'));
  assert.ok(out.some((l) => /^ {2}skipped line \d+ \(FN Cut off\): no END:VCARD before the end of the file/.test(l)), out.join('\n'));
  assert.is(first.stderr, '', 'no progress line when stderr is not a terminal');
  assert.equal(rows(await ok(['addressbook', 'list', 'alice'], env))[0], ['contacts', 'Contacts', 'own', '1000 cards', 'sync on']);
  const again = await run(['import', file, '--user', 'alice', '--addressbook', 'contacts'], { env, timeoutMs: 60_000 });
  assert.is(lines(again)[1], '0 imported, 0 replaced, 1000 unchanged, 3 skipped');
  await withStore(dir, async (store) => {
    const c = (await store.getInstance((await store.getUser('alice'))!.id, 'contacts', 'addressbooks'))!.collection;
    assert.is(c.objectCount, N);
  });
});

t('export --addressbook: the cards byte for byte, to a file or stdout; importing the export changes nothing', async ({ env, dir }) => {
  const { good } = vcfFile();
  const out = path.join(dir, 'out.vcf');
  assert.equal(lines(await ok(['export', '--user', 'alice', '--addressbook', 'contacts', '--output', out], env)), [`1000 cards of contacts written to ${out}`]);
  assert.ok(fs.readFileSync(out).equals(Buffer.from(good.join(''), 'utf8')), 'the export is the imported cards, in UID order');
  const stdout = await ok(['export', '--user', 'alice', '--addressbook', 'contacts'], env);
  assert.is(stdout.stdout, good.join(''));
  const back = await ok(['import', out, '--user', 'alice', '--addressbook', 'contacts'], env);
  assert.is(lines(back)[1], '0 imported, 0 replaced, 1000 unchanged, 0 skipped');
});

t('stats lists every address book once with its cards after the calendars, flagging those past SUNDIAL_LARGE_CALENDAR', async ({ env }) => {
  const res = await ok(['stats'], { ...env, SUNDIAL_LARGE_CALENDAR: '999' });
  const all = rows(res);
  const at = all.findIndex((r) => r.join('\t') === 'owner\taddressbook\tcards\tflag');
  assert.ok(at > 0, res.stdout);
  const books = all.slice(at + 1, -1);
  assert.equal(books.find((r) => r[0] === 'alice' && r[1] === 'contacts'), ['alice', 'contacts', '1000', 'LARGE (> 999)']);
  assert.equal(books.find((r) => r[0] === 'bob' && r[1] === 'contacts'), ['bob', 'contacts', '0', '']);
  assert.is(books.filter((r) => r[1] === 'team').length, 1, 'a shared address book is counted once, under its owner');
  assert.equal(all.at(-1), ['5 address books, 1000 cards, 1 past the threshold of 999']);
});

t('import and export refuse what they cannot do: a read-only share, an unknown address book, both --calendar and --addressbook', async ({ env, dir }) => {
  await ok(['share', '--addressbook', 'alice', 'team', 'bob', 'read'], env);
  const file = path.join(dir, 'one.vcf');
  fs.writeFileSync(file, 'BEGIN:VCARD\r\nVERSION:4.0\r\nUID:one\r\nFN:One\r\nEND:VCARD\r\n');
  await usage(['import', file, '--user', 'bob', '--addressbook', 'team'], env, /team is shared with bob read-only/);
  await usage(['import', file, '--user', 'alice', '--addressbook', 'nope'], env, /no address book "nope"/);
  await usage(['import', file, '--user', 'alice', '--addressbook', 'team', '--calendar', 'personal'], env, /Usage:/);
  await usage(['export', '--user', 'bob', '--addressbook', 'nope'], env, /no address book "nope"/);
  fs.writeFileSync(path.join(dir, 'latin1.vcf'), Buffer.from([0x42, 0x45, 0xe9, 0x0a]));
  await usage(['import', path.join(dir, 'latin1.vcf'), '--user', 'alice', '--addressbook', 'team'], env, /not UTF-8 text/);
  // bob may read it: his export is the owner's (empty) address book.
  assert.is((await ok(['export', '--user', 'bob', '--addressbook', 'team'], env)).stdout, '');
});

t('--help of addressbook, import, export and share names the address-book forms', async ({ env }) => {
  assert.match((await ok(['addressbook', '--help'], env)).stdout, /sundial addressbook list <user>[\s\S]*create[\s\S]*sync <user> <addressbook> on\|off/);
  assert.match((await ok(['import', '--help'], env)).stdout, /sundial import FILE\.vcf --user U --addressbook A/);
  assert.match((await ok(['export', '--help'], env)).stdout, /sundial export --user U --addressbook A/);
  assert.match((await ok(['share', '--help'], env)).stdout, /--addressbook/);
  assert.match((await ok(['--help'], env)).stdout, /addressbook list\|create\|sync/);
});

t.run();
