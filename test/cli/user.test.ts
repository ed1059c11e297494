// The `sundial` command as an operator runs it: `node bin/sundial.js …` in a child process with
// SUNDIAL_DATA pointing at a fresh directory. Covers user add|list|passwd|delete (passwords from
// stdin, never from arguments), migrate, serve --help, and usage errors (exit code 2).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { options } from '../../src/config.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import type { UserCredentials } from '../../src/store/types.js';
import { BIN, run, tempDir } from '../helpers/cli.js';

const BOB_PW = 'first password';
const BOB_PW2 = 'second password';

const users = suite<{ dir: string; env: Record<string, string> }>('sundial user');

users.before((ctx) => {
  ctx.dir = tempDir();
  ctx.env = { SUNDIAL_DATA: ctx.dir };
});
users.after((ctx) => { fs.rmSync(ctx.dir, { recursive: true, force: true }); });

async function credentials(dir: string, username: string): Promise<UserCredentials | null> {
  const store = await openSqliteStore({ path: path.join(dir, 'sundial.db') });
  try {
    return await store.getCredentials(username);
  } finally {
    await store.close();
  }
}

async function listed(env: Record<string, string>): Promise<string[]> {
  const res = await run(['user', 'list'], { env });
  assert.is(res.code, 0, res.stderr);
  return res.stdout.split('\n').filter(Boolean);
}

users('user add bob reads the password from stdin and creates bob with his calendar', async ({ dir, env }) => {
  const res = await run(['user', 'add', 'bob'], { env, input: `${BOB_PW}\n` });
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /created user bob/);
  assert.not.ok((res.stdout + res.stderr).includes(BOB_PW), 'the password is not echoed');
  const creds = await credentials(dir, 'bob');
  assert.ok(creds, 'bob is in the store');
  assert.is(creds!.user.isAdmin, false);
  assert.ok(await verifyPassword(creds!.passwordHash, BOB_PW), 'the stdin line (without its newline) is the password');
  assert.ok(fs.existsSync(path.join(dir, 'sundial.db')));
});

users('user list shows bob', async ({ env }) => {
  const lines = await listed(env);
  assert.is(lines.length, 1);
  assert.is(lines[0]!.split('\t')[0], 'bob');
  assert.not.match(lines[0]!, /admin/);
});

users('adding bob again exits 2 with a message', async ({ env }) => {
  const res = await run(['user', 'add', 'bob'], { env, input: 'another password\n' });
  assert.is(res.code, 2);
  assert.match(res.stderr, /bob.*already exists/);
  assert.equal(await listed(env).then((l) => l.length), 1);
});

users('a too-short password exits 2 and creates nobody', async ({ dir, env }) => {
  const res = await run(['user', 'add', 'eve'], { env, input: 'short\n' });
  assert.is(res.code, 2);
  assert.match(res.stderr, /at least 8 characters/);
  assert.is(await credentials(dir, 'eve'), null);
  const empty = await run(['user', 'add', 'eve'], { env, input: '\n' });
  assert.is(empty.code, 2, 'an empty password is refused too');
  assert.is(await credentials(dir, 'eve'), null);
});

users('user add carol --admin: the list shows the admin flag', async ({ dir, env }) => {
  const res = await run(['user', 'add', 'carol', '--admin'], { env, input: 'carol password\n' });
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /carol \(admin\)/);
  const lines = await listed(env);
  const carol = lines.find((l) => l.startsWith('carol\t'));
  const bob = lines.find((l) => l.startsWith('bob\t'));
  assert.ok(carol && bob, lines.join('\n'));
  assert.is(carol!.split('\t')[1], 'admin');
  assert.is.not(bob!.split('\t')[1], 'admin');
  assert.is((await credentials(dir, 'carol'))!.user.isAdmin, true);
});

users('--admin before the name works too (user add --admin frank)', async ({ dir, env }) => {
  const res = await run(['user', 'add', '--admin', 'frank'], { env, input: 'frank password\n' });
  assert.is(res.code, 0, res.stderr);
  assert.is((await credentials(dir, 'frank'))!.user.isAdmin, true);
});

users('server options as flags: user list --data DIR reads the same database', async ({ dir }) => {
  const res = await run(['user', 'list', '--data', dir], { env: {} });
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /^bob\t/m);
});

users('a password is never taken from argv: user add dave secret123 is a usage error', async ({ dir, env }) => {
  const res = await run(['user', 'add', 'dave', 'secret123'], { env, input: 'other password\n' });
  assert.is(res.code, 2);
  assert.match(res.stderr, /too many arguments/);
  assert.not.ok(res.stderr.includes('secret123'), 'the would-be password is not echoed');
  assert.is(await credentials(dir, 'dave'), null, 'dave is not created, with either password');
  const extra = await run(['user', 'passwd', 'bob', 'secret123'], { env, input: 'other password\n' });
  assert.is(extra.code, 2);
  const creds = await credentials(dir, 'bob');
  assert.ok(await verifyPassword(creds!.passwordHash, BOB_PW), 'bob keeps his password');
});

