// `npm run bench -- --addressbook …`: the address-book run (issue 14 item 7) against Sundial
// started from dist/ (--server sundial: the user's default address book "contacts") or an
// existing empty address book (--url). Prints the table of addressbook.ts and, with --json,
// writes every figure.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { generateCards } from './addressbook-cards.js';
import { BOOK_VARIANTS, renderBookTable, runAddressBook } from './addressbook.js';
import { sampleProcess } from './proc.js';
import { startServer } from './servers.js';

export interface BookArgs {
  url?: string;
  server?: string;
  user: string;
  password: string;
  n: number;
  seed: string;
  term: string;
  pollSeconds: number;
  repeatBudgetSeconds: number;
  variants: RegExp | null;
  json?: string;
  nodeArgs: string[];
  keep: boolean;
  cpuProf: boolean;
}

export async function runAddressBookBench(a: BookArgs): Promise<void> {
  const log = (line: string) => console.error(line);
  const variants = BOOK_VARIANTS.filter((v) => !a.variants || a.variants.test(v.name));
  if (variants.length === 0) throw new Error('no address-book variant matches --variants');
  const t0 = Date.now();
  const cards = generateCards(a.n, a.seed);
  const bytes = cards.reduce((s, c) => s + Buffer.byteLength(c.text), 0);
  log(`generated ${a.n} cards (${(bytes / 1024 / 1024).toFixed(1)} MB, mean ${Math.round(bytes / a.n)} bytes) in ${Date.now() - t0} ms`);
  let server = null;
  let url = a.url;
  if (!url) {
    if (a.server !== 'sundial') throw new Error('the address-book run starts Sundial only (--server sundial), or give --url of an empty address book');
    server = await startServer('sundial', { user: a.user, password: a.password, cpuProf: a.cpuProf, nodeArgs: a.nodeArgs, keep: a.keep || a.cpuProf, log });
    url = server.url.replace(/\/dav\/calendars\/([^/]+)\/[^/]+\/$/, '/dav/addressbooks/$1/contacts/');
  }
  log(`\n== address book ${url} N=${a.n}`);
  let json: Record<string, unknown> | null = null;
  try {
    const run = await runAddressBook({ url, user: a.user, password: a.password, cards, term: a.term, seed: a.seed, pollSeconds: a.pollSeconds, repeatBudgetSeconds: a.repeatBudgetSeconds, variants, log, sample: server ? () => sampleProcess(server!.pid) : null });
    console.log(`\nmachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}; seed ${a.seed}; query term "${a.term}"\n`);
    console.log(renderBookTable(run));
    // `runs` with `phases` and `cpuProfile`, as bench-profile.js --bench-json reads the calendar run's.
    json = { date: new Date().toISOString(), machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, options: { n: a.n, seed: a.seed, term: a.term }, runs: [{ server: 'sundial', ...run }] };
  } finally {
    if (server) {
      const { cpuProfile } = await server.stop();
      if (cpuProfile) {
        log(`  CPU profile: ${cpuProfile}\n  summarize: node dist/scripts/bench-profile.js ${cpuProfile}${a.json ? ` --bench-json ${a.json} --phase card-query` : ''}`);
        if (json) (json.runs as Record<string, unknown>[])[0]!.cpuProfile = cpuProfile;
      }
    }
    if (a.json && json) {
      writeFileSync(a.json, `${JSON.stringify(json, null, 2)}\n`);
      log(`wrote ${a.json}`);
    }
  }
}
