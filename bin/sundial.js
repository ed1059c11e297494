#!/usr/bin/env node
// Entry point of the `sundial` command; the TypeScript sources are compiled to dist/ by `npm ci`
// (the "prepare" script) and by `npm start` / `npm test`.
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 1; },
);
