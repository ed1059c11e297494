// `sundial backup FILE` while a server takes writes (issue 12 item 13): the copy is one committed
// state of the database. A writer PUTs w-0, w-1, … one after the other during the backup, so a
// consistent copy holds exactly a prefix of them (every earlier PUT, no later one, no gap). The
// copy is restored into a fresh data folder, a server started on it, and its objects, bodies and
// sync tokens checked through HTTP.
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { guardedBefore } from '../web/setup.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ical, propfind, putOk, syncCollection, syncCollectionRaw, D } from '../helpers/dav.js';
import { run, tempDir } from '../helpers/cli.js';
import { backupDatabase } from '../../src/store/sqlite/backup.js';

interface Ctx {
  setupError?: unknown;
  srv: TestServer;
  dir: string;
}

const CAL = '/dav/calendars/alice/personal/';
const PRELOAD = 150;
// ~2 KB per event, so the database spans a few hundred pages and a backup takes several steps.
const FILLER = 'DESCRIPTION:' + 'x'.repeat(60);
const body = (uid: string) => ical(uid, { extra: Array.from({ length: 30 }, () => FILLER) });

const t = suite<Ctx>('sundial backup');

guardedBefore(t, async (ctx) => {
  ctx.srv = await startTestServer();
  ctx.dir = tempDir('sundial-backup-');
  await ctx.srv.addUser('alice');
  for (let i = 0; i < PRELOAD; i++) await putOk(ctx.srv, 'alice', `${CAL}p-${i}.ics`, body(`p-${i}`));
});
t.after(async (ctx) => {
  await ctx.srv?.close();
  if (ctx.dir) fs.rmSync(ctx.dir, { recursive: true, force: true });
});

/** PUTs w-<n>, w-<n+1>, … one at a time until stopped; resolves with the next unused n. */
function writer(srv: TestServer, from: number): { stop(): Promise<number>; written(): number } {
  let next = from;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await putOk(srv, 'alice', `${CAL}w-${next}.ics`, body(`w-${next}`));
      next++;
    }
    return next;
  })();
  return { stop: () => { stopped = true; return loop; }, written: () => next - from };
}

/** Starts a server on a copy of `backup` in a fresh folder (the restore of docs/deployment.md). */
async function restore(backup: string, into: string): Promise<TestServer> {
  fs.mkdirSync(into);
  fs.copyFileSync(backup, path.join(into, 'sundial.db'));
  return startTestServer({ SUNDIAL_DATA: into });
}

/** The restored calendar: every object listed by sync-collection, readable, with its own UID; the
 * w-* objects a gap-free prefix. Returns how many w-* objects the copy holds. */
async function checkConsistent(restored: TestServer, minWritten: number): Promise<number> {
  const sync = await syncCollection(restored, 'alice', CAL, null);
  const names = sync.responses.map((r) => path.posix.basename(r.href)).sort();
  const preloaded = names.filter((n) => n.startsWith('p-'));
  const written = names.filter((n) => n.startsWith('w-')).map((n) => Number(/^w-(\d+)\.ics$/.exec(n)![1])).sort((a, b) => a - b);
  assert.is(preloaded.length, PRELOAD, 'every object written before the backup began');
  assert.is(preloaded.length + written.length, names.length, names.join(' '));
  assert.ok(written.length >= minWritten, `${written.length} of the writes during the backup, at least ${minWritten}`);
  assert.equal(written, written.map((_, i) => i), 'the writes in the copy are exactly the first ones, without a gap');

  const listing = await propfind(restored, 'alice', CAL, '1', [D('getetag')]);
  assert.is(listing.responses.length - 1, names.length, 'PROPFIND lists the same objects as sync-collection');
  for (const name of [...preloaded.slice(0, 5), ...written.slice(-5).map((n) => `w-${n}.ics`)]) {
    const res = await restored.request('GET', `${CAL}${name}`, { user: 'alice' });
    assert.is(res.status, 200, name);
    assert.ok(res.text.includes(`UID:${name.replace(/\.ics$/, '')}\r\n`), `${name} has its own body`);
  }

  // The change log came along with the objects: the restored token names this state exactly.
  assert.ok(sync.syncToken, 'a sync token');
  await putOk(restored, 'alice', `${CAL}after.ics`, body('after'));
  const delta = await syncCollection(restored, 'alice', CAL, sync.syncToken!);
  assert.equal(delta.responses.map((r) => path.posix.basename(r.href)), ['after.ics'], 'a sync from the restored token sees only the new object');
  return written.length;
}

