// Shows why the generators that stream responses are module-level functions (docs/architecture.md,
// docs/performance.md "A generator kept every multiget alive"): a request that creates a
// generator inside its own function keeps its whole scope alive past scavenges, into V8's old
// generation, even when the generator has finished; a module-level generator given the same
// objects as arguments does not.
//
//   for m in none inner toplevel; do MODE=$m node --max-semi-space-size=2 --trace-gc-nvp \
//     scripts/probes/generator-context.js | grep -o 'new_space_survived=[0-9]*' | tail -3; done
//
// Node 20.20 on the 2-core bench machine: none ~4 KB survived per scavenge, inner ~650 KB,
// toplevel ~4 KB.
const mode = process.env.MODE ?? 'inner';

async function* topLevel(ctx, other) {
  yield other.length + ctx.parts.length;
}

async function request(i) {
  // What a request holds: its parsed input and something derived from it.
  const ctx = { parts: Array.from({ length: 200 }, (_, k) => `part ${i} ${k}`), junk: new Array(500).fill(i) };
  const other = ctx.parts.slice(0, 50);
  async function* inner() {
    yield other.length + ctx.parts.length;
  }
  await null;
  if (mode === 'inner') {
    const g = inner();
    await g.next();
    await g.return();
    return 1;
  }
  if (mode === 'toplevel') {
    const g = topLevel(ctx, other);
    await g.next();
    await g.return();
    return 1;
  }
  return other.length;
}

let sink = 0;
for (let i = 0; i < 100000; i++) {
  sink += await request(i);
  if (i % 2 === 0) await new Promise((r) => setImmediate(r));
}
console.log(mode, sink);