users('user passwd bob via stdin: the new password verifies, the old does not, the credential version rises', async ({ dir, env }) => {
  const before = await credentials(dir, 'bob');
  const res = await run(['user', 'passwd', 'bob'], { env, input: `${BOB_PW2}\n` });
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /password of bob changed/);
  const after = await credentials(dir, 'bob');
  assert.ok(await verifyPassword(after!.passwordHash, BOB_PW2), 'new password verifies');
  assert.not.ok(await verifyPassword(after!.passwordHash, BOB_PW), 'old password no longer verifies');
  assert.ok(after!.credentialVersion > before!.credentialVersion, `${after!.credentialVersion} > ${before!.credentialVersion}`);
  assert.is(after!.user.id, before!.user.id);
});

users('user passwd with a too-short password or for an unknown user exits 2 and changes nothing', async ({ dir, env }) => {
  const before = await credentials(dir, 'bob');
  const short = await run(['user', 'passwd', 'bob'], { env, input: 'short\n' });
  assert.is(short.code, 2);
  const after = await credentials(dir, 'bob');
  assert.is(after!.credentialVersion, before!.credentialVersion);
  assert.ok(await verifyPassword(after!.passwordHash, BOB_PW2));
  const unknown = await run(['user', 'passwd', 'nobody'], { env, input: 'long enough password\n' });
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /no user "nobody"/);
});

users('user delete bob removes bob and, by cascade, his calendars', async ({ dir, env }) => {
  const bobId = (await credentials(dir, 'bob'))!.user.id;
  const res = await run(['user', 'delete', 'bob'], { env });
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /deleted user bob/);
  assert.is(await credentials(dir, 'bob'), null);
  assert.not.ok((await listed(env)).some((l) => l.startsWith('bob\t')));
  // The schema relies on ON DELETE CASCADE, which works only with foreign keys enforced on the
  // connection that deleted: no orphan collection shows the command's connection enforces them.
  const db = new Database(path.join(dir, 'sundial.db'), { readonly: true });
  try {
    assert.is(db.prepare('SELECT count(*) FROM collections WHERE owner_id = ?').pluck().get(bobId), 0);
  } finally {
    db.close();
  }
});

users('deleting an unknown user exits 2', async ({ env }) => {
  const res = await run(['user', 'delete', 'bob'], { env });
  assert.is(res.code, 2);
  assert.match(res.stderr, /no user "bob"/);
});

users('user without a subcommand, or a subcommand without a name, exits 2 with the usage', async ({ env }) => {
  for (const args of [['user'], ['user', 'add'], ['user', 'frobnicate', 'x'], ['user', 'list', '--admin']]) {
    const res = await run(args, { env });
    assert.is(res.code, 2, args.join(' '));
    assert.match(res.stderr, /sundial user add/, args.join(' '));
  }
});

users.run();

const command = suite('sundial command');

command('migrate on a fresh directory applies the migrations; a second run is up to date', async () => {
  const dir = tempDir();
  try {
    const data = path.join(dir, 'not', 'yet', 'there');
    const first = await run(['migrate'], { env: { SUNDIAL_DATA: data } });
    assert.is(first.code, 0, first.stderr);
    assert.match(first.stdout, /^applied .*001_initial\.sql/);
    assert.ok(fs.existsSync(path.join(data, 'sundial.db')));
    const second = await run(['migrate'], { env: { SUNDIAL_DATA: data } });
    assert.is(second.code, 0, second.stderr);
    assert.match(second.stdout, /up to date/);
    assert.not.match(second.stdout, /applied/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

command('serve --help lists every option with its flag and environment variable', async () => {
  const res = await run(['serve', '--help'], { env: {} });
  assert.is(res.code, 0, res.stderr);
  for (const o of Object.values(options)) {
    assert.ok(res.stdout.includes(o.env), `${o.env} in serve --help`);
    assert.ok(res.stdout.includes(o.flag), `${o.flag} in serve --help`);
  }
});

command('an unknown flag (serve --nope) exits 2 and names it', async () => {
  const res = await run(['serve', '--nope'], { env: {}, timeoutMs: 15_000 });
  assert.is(res.code, 2);
  assert.match(res.stderr, /--nope/);
});

command('a bad option value exits 2 and names the option', async () => {
  const res = await run(['serve'], { env: { SUNDIAL_PORT: 'eighty' }, timeoutMs: 15_000 });
  assert.is(res.code, 2);
  assert.match(res.stderr, /SUNDIAL_PORT/);
});

command('no arguments: exit 2 and the usage; an unknown command: exit 2', async () => {
  const none = await run([], { env: {} });
  assert.is(none.code, 2);
  assert.match(none.stdout + none.stderr, /Usage: sundial <command>/);
  assert.match(none.stdout + none.stderr, /serve/);
  const unknown = await run(['frobnicate'], { env: {} });
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const help = await run(['--help'], { env: {} });
  assert.is(help.code, 0, 'asking for help is not an error');
  assert.match(help.stdout, /Usage: sundial <command>/);
});

command('a reader that closes the pipe early (`sundial --help | head -0`) ends the command quietly, exit 0', async () => {
  const child = spawn(process.execPath, [BIN, 'serve', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the reading end is gone before the command writes
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.is(code, 0, stderr);
  assert.not.match(stderr, /EPIPE|Unhandled/);
});

command.run();