t('sundial backup while the server takes PUTs: the copy restores to a consistent calendar with working sync tokens', async ({ srv, dir }) => {
  const file = path.join(dir, 'cli-backup.db');
  const HOME = '/dav/calendars/alice/';
  const liveBefore = { cal: (await syncCollection(srv, 'alice', CAL, null)).syncToken!, home: (await syncCollection(srv, 'alice', HOME, null)).syncToken! };
  const w = writer(srv, 0);
  // Let the writer get going, so the backup starts in the middle of the load.
  while (w.written() < 3) await new Promise((r) => setTimeout(r, 10));
  const before = w.written();
  const res = await run(['backup', file], { env: { SUNDIAL_DATA: srv.dataDir }, timeoutMs: 60_000 });
  const during = w.written() - before;
  const total = await w.stop();
  assert.is(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, new RegExp(`written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ pages`));
  assert.ok(during > 0, 'the server took writes while the backup ran');
  assert.not.ok(fs.existsSync(`${file}.part`), 'no partial file left');

  const restored = await restore(file, path.join(dir, 'restored-cli'));
  try {
    const inCopy = await checkConsistent(restored, before);
    assert.ok(inCopy <= total, `${inCopy} ≤ ${total}`);
    // Tokens the live server handed out, before the backup or after it (for writes the copy does
    // not hold), are refused by the restored one, so devices resynchronize instead of keeping
    // events it never had (RFC 6578 §3.2 valid-sync-token).
    const liveAfter = { cal: (await syncCollection(srv, 'alice', CAL, null)).syncToken!, home: (await syncCollection(srv, 'alice', HOME, null)).syncToken! };
    for (const [where, token] of [[CAL, liveBefore.cal], [CAL, liveAfter.cal], [HOME, liveBefore.home], [HOME, liveAfter.home]] as const) {
      const res = await syncCollectionRaw(restored, 'alice', where, token);
      assert.is(res.status, 403, `${where} from the live server's ${token}: ${res.status}`);
      assert.ok(res.text.includes('valid-sync-token'), res.text.slice(0, 300));
    }
    // The restored home's own token keeps working.
    const home = await syncCollection(restored, 'alice', HOME, null);
    await putOk(restored, 'alice', `${CAL}after-home.ics`, body('after-home'));
    assert.is((await syncCollection(restored, 'alice', HOME, home.syncToken!)).responses.length, 1, 'the calendar changed');
  } finally {
    await restored.close();
  }
});

t('a backup in small steps restarts when the server writes between them, and still finishes with one consistent state', async ({ srv, dir }) => {
  const file = path.join(dir, 'stepped.db');
  const w = writer(srv, 1_000_000);
  while (w.written() < 2) await new Promise((r) => setTimeout(r, 10));
  // Writes between steps (the writer runs in this process's event loop between the setImmediate
  // steps) make SQLite start over; the step size doubles until the copy gets through.
  const result = await backupDatabase(path.join(srv.dataDir, 'sundial.db'), file, { pagesPerStep: 5 });
  await w.stop();
  assert.ok(result.restarts > 0, `restarted ${result.restarts} times`);
  const restored = await restore(file, path.join(dir, 'restored-stepped'));
  try {
    // The w-1000000… writes of this test are checked by name: a prefix, like those of the first test.
    const sync = await syncCollection(restored, 'alice', CAL, null);
    const mine = sync.responses.map((r) => path.posix.basename(r.href)).filter((n) => /^w-1\d{6}\.ics$/.test(n)).map((n) => Number(n.slice(2, -4)) - 1_000_000).sort((a, b) => a - b);
    assert.ok(mine.length >= 2, `${mine.length} writes of this test in the copy`);
    assert.equal(mine, mine.map((_, i) => i), 'a gap-free prefix of the writes');
  } finally {
    await restored.close();
  }
});

t('backup refuses a missing database (creating none), a missing folder and a missing FILE', async ({ srv, dir }) => {
  const empty = path.join(dir, 'no-data');
  const missing = await run(['backup', path.join(dir, 'x.db')], { env: { SUNDIAL_DATA: empty } });
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /no database at/);
  assert.not.ok(fs.existsSync(empty), 'no data folder made');
  const noFolder = await run(['backup', path.join(dir, 'nope', 'x.db')], { env: { SUNDIAL_DATA: srv.dataDir } });
  assert.is(noFolder.code, 2, noFolder.stderr);
  assert.match(noFolder.stderr, /does not exist/);
  const noFile = await run(['backup'], { env: { SUNDIAL_DATA: srv.dataDir } });
  assert.is(noFile.code, 2);
  assert.match(noFile.stderr, /Usage/);
});

t.run();
