#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=2 --heap-growing-percent=30
// Entry point of the `sundial` command. It runs the compiled code in dist/ and never compiles:
// `npm ci` compiles once (the "prepare" script, scripts/prepare.js, which skips `npx`), and so do
// `npm start`, `npm test` and `npm run build`.
//
// The first line runs Node with memory settings that keep the server's resident size near what
// it uses (docs/performance.md, "Peak RSS"): `npm start`, the systemd unit of docs/deployment.md
// and the benchmark execute this file directly so that they apply; `node bin/sundial.js` works
// too, with Node's defaults (~40 MB more at 9000 events). None of them is a hard limit.
// - --max-semi-space-size=2: V8's young generation of 2 × 2 MB instead of 2 × 16 MB; requests
//   allocate little that lives, so the larger one only held garbage. 4 MB peaked 6 MB higher in
//   the bench (119–125 MB against 115–117), with no difference in its timings beyond the noise.
// - --heap-growing-percent=30: the old generation may grow to 1.3× what was live after the last
//   full collection (V8 otherwise allows up to ~2–4×); the heap still grows as the data needs.
// - MALLOC_MMAP_THRESHOLD_=131072: glibc's fixed 128 KB threshold. By default glibc raises it
//   to the largest block freed so far — argon2id's 19 MiB working memory at the first login —
//   after which freed memory below that size stayed in the process (~12 MB at 9000 events).
//   Bodies reach the socket as Buffers (src/http/adapter.ts): a string chunk there made Node
//   reserve 3 bytes a character, above this threshold, and so an mmap and munmap per write.
import { main } from '../dist/src/cli/main.js';

// A reader that stops early (`sundial user list | head -1`) closes the pipe: end quietly, as Unix
// tools do, instead of an unhandled EPIPE.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 1; },
);
