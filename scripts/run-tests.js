#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with uvu in one process and prints the
// totals. Usage: node scripts/run-tests.js [pattern]   (pattern filters file paths, a RegExp)
//
// uvu exits 0 when a suite's `before` hook throws (it reports "(0 / N)" and moves on), so the
// exit code alone cannot be trusted: the totals are checked too, and anything but
// "every test passed, none skipped" fails the run.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const uvuBin = path.join(root, 'node_modules', 'uvu', 'bin.js');
const filter = process.argv[2];
const pattern = filter ? `(${filter}).*\\.test\\.js$` : '\\.test\\.js$';

const child = spawn(process.execPath, [uvuBin, 'dist/test', pattern], { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
let output = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  output += chunk;
});
child.on('close', (code) => {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const count = (label) => Number((plain.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm')) ?? [])[1] ?? NaN);
  const total = count('Total');
  const passed = count('Passed');
  const skipped = count('Skipped');
  if (code !== 0) process.exit(code ?? 1);
  if (!Number.isFinite(total) || total === 0) {
    console.error('run-tests: no test ran');
    process.exit(1);
  }
  if (passed !== total || skipped !== 0) {
    console.error(`run-tests: ${passed} of ${total} passed, ${skipped} skipped — a suite's setup probably failed (see "(0 / N)" above)`);
    process.exit(1);
  }
});
