#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with uvu in one process and prints the
// totals. Usage: node scripts/run-tests.js [pattern]   (pattern filters file paths, a RegExp)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const uvuBin = path.join(root, 'node_modules', 'uvu', 'bin.js');
const filter = process.argv[2];
const pattern = filter ? `(${filter}).*\\.test\\.js$` : '\\.test\\.js$';
const res = spawnSync(process.execPath, [uvuBin, 'dist/test', pattern], { stdio: 'inherit', cwd: root });
process.exit(res.status ?? 1);
