#!/usr/bin/env node
// npm's "prepare" hook: compiles dist/ when the project is installed (`npm ci`, `npm install`,
// `npm link`), so a fresh clone is ready to run after `npm ci`.
//
// `npx sundial …` (npm exec) also runs this hook: on first use in a directory it installs the
// project itself into npm's cache as a link and runs its "prepare". Compiling there took ~5 s per
// admin command, rewrote dist/ under a running server (and under a concurrent test run), and
// fails where the service user may not write the checkout. Admin commands run the code `npm ci`
// built, so under npm exec this hook does nothing; `npm start`, `npm test` and `npm run build`
// still compile.
import { spawnSync } from 'node:child_process';

if (process.env.npm_command === 'exec') process.exit(0);
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build', '--silent'], { stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
