#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with uvu in one process and prints the
// totals. Usage: node scripts/run-tests.js [pattern]   (pattern filters file paths, a RegExp)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const uvuBin = path.join(path.dirname(require.resolve('uvu/package.json')), 'bin.js');
const filter = process.argv[2];
const pattern = filter ? `${filter}.*\\.test\\.js$` : '\\.test\\.js$';
const res = spawnSync(process.execPath, [uvuBin, 'dist/test', pattern], { stdio: 'inherit' });
process.exit(res.status ?? 1);
