// xml/plain-tokens.ts against fast-xml-parser (parse.ts `tokenizer: 'general'`): every request
// body of the client transcripts and of the bench's client variants is plain (the fast tokenizer
// takes it) and parses to the very tree the general path builds; documents that are not plain
// fall back and parse as before; and over thousands of seeded mutations of those bodies (a
// character deleted, doubled or replaced by one of `<>&"'/=!?:` or a space) the two agree: the
// same tree, or the same XmlError message — the fast tokenizer never accepts what the general
// path refuses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XmlError, parseXml } from '../../src/xml/parse.js';
import { plainTokens } from '../../src/xml/plain-tokens.js';
import { mulberry32 } from '../helpers/prng.js';
import { VARIANTS, renderBody, type Shape } from '../../scripts/bench/variants.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The XML bodies of the transcripts' requests (test/fixtures/transcripts/*.http), placeholders filled. */
function transcriptBodies(): string[] {
  const dir = path.join(root, 'test/fixtures/transcripts');
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.http'))) {
    for (const block of readFileSync(path.join(dir, f), 'utf8').split(/^### request/m).slice(1)) {
      const req = block.split(/^### expect/m)[0]!;
      const at = req.search(/\n\s*\n/);
      if (at < 0) continue;
      const body = req.slice(at).trim().replace(/\{\{[^}]*\}\}/g, 'x');
      if (body.startsWith('<')) out.push(body);
    }
  }
  return out;
}

function benchBodies(): string[] {
  const fill = { start: Date.UTC(2026, 2, 1), end: Date.UTC(2026, 3, 1), token: 'http://sundial.invalid/sync/12', hrefs: ['/dav/calendars/bench/personal/a.ics', '/dav/calendars/bench/personal/b%20c.ics'] };
  const shapes: Shape[] = VARIANTS.flatMap((v) => [v.request, ...(v.fetch ? [v.fetch] : [])]);
  return shapes.map((s) => renderBody(s, fill));
}

const CLIENT_BODIES = [...transcriptBodies(), ...benchBodies()];

type Outcome = { tree: unknown } | { error: string };
function outcome(body: string, tokenizer: 'auto' | 'general'): Outcome {
  try {
    return { tree: parseXml(body, { tokenizer }) };
  } catch (e) {
    if (!(e instanceof XmlError)) throw e;
    return { error: e.message };
  }
}
const normalized = (body: string) => body.replace(/\r\n?/g, '\n');

test('every client body is plain, and parses to the general path\'s tree', () => {
  assert.ok(CLIENT_BODIES.length > 60, `${CLIENT_BODIES.length} bodies`);
  for (const body of CLIENT_BODIES) {
    assert.ok(plainTokens(normalized(body), 64, 100_000), `plain: ${body.slice(0, 200)}`);
    assert.equal(outcome(body, 'auto'), outcome(body, 'general'), body.slice(0, 200));
    assert.ok('tree' in outcome(body, 'auto'), body.slice(0, 200));
  }
});

test('documents that are not plain fall back to the general path and parse as before', () => {
  const others = [
    '<a><!-- note --><b/></a>',
    '<a><![CDATA[<&>]]> tail</a>',
    '<?xml version="1.0"?><?pi data?><a/>',
    '<a x = "1"/>',
    '<a>x &gt; y > z</a>',
    '<a b="x > y"/>',
    '<été xmlns="urn:x"/>',
    '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<a/>\n',
    '<a xml:lang="de">t</a>',
  ];
  for (const body of others) {
    assert.equal(outcome(body, 'auto'), outcome(body, 'general'), body);
    assert.ok('tree' in outcome(body, 'auto'), body);
  }
  for (const body of ['<a><!-- note --><b/></a>', '<a><![CDATA[x]]></a>', '<a x = "1"/>', '<a>x > y</a>', '<été/>']) assert.is(plainTokens(body, 64, 100_000), null, body);
});

test('limits: deeper or larger than allowed falls back, and the general path refuses with its message', () => {
  const deep = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
  assert.is(plainTokens(deep(65), 64, 100_000), null);
  assert.ok(plainTokens(deep(64), 64, 100_000));
  assert.equal(outcome(deep(65), 'auto'), outcome(deep(65), 'general'));
  assert.ok('error' in outcome(deep(65), 'auto'));
  const many = `<a>${'<b/>'.repeat(20)}</a>`;
  assert.is(plainTokens(many, 64, 10), null);
  assert.throws(() => parseXml(many, { maxElements: 10 }), (e: unknown) => e instanceof XmlError && /more than 10 elements/.test(e.message));
});

test('malformed plain-looking documents: the same XmlError as the general path', () => {
  const bad = [
    '<a>', '<a></b>', '<a/><b/>', 'text<a/>', '<a x="1" x="2"/>', '<a x="1"y="2"/>', '<a x=1/>',
    '<a>&bogus;</a>', '<a>& </a>', '<a>&#0;</a>', '<a x="<"/>', '<a:b:c/>', '<p:a/>', '<a/ >', '</a>', '<a x="1/>',
    '<?xml version="1.0"?>', ' <?xml version="1.0"?><a/>',
  ];
  for (const body of bad) {
    const general = outcome(body, 'general');
    assert.ok('error' in general, `the general path refuses ${body}`);
    assert.equal(outcome(body, 'auto'), general, body);
  }
  // What the general path lets through (text after the root, another version) is not plain, and
  // still goes through as before: leniency is that path's to keep or change.
  for (const body of ['<a/>text', '<?xml version="2.0"?><a/>']) {
    assert.is(plainTokens(body, 64, 100_000), null, body);
    assert.equal(outcome(body, 'auto'), outcome(body, 'general'), body);
  }
});

const prng = mulberry32;

test('seeded mutations of the client bodies: both paths agree on every one (tree or error message)', () => {
  const rnd = prng(13);
  const CHARS = ['<', '>', '&', '"', "'", '/', '=', '!', '?', ':', ' ', '\n', ';', '#', 'x'];
  let compared = 0;
  let plainAccepted = 0;
  for (let k = 0; k < 6000; k++) {
    const body = CLIENT_BODIES[Math.floor(rnd() * CLIENT_BODIES.length)]!;
    const at = Math.floor(rnd() * body.length);
    const op = rnd();
    const ch = CHARS[Math.floor(rnd() * CHARS.length)]!;
    const mutated = op < 0.33 ? body.slice(0, at) + body.slice(at + 1) : op < 0.5 ? body.slice(0, at) + body[at] + body.slice(at) : body.slice(0, at) + ch + body.slice(at + 1);
    const auto = outcome(mutated, 'auto');
    assert.equal(auto, outcome(mutated, 'general'), `mutation ${k}: ${JSON.stringify(mutated.slice(Math.max(0, at - 40), at + 40))}`);
    if (plainTokens(normalized(mutated), 64, 100_000)) plainAccepted++;
    compared++;
  }
  assert.is(compared, 6000);
  // Most mutations of a body (in text, in a value) leave it plain: the fast path itself is compared.
  assert.ok(plainAccepted > 1000, `${plainAccepted} of the mutated documents were tokenized by plainTokens`);
});

test.run();
