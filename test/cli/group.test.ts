// sundial group (issue 15 item 6): groups from the command line — add with members, change members,
// share a calendar with a group (members get it, leavers lose it), delete; usage errors exit 2.
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run, tempDir } from '../helpers/cli.js';

const t = suite<{ dir: string; env: Record<string, string> }>('sundial group');

t.before(async (ctx) => {
  ctx.dir = tempDir();
  ctx.env = { SUNDIAL_DATA: ctx.dir };
  for (const name of ['ann', 'ben', 'cat']) {
    const res = await run(['user', 'add', name], { env: ctx.env, input: 'a good password\n' });
    assert.is(res.code, 0, res.stderr);
  }
});
t.after((ctx) => { fs.rmSync(ctx.dir, { recursive: true, force: true }); });

const ok = async (env: Record<string, string>, args: string[]) => {
  const res = await run(args, { env });
  assert.is(res.code, 0, `${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
};

t('add with members, share a calendar, join and leave, delete', async ({ env }) => {
  assert.match(await ok(env, ['group', 'add', 'team', '--name', 'The Team', '--email', 'team@example.org', 'ben']), /created group team \("The Team", \/dav\/groups\/team\/\) with ben/);
  assert.match(await ok(env, ['group', 'share', 'team', 'ann', 'personal', 'read']), /shared with group team \(read\)/);
  assert.match(await ok(env, ['calendar', 'list', 'ben']), /personal-ann\tPersonal\tread from ann/);
  assert.not.match(await ok(env, ['calendar', 'list', 'cat']), /from ann/);
  await ok(env, ['group', 'members', 'team', '--add', 'cat']);
  assert.match(await ok(env, ['calendar', 'list', 'cat']), /read from ann/);
  assert.is(await ok(env, ['group', 'members', 'team', 'cat', '--set']), 'cat\n');
  assert.not.match(await ok(env, ['calendar', 'list', 'ben']), /from ann/, 'ben left: the calendar is gone');
  assert.match(await ok(env, ['group', 'list']), /^team\tThe Team\tteam@example.org\tcat\n$/);
  await ok(env, ['group', 'delete', 'team']);
  assert.not.match(await ok(env, ['calendar', 'list', 'cat']), /from ann/);
});

t('an address book shared with a group (--addressbook): members get it in their address-book home, not as a calendar', async ({ env }) => {
  await ok(env, ['group', 'add', 'book-team', 'ben']);
  assert.match(await ok(env, ['group', 'share', '--addressbook', 'book-team', 'ann', 'contacts', 'read-write']), /contacts of ann shared with group book-team \(read-write\)/);
  assert.match(await ok(env, ['addressbook', 'list', 'ben']), /contacts-ann\tContacts\tread-write from ann/);
  assert.not.match(await ok(env, ['calendar', 'list', 'ben']), /contacts/, 'not in the calendar home');
  // A calendar of that name does not exist: without --addressbook the share is refused.
  const res = await run(['group', 'share', 'book-team', 'ann', 'contacts', 'read'], { env });
  assert.is(res.code, 2);
  assert.match(res.stderr, /no calendar "contacts"/);
  assert.match(await ok(env, ['group', 'share', '--addressbook', 'book-team', 'ann', 'contacts', '--remove']), /no longer shared/);
  assert.not.match(await ok(env, ['addressbook', 'list', 'ben']), /from ann/);
  await ok(env, ['group', 'delete', 'book-team']);
});

t('usage errors: unknown group or user, members without --set, a bad name: exit 2 with a message', async ({ env }) => {
  for (const args of [
    ['group', 'delete', 'nope'],
    ['group', 'members', 'nope'],
    ['group', 'add', 'a/b'],
    ['group', 'add', 'g2', 'nobody'],
    ['group', 'share', 'nope', 'ann', 'personal', 'read'],
    ['group', 'frobnicate'],
  ]) {
    const res = await run(args, { env });
    assert.is(res.code, 2, `${args.join(' ')}: ${res.code} ${res.stdout} ${res.stderr}`);
    assert.ok(res.stderr.length > 0);
  }
  await ok(env, ['group', 'add', 'g3']);
  const res = await run(['group', 'members', 'g3', 'ann'], { env });
  assert.is(res.code, 2);
  assert.match(res.stderr, /--set/);
  assert.is(await ok(env, ['group', 'members', 'g3']), '', 'nothing changed');
  assert.match(await ok(env, ['group', '--help']), /sundial group share <group> <owner> <calendar>/);
});

t.run();
