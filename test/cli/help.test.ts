// Every `sundial` command answers --help (issue 12: `sundial feed --help` answered "unknown
// option", exit 2): the usage on stdout, exit 0, and nothing opened or created in the data folder.
// The command list is read from `sundial --help`, so a new command without help fails here.
// Also the counts in command output read as English ("1 entry", not "1 entries").
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/main.js';
import { run, tempDir } from '../helpers/cli.js';

const t = suite('sundial <command> --help');

async function listedCommands(): Promise<string[]> {
  const res = await run(['--help'], { env: {} });
  assert.is(res.code, 0, res.stderr);
  const section = res.stdout.split('Commands:\n')[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!);
}

t('sundial --help lists the commands, backup among them', async () => {
  const names = await listedCommands();
  assert.ok(names.length >= 10, names.join(' '));
  for (const n of ['serve', 'user', 'calendar', 'feed', 'stats', 'import', 'export', 'backup', 'copy-data']) assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
});

t('every command, and its subcommands, answer --help and -h with their usage on stdout, exit 0, without touching the data folder', async () => {
  const dir = tempDir('sundial-help-');
  try {
    const env = { SUNDIAL_DATA: dir };
    const forms: string[][] = [];
    for (const name of await listedCommands()) forms.push([name, '--help']);
    forms.push(['feed', 'create', 'alice', '--help'], ['user', 'add', '--help'], ['calendar', 'list', '-h'], ['stats', '-h'], ['help', 'feed']);
    // In this process (a child per form took 15 s on a loaded machine); one through bin/ below.
    const inProcess = async (args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await main(args, { out: (l) => { stdout += l + '\n'; }, err: (l) => { stderr += l + '\n'; }, env });
      return { code, stdout, stderr };
    };
    const viaBin = await run(['feed', '--help'], { env });
    assert.is(viaBin.code, 0, viaBin.stderr);
    assert.match(viaBin.stdout, /^Usage:\n {2}sundial feed create/);
    for (const args of forms) {
      const res = await inProcess(args);
      const command = args[0] === 'help' ? args[1]! : args[0]!;
      assert.is(res.code, 0, `sundial ${args.join(' ')} → ${res.code}\n${res.stdout}\n${res.stderr}`);
      assert.is(res.stderr, '', `sundial ${args.join(' ')} writes nothing to stderr`);
      assert.match(res.stdout, /^Usage/, `sundial ${args.join(' ')}: ${res.stdout}`);
      assert.ok(res.stdout.includes(`sundial ${command}`), `sundial ${args.join(' ')} shows the usage of ${command}:\n${res.stdout}`);
      assert.not.match(res.stdout, /unknown option/);
    }
    assert.equal(fs.readdirSync(dir), [], 'asking for help creates no database');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('counts read "1 entry" and "1 calendar" in calendar list, stats and export', async () => {
  const dir = tempDir('sundial-plural-');
  try {
    const env = { SUNDIAL_DATA: dir };
    const add = await run(['user', 'add', 'solo'], { env, input: 'a long enough password\n' });
    assert.is(add.code, 0, add.stderr);
    const file = `${dir}/one.ics`;
    fs.writeFileSync(file, 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:one\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20300101T100000Z\r\nSUMMARY:one\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n');
    const imported = await run(['import', file, '--user', 'solo', '--calendar', 'personal'], { env });
    assert.is(imported.code, 0, imported.stdout + imported.stderr);

    const list = await run(['calendar', 'list', 'solo'], { env });
    assert.is(list.code, 0, list.stderr);
    assert.equal(list.stdout.trim().split('\t'), ['personal', 'Personal', 'own', '1 entry', 'sync on', 'free/busy on']);

    const stats = await run(['stats'], { env });
    assert.is(stats.code, 0, stats.stderr);
    const summaries = stats.stdout.trim().split('\n').filter((l) => !l.includes('\t'));
    assert.equal(summaries, ['1 calendar, 1 entry, 0 past the threshold of 9000', '1 address book, 0 cards, 0 past the threshold of 9000']);

    const exported = await run(['export', '--user', 'solo', '--calendar', 'personal', '--output', `${dir}/out.ics`], { env });
    assert.is(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /^1 entry of personal written to /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
