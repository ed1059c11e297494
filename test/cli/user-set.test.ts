// sundial user set|show (issue 15 item 1): the display name and e-mail addresses from the command
// line, as the page sets them; bad input is a usage error (exit 2) that changes nothing.
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run, tempDir } from '../helpers/cli.js';

const t = suite<{ dir: string; env: Record<string, string> }>('sundial user set');

t.before(async (ctx) => {
  ctx.dir = tempDir();
  ctx.env = { SUNDIAL_DATA: ctx.dir };
  for (const name of ['bob', 'carol']) {
    const res = await run(['user', 'add', name], { env: ctx.env, input: 'a good password\n' });
    assert.is(res.code, 0, res.stderr);
  }
});
t.after((ctx) => { fs.rmSync(ctx.dir, { recursive: true, force: true }); });

const show = async (env: Record<string, string>, name: string) => {
  const res = await run(['user', 'show', name], { env });
  assert.is(res.code, 0, res.stderr);
  return res.stdout;
};

t('user set --name --email --email sets the name and the addresses in order; show prints them', async ({ env }) => {
  const res = await run(['user', 'set', 'bob', '--name', 'Bob Builder', '--email', 'Bob@Example.org', '--email=bob@example.net'], { env });
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /bob: Bob Builder <Bob@Example.org>, <bob@example.net>/);
  assert.is(await show(env, 'bob'), 'name\tBob Builder\nemail\tBob@Example.org\nemail\tbob@example.net\n');
  // --name alone keeps the addresses.
  assert.is((await run(['user', 'set', 'bob', '--name', 'Bob'], { env })).code, 0);
  assert.match(await show(env, 'bob'), /^name\tBob\nemail\tBob@Example.org\nemail\tbob@example.net\n$/);
});

t('an address of another user (any case), a bad address, nothing to set, an unknown user: exit 2, nothing changes', async ({ env }) => {
  const before = await show(env, 'carol');
  for (const args of [
    ['user', 'set', 'carol', '--email', 'BOB@example.ORG'],
    ['user', 'set', 'carol', '--name', 'Carol', '--email', 'not an address'],
    ['user', 'set', 'carol'],
    ['user', 'set', 'carol', '--email'],
    ['user', 'set', 'carol', '--no-email', '--email', 'c@example.org'],
    ['user', 'set', 'nobody', '--name', 'X'],
  ]) {
    const res = await run(args, { env });
    assert.is(res.code, 2, `${args.join(' ')}: ${res.code} ${res.stdout} ${res.stderr}`);
    assert.ok(res.stderr.length > 0, 'a message on stderr');
  }
  assert.is(await show(env, 'carol'), before);
});

t('--no-email removes every address', async ({ env }) => {
  assert.is((await run(['user', 'set', 'carol', '--email', 'c@example.org'], { env })).code, 0);
  const res = await run(['user', 'set', 'carol', '--no-email'], { env });
  assert.is(res.code, 0, res.stderr);
  assert.match(res.stdout, /no e-mail address/);
  assert.is(await show(env, 'carol'), 'name\tcarol\n');
});

t('user --help lists set and show', async ({ env }) => {
  const res = await run(['user', '--help'], { env });
  assert.is(res.code, 0);
  assert.match(res.stdout, /sundial user set <name> \[--name/);
  assert.match(res.stdout, /sundial user show <name>/);
});

t.run();
