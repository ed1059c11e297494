// node dist/scripts/bench-profile.js FILE.cpuprofile [--top 25] [--filter src/] [--bench-json OUT.json --phase NAME]
// Summarizes a V8 CPU profile (node --cpu-prof; `npm run bench -- --cpu-prof` prints its path):
// self time and total (inclusive) time per function, with file:line, busiest first. With the
// bench's JSON and a phase name ("upload", "GET", or a client variant: "tb-listing", "bench-poll", …;
// `npm run bench -- --list-variants`) only the samples taken
// during that phase count: V8's profile timestamps and the bench's phase windows are both on the
// monotonic clock.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface Node { id: number; callFrame: CallFrame; children?: number[]; hitCount?: number }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, filter: { type: 'string' }, 'bench-json': { type: 'string' }, phase: { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: node dist/scripts/bench-profile.js FILE.cpuprofile [--top N] [--filter SUBSTRING]');
  process.exit(2);
}
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the samples and their time deltas (µs).
let window: [number, number] = [-Infinity, Infinity];
if (a.phase) {
  if (!a['bench-json']) throw new Error('--phase needs --bench-json');
  const bench = JSON.parse(readFileSync(a['bench-json'], 'utf8')) as { runs: { cpuProfile?: string; phases: { name: string; startUs: number; endUs: number }[] }[] };
  const run = bench.runs.find((r) => r.cpuProfile && path.resolve(r.cpuProfile) === path.resolve(file)) ?? bench.runs.find((r) => r.cpuProfile);
  const ph = run?.phases.find((p) => p.name === a.phase);
  if (!ph) throw new Error(`no phase "${a.phase}" in ${a['bench-json']} (phases: ${run?.phases.map((p) => p.name).join(', ')})`);
  window = [ph.startUs, ph.endUs];
}
const selfUs = new Map<number, number>();
let t = prof.startTime;
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i]!;
  t += prof.timeDeltas[i] ?? 0;
  if (t < window[0] || t > window[1]) continue;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const totalUs = [...selfUs.values()].reduce((s, v) => s + v, 0);

const cwd = process.cwd();
// Compiled files (dist/…js with a .js.map beside them) are reported at their TypeScript line.
const maps = new Map<string, SourceMap | null>();
function sourceMapFor(file: string): SourceMap | null {
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, existsSync(mapFile) && !file.includes('node_modules') ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null);
  }
  return maps.get(file)!;
}
function where(cf: CallFrame): string {
  let u = cf.url.replace(/^file:\/\//, '');
  if (!u) return '(native)';
  let line = cf.lineNumber + 1;
  const map = u.startsWith('/') ? sourceMapFor(u) : null;
  if (map) {
    const e = map.findEntry(cf.lineNumber, cf.columnNumber) as { originalSource?: string; originalLine?: number };
    if (e.originalSource) {
      u = path.resolve(path.dirname(u), e.originalSource.replace(/^file:\/\//, ''));
      line = (e.originalLine ?? 0) + 1;
    }
  }
  if (u.startsWith(cwd)) u = path.relative(cwd, u);
  return `${u}:${line}`;
}
function keyOf(cf: CallFrame): string {
  return `${cf.functionName || '(anonymous)'} ${where(cf)}`;
}

const self = new Map<string, number>();
const total = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  const k = keyOf(n.callFrame);
  self.set(k, (self.get(k) ?? 0) + us);
  // Inclusive: every distinct function on the stack gets the sample once.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const kk = keyOf(byId.get(cur)!.callFrame);
    if (seen.has(kk)) continue;
    seen.add(kk);
    total.set(kk, (total.get(kk) ?? 0) + us);
  }
}

const top = Number(a.top);
const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const filt = (k: string) => !a.filter || k.includes(a.filter);
console.log(`${file}${a.phase ? ` [phase ${a.phase}]` : ''}: ${(totalUs / 1e6).toFixed(2)} s sampled`);
const idle = ['(idle)', '(program)', '(garbage collector)'].map((name) => [name, [...self].filter(([k]) => k.startsWith(`${name} `)).reduce((s, [, v]) => s + v, 0)] as const);
console.log(idle.map(([name, us]) => `${name} ${pct(us).trim()}`).join(', '));
console.log('\nTop self time:');
for (const [k, us] of [...self].filter(([k]) => filt(k) && !k.startsWith('(idle)')).sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${k}`);
console.log('\nTop total (inclusive) time:');
for (const [k, us] of [...total].filter(([k]) => filt(k) && !/^\((root|idle|program)\)/.test(k)).sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${k}`);
