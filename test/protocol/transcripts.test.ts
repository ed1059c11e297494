// Client transcripts (ARCHITECTURE.md §9, issue 3 item 10): test/fixtures/transcripts/*.http hold
// the requests iOS/macOS, Thunderbird and DAVx5 send at account setup and sync (from
// ../shared/CLIENTS.md and the public captures it cites; docs/clients.md names which fixture
// replays which sequence). This harness sends each request as written — method, raw path,
// headers, body — to a fresh Sundial and checks the answer. A client bug becomes a new fixture.
//
// ─── Fixture format ────────────────────────────────────────────────────────────────────────────
// A fixture is a text file of directives followed by steps.
//
//   # comment                 (outside request bodies only)
//   @title <text>             what the file replays
//   @source <text>            where the sequence comes from (repeatable)
//   @user <name>              creates a user (password PASSWORD of test/helpers/server.ts) with
//                             the default calendar "personal"; the first one is {{user}}
//   @person <user> <a@x,b@y|-> <Display Name>  sets a user's e-mail addresses ("-": none) and
//                             display name (the user must be created by @user)
//   @group <name> <user,user> <Display Name>   creates a group with these members
//   @events <path> <n> <pfx>  before the steps, PUTs n events <path><pfx>-001.ics … (UID
//                             <pfx>-001@fixture), as the primary user
//
//   ### request: <step title>
//   METHOD /raw/path HTTP/1.1 (the path is sent exactly as written, percent-escapes included)
//   Header: value             (Host, Content-Length, Connection, Accept-Encoding are replaced
//                              by the harness's own; every other header is sent verbatim)
//                             (blank line)
//   body…                     (up to the next "### expect"; trailing blank lines dropped; sent
//                              with CRLF line ends when the Content-Type is text/calendar)
//   ### expect <status>[|<status>…]
//   <assertion>               one per line, see below
//
// Variables `{{name}}` are substituted everywhere (request line, headers, body, assertions):
//   {{user}} {{password}} {{auth}} (Basic credentials of the primary user), {{auth:<name>}},
//   {{host}} (host:port), {{base}} (http://host:port), and whatever `capture` stored.
//
// Assertions. <sel> picks responses of a 207 by href (decoded path; `/…` one href, `*` all,
// `*calendar` those whose resourcetype holds CALDAV:calendar, `*ics` hrefs ending in .ics); when
// omitted, the first response. <name> is a Clark name `{namespace}local`: XML is compared by
// resolved namespace, never by prefix (parsed with src/xml/parse.ts).
//   header <Name> contains <text> | = <text> | matches <regex> | path <path> | present | absent
//   header <Name> has-token <t> | lacks-token <t>       (comma-separated lists such as DAV:)
//   body contains <text> | body lacks <text>
//   responses <n> | responses >= <n>
//   response <href> [status <code>]       a response for href exists (with a bare status)
//   no-response <href>
//   prop [<sel>] <name>                    in a 200 propstat
//   prop [<sel>] <name> = <value>          trimmed text equals value (see normalization)
//   prop [<sel>] <name> href=<path>        holds a DAV:href whose decoded path is <path>
//   prop [<sel>] <name> has <name>[[attr=value]]  holds that descendant element
//   prop [<sel>] <name> lacks <name>
//   prop [<sel>] <name> matches <regex>
//   propstat-404 [<sel>] <name>            in a 404 propstat of the same response
//   absent [<sel>] <name>                  in no propstat at all
//   no-404 [<sel>]                         no 404 propstat (Brief: t / Prefer: return=minimal)
//   sync-token = <token>                   the multistatus carries a DAV:sync-token
//   error <name>                           the body is <d:error> holding that condition
//   capture <var> header <Name> | prop [<sel>] <name> | sync-token
//
// Normalization: a value compared with `=` passes when it equals the expected text as is, or
// when its normalized form does. ETags (getetag, ETag) normalize to <etag>, getctag to <ctag>,
// sync tokens (URIs) to <token>, HTTP dates (getlastmodified, Last-Modified, Date) and ISO dates
// (creationdate) to <date>. So `prop {DAV:}getetag = <etag>` checks "a strong ETag is here"
// while `prop {DAV:}getetag = {{etag}}` checks a captured one.
//
// Every step runs even after an earlier one failed (a failed capture leaves its variable unset,
// and steps that use it fail too); the test of a fixture reports all failed steps with their
// request and response, the form the lead needs for a bug report.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, basic, PASSWORD, type TestServer } from '../helpers/server.js';
import { C, D, descendantNames, hrefsIn, ical, parseMultistatus, putOk, type MsResponse, type Multistatus } from '../helpers/dav.js';
import { parseXml, textOf, type XmlElement } from '../../src/xml/parse.js';

// ─── Parsing fixtures ──────────────────────────────────────────────────────────────────────────

interface Step {
  title: string;
  line: number;
  requestLine: string;
  headers: Array<[string, string]>;
  body: string;
  expectStatus: number[];
  assertions: Array<{ text: string; line: number }>;
}

interface Fixture {
  file: string;
  title: string;
  users: string[];
  people: Array<{ user: string; addresses: string[]; displayName: string }>;
  groups: Array<{ name: string; members: string[]; displayName: string }>;
  events: Array<{ path: string; count: number; prefix: string }>;
  steps: Step[];
}

export function parseFixture(file: string, text: string): Fixture {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const fx: Fixture = { file, title: path.basename(file), users: [], people: [], groups: [], events: [], steps: [] };
  let i = 0;
  const fail = (msg: string): never => { throw new Error(`${path.basename(file)}:${i + 1}: ${msg}`); };
  // Directives.
  for (; i < lines.length && !lines[i]!.startsWith('### request'); i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('#')) continue;
    const m = /^@(\w+)\s*(.*)$/.exec(l);
    if (!m) fail(`expected a directive or "### request", got ${JSON.stringify(l)}`);
    const [, key, rest] = m!;
    if (key === 'title') fx.title = rest!;
    else if (key === 'source') continue;
    else if (key === 'user') fx.users.push(rest!.trim());
    else if (key === 'person' || key === 'group') {
      const [who, list, ...name] = rest!.trim().split(' ');
      if (!who || !list || name.length === 0) fail(`@${key} <name> <list|-> <Display Name>`);
      const items = list === '-' ? [] : list!.split(',');
      if (key === 'person') fx.people.push({ user: who!, addresses: items, displayName: name.join(' ') });
      else fx.groups.push({ name: who!, members: items, displayName: name.join(' ') });
    }
    else if (key === 'events') {
      const [p, n, prefix] = rest!.trim().split(/\s+/);
      if (!p || !n || !prefix || !/^\d+$/.test(n)) fail('@events <path> <count> <prefix>');
      fx.events.push({ path: p!, count: Number(n), prefix: prefix! });
    } else fail(`unknown directive @${key}`);
  }
  while (i < lines.length) {
    const head = /^### request:?\s*(.*)$/.exec(lines[i]!);
    if (!head) fail(`expected "### request", got ${JSON.stringify(lines[i])}`);
    const step: Step = { title: head![1]!.trim(), line: i + 1, requestLine: '', headers: [], body: '', expectStatus: [], assertions: [] };
    i++;
    while (i < lines.length && (lines[i]!.trim() === '' || lines[i]!.startsWith('#'))) i++;
    step.requestLine = (lines[i++] ?? '').trim();
    if (!/^[A-Z-]+ \S+( HTTP\/1\.[01])?$/.test(step.requestLine)) fail(`bad request line ${JSON.stringify(step.requestLine)}`);
    for (; i < lines.length && lines[i]!.trim() !== '' && !lines[i]!.startsWith('### expect'); i++) {
      const h = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(lines[i]!);
      if (!h) fail(`bad header line ${JSON.stringify(lines[i])}`);
      step.headers.push([h![1]!, h![2]!]);
    }
    const body: string[] = [];
    if (i < lines.length && lines[i]!.trim() === '') i++;
    for (; i < lines.length && !lines[i]!.startsWith('### expect'); i++) body.push(lines[i]!);
    while (body.length && body[body.length - 1]!.trim() === '') body.pop();
    step.body = body.join('\n');
    const exp = /^### expect\s+(\d{3}(?:\|\d{3})*)\s*$/.exec(lines[i] ?? '');
    if (!exp) fail(`step "${step.title}" needs "### expect <status>"`);
    step.expectStatus = exp![1]!.split('|').map(Number);
    i++;
    for (; i < lines.length && !lines[i]!.startsWith('### request'); i++) {
      const a = lines[i]!.trim();
      if (a === '' || a.startsWith('#')) continue;
      step.assertions.push({ text: a, line: i + 1 });
    }
    fx.steps.push(step);
  }
  return fx;
}

// ─── Normalization ─────────────────────────────────────────────────────────────────────────────

const ETAG = /^(W\/)?"[^"]*"$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The placeholder a volatile value stands for, by the property or header it came from. */
export function normalize(name: string, value: string): string {
  const key = name.toLowerCase();
  if ((key === '{dav:}getetag' || key === 'etag') && ETAG.test(value)) return '<etag>';
  if (key === '{http://calendarserver.org/ns/}getctag' && value !== '') return '<ctag>';
  if ((key === '{dav:}sync-token' || key === 'sync-token') && URI.test(value)) return '<token>';
  if (['{dav:}getlastmodified', 'last-modified', 'date'].includes(key) && HTTP_DATE.test(value)) return '<date>';
  if (key === '{dav:}creationdate' && ISO_DATE.test(value)) return '<date>';
  return value;
}

function sameValue(name: string, actual: string | undefined, expected: string): boolean {
  if (actual === undefined) return false;
  return actual === expected || normalize(name, actual) === expected;
}

// ─── Running ───────────────────────────────────────────────────────────────────────────────────

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const DROPPED = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'transfer-encoding', 'keep-alive']);

function send(srv: TestServer, method: string, rawPath: string, headers: Array<[string, string]>, body: string): Promise<Reply> {
  const url = new URL(srv.url);
  const out: Record<string, string> = {};
  for (const [k, v] of headers) if (!DROPPED.has(k.toLowerCase())) out[k] = v;
  const payload = Buffer.from(body, 'utf8');
  if (payload.length > 0 || ['PUT', 'PROPFIND', 'PROPPATCH', 'REPORT', 'MKCALENDAR', 'MKCOL'].includes(method)) out['Content-Length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: rawPath, headers: out, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

class StepFailure extends Error {}

function substitute(text: string, vars: Map<string, string | undefined>): string {
  return text.replace(/\{\{([\w:@.-]+)\}\}/g, (_m, name: string) => {
    const v = vars.get(name);
    if (v === undefined) throw new StepFailure(`variable {{${name}}} is not set (an earlier capture failed?)`);
    return v;
  });
}

function headerValue(reply: Reply, name: string): string | undefined {
  const v = reply.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Parses `{ns}local` at the start of s; returns the name and the rest. */
function takeClark(s: string): [string, string] {
  const m = /^(\{[^}]*\}[^\s[]+)(\[[^\]]*\])?\s*(.*)$/.exec(s);
  if (!m) throw new StepFailure(`expected a Clark name {ns}local in ${JSON.stringify(s)}`);
  return [m[1]! + (m[2] ?? ''), m[3]!];
}

function select(ms: Multistatus, sel: string | undefined): MsResponse[] {
  if (sel === undefined) return ms.responses.slice(0, 1);
  if (sel === '*') return ms.responses;
  if (sel === '*calendar') return ms.responses.filter((r) => r.propstats.some((ps) => ps.status === 200 && descendantNames(ps.props.get(D('resourcetype'))).includes(C('calendar'))));
  if (sel === '*ics') return ms.responses.filter((r) => r.href.endsWith('.ics'));
  return ms.responses.filter((r) => r.href === sel);
}

function propEl(r: MsResponse, name: string, status = 200): XmlElement | undefined {
  for (const ps of r.propstats) if (ps.status === status && ps.props.has(name)) return ps.props.get(name);
  return undefined;
}

function hasDescendant(el: XmlElement, spec: string): boolean {
  const m = /^(\{[^}]*\}[^\s[]+)(?:\[([^=\]]+)=([^\]]*)\])?$/.exec(spec);
  if (!m) throw new StepFailure(`bad element spec ${spec}`);
  const [, name, attr, value] = m;
  const walk = (e: XmlElement): boolean => e.children.some((c) => (c.name === name && (attr === undefined || c.attrs[attr] === value)) || walk(c));
  return walk(el);
}

function describeResponse(r: MsResponse): string {
  const parts = r.propstats.map((ps) => `${ps.status}:[${[...ps.props.keys()].join(' ')}]`);
  return `${r.href}${r.status ? ` status ${r.status}` : ''} ${parts.join(' ')}`;
}

function check(assertion: string, reply: Reply, vars: Map<string, string | undefined>, msCache: { ms?: Multistatus }): void {
  const text = substitute(assertion, vars);
  const ms = (): Multistatus => {
    if (!msCache.ms) {
      try {
        msCache.ms = parseMultistatus(reply.text);
      } catch (e) {
        throw new StepFailure(`body is not a DAV:multistatus (${(e as Error).message})`);
      }
    }
    return msCache.ms;
  };
  const fail = (why: string): never => { throw new StepFailure(`${text}: ${why}`); };
  const [verb, ...restParts] = text.split(/\s+/);
  const rest = text.slice(verb!.length).trim();

  switch (verb) {
    case 'header': {
      const m = /^(\S+)\s+(contains|=|matches|path|present|absent|has-token|lacks-token)\s*(.*)$/.exec(rest);
      if (!m) fail('bad header assertion');
      const [, name, op, arg] = m!;
      const v = headerValue(reply, name!);
      if (op === 'absent') { if (v !== undefined) fail(`present: ${v}`); return; }
      if (v === undefined) fail('header missing');
      const tokens = v!.split(',').map((t) => t.trim());
      if (op === 'present') return;
      if (op === 'contains' && !v!.includes(arg!)) fail(`was ${JSON.stringify(v)}`);
      if (op === '=' && !sameValue(name!, v, arg!)) fail(`was ${JSON.stringify(v)}`);
      if (op === 'matches' && !new RegExp(arg!).test(v!)) fail(`was ${JSON.stringify(v)}`);
      if (op === 'path' && new URL(v!, 'http://x').pathname !== arg) fail(`was ${JSON.stringify(v)}`);
      if (op === 'has-token' && !tokens.includes(arg!)) fail(`was ${JSON.stringify(v)}`);
      if (op === 'lacks-token' && tokens.includes(arg!)) fail(`was ${JSON.stringify(v)}`);
      return;
    }
    case 'body': {
      const m = /^(contains|lacks)\s+(.*)$/.exec(rest);
      if (!m) fail('bad body assertion');
      const has = reply.text.includes(m![2]!);
      if (m![1] === 'contains' && !has) fail(`body: ${reply.text.slice(0, 300)}`);
      if (m![1] === 'lacks' && has) fail('found in the body');
      return;
    }
    case 'responses': {
      const n = ms().responses.length;
      const m = /^(>=\s*)?(\d+)$/.exec(rest);
      if (!m) fail('bad responses assertion');
      const want = Number(m![2]);
      if (m![1] ? n < want : n !== want) fail(`got ${n}: ${ms().responses.map((r) => r.href).join(', ')}`);
      return;
    }
    case 'response': case 'no-response': {
      const [href, kw, code] = restParts;
      const found = ms().responses.filter((r) => r.href === href);
      if (verb === 'no-response') { if (found.length) fail(describeResponse(found[0]!)); return; }
      if (found.length !== 1) fail(`${found.length} responses for it; hrefs: ${ms().responses.map((r) => r.href).join(', ')}`);
      if (kw === 'status' && found[0]!.status !== Number(code)) fail(`got ${describeResponse(found[0]!)}`);
      return;
    }
    case 'prop': case 'propstat-404': case 'absent': case 'no-404': {
      let spec = rest;
      let sel: string | undefined;
      if (spec.startsWith('/') || spec.startsWith('*')) {
        sel = spec.split(/\s+/)[0];
        spec = spec.slice(sel!.length).trim();
      }
      const targets = select(ms(), sel);
      if (targets.length === 0) fail(`no response matches ${sel ?? '(first)'}; hrefs: ${ms().responses.map((r) => r.href).join(', ')}`);
      if (verb === 'no-404') {
        for (const r of targets) if (r.propstats.some((ps) => ps.status === 404)) fail(describeResponse(r));
        return;
      }
      const [name, tail] = takeClark(spec);
      for (const r of targets) {
        if (verb === 'propstat-404') { if (!propEl(r, name, 404)) fail(describeResponse(r)); continue; }
        if (verb === 'absent') { if (r.propstats.some((ps) => ps.props.has(name))) fail(describeResponse(r)); continue; }
        const el = propEl(r, name);
        if (!el) fail(`not in a 200 propstat of ${describeResponse(r)}`);
        if (tail === '') continue;
        const value = textOf(el!).trim();
        const t = /^(=|href=|has|lacks|matches)\s*(.*)$/.exec(tail);
        if (!t) fail(`bad prop operator in ${JSON.stringify(tail)}`);
        const [, op, arg] = t!;
        if (op === '=' && !sameValue(name, value, arg!)) fail(`${r.href}: was ${JSON.stringify(value)}`);
        if (op === 'href=' && !hrefsIn(el).includes(arg!)) fail(`${r.href}: hrefs ${JSON.stringify(hrefsIn(el))}`);
        if (op === 'has' && !hasDescendant(el!, arg!)) fail(`${r.href}: holds ${JSON.stringify(descendantNames(el))}`);
        if (op === 'lacks' && hasDescendant(el!, arg!)) fail(`${r.href}: holds it`);
        if (op === 'matches' && !new RegExp(arg!).test(value)) fail(`${r.href}: was ${JSON.stringify(value.slice(0, 200))}`);
      }
      return;
    }
    case 'sync-token': {
      const m = /^=\s*(.*)$/.exec(rest);
      const tok = ms().syncToken;
      if (tok === undefined) fail('no DAV:sync-token in the multistatus');
      if (m && !sameValue('sync-token', tok, m[1]!)) fail(`was ${tok}`);
      return;
    }
    case 'error': {
      let root: XmlElement;
      try {
        root = parseXml(reply.text);
      } catch {
        return fail(`body is not XML: ${reply.text.slice(0, 200)}`);
      }
      if (root.name !== D('error')) fail(`root is ${root.name}`);
      const [name] = takeClark(rest);
      if (!root.children.some((c) => c.name === name)) fail(`conditions: ${root.children.map((c) => c.name).join(', ') || '(none)'}`);
      return;
    }
    case 'capture': {
      const [varName, kind] = restParts;
      const arg = rest.slice(varName!.length).trim().slice(kind!.length).trim();
      vars.set(varName!, undefined);
      let value: string | undefined;
      if (kind === 'header') value = headerValue(reply, arg);
      else if (kind === 'sync-token') value = ms().syncToken;
      else if (kind === 'prop') {
        let spec = arg;
        let sel: string | undefined;
        if (spec.startsWith('/') || spec.startsWith('*')) {
          sel = spec.split(/\s+/)[0];
          spec = spec.slice(sel!.length).trim();
        }
        const [name] = takeClark(spec);
        const r = select(ms(), sel)[0];
        const el = r ? propEl(r, name) : undefined;
        value = el ? textOf(el).trim() : undefined;
      } else fail('capture <var> header <Name> | prop [<sel>] <name> | sync-token');
      if (value === undefined) fail('nothing to capture');
      vars.set(varName!, value);
      return;
    }
    default:
      fail('unknown assertion');
  }
}

function excerpt(reply: Reply): string {
  const headers = Object.entries(reply.headers).filter(([k]) => !['date', 'x-request-id', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)).map(([k, v]) => `${k}: ${String(v)}`).join('\n      ');
  return `HTTP ${reply.status}\n      ${headers}\n      ${reply.text.length > 1500 ? reply.text.slice(0, 1500) + '…' : reply.text}`;
}

async function runFixture(fx: Fixture): Promise<string[]> {
  const srv = await startTestServer();
  const failures: string[] = [];
  try {
    const users = fx.users.length ? fx.users : ['alice'];
    for (const u of users) await srv.addUser(u);
    for (const p of fx.people) await srv.store.setUserProfile(p.user, { displayName: p.displayName, addresses: p.addresses });
    for (const g of fx.groups) {
      await srv.store.createGroup({ name: g.name, displayName: g.displayName });
      const ids = await Promise.all(g.members.map(async (m) => (await srv.store.getUser(m))!.id));
      await srv.store.setGroupMembers(g.name, ids);
    }
    const host = new URL(srv.url).host;
    const vars = new Map<string, string | undefined>([
      ['user', users[0]], ['password', PASSWORD], ['auth', basic(users[0]!)], ['host', host], ['base', srv.url],
      ...users.map((u): [string, string] => [`auth:${u}`, basic(u)]),
    ]);
    for (const ev of fx.events) {
      const base = substitute(ev.path, vars);
      for (let n = 1; n <= ev.count; n++) {
        const id = `${ev.prefix}-${String(n).padStart(3, '0')}`;
        await putOk(srv, users[0]!, `${base}${id}.ics`, ical(`${id}@fixture`, { summary: `Fixture event ${n}` }));
      }
    }
    for (const step of fx.steps) {
      const where = `${path.basename(fx.file)}:${step.line} "${step.title}"`;
      let reply: Reply;
      let requestLine = step.requestLine;
      try {
        requestLine = substitute(step.requestLine, vars);
        const [method, rawPath] = requestLine.split(' ');
        const headers = step.headers.map(([k, v]): [string, string] => [k, substitute(v, vars)]);
        let body = substitute(step.body, vars);
        const type = headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
        if (/text\/calendar/i.test(type)) body = body.replace(/\r?\n/g, '\r\n') + '\r\n';
        reply = await send(srv, method!, rawPath!, headers, body);
      } catch (e) {
        failures.push(`${where}: ${requestLine}: ${(e as Error).message}`);
        continue;
      }
      const problems: string[] = [];
      if (!step.expectStatus.includes(reply.status)) problems.push(`status ${reply.status}, expected ${step.expectStatus.join(' or ')}`);
      const cache: { ms?: Multistatus } = {};
      for (const a of step.assertions) {
        try {
          check(a.text, reply, vars, cache);
        } catch (e) {
          if (!(e instanceof StepFailure)) throw e;
          problems.push(`line ${a.line}: ${e.message}`);
        }
      }
      if (problems.length) failures.push(`${where}\n    ${requestLine}\n    ${problems.join('\n    ')}\n    response: ${excerpt(reply)}`);
    }
  } finally {
    await srv.close();
  }
  return failures;
}

// ─── The tests ─────────────────────────────────────────────────────────────────────────────────

function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

const FIXTURES = path.join(projectRoot(), 'test', 'fixtures', 'transcripts');
const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.http')).sort();

const t = suite('transcripts');

t('the fixture directory holds the client transcripts', () => {
  for (const want of ['ios-macos-account-setup.http', 'thunderbird-setup-and-sync.http', 'davx5-setup-and-sync.http']) {
    assert.ok(files.includes(want), `${want} in ${files.join(', ')}`);
  }
});

t('the harness normalizes volatile values and compares XML by namespace, not prefix', () => {
  assert.is(normalize('{DAV:}getetag', '"abc"'), '<etag>');
  assert.is(normalize('ETag', '"abc"'), '<etag>');
  assert.is(normalize('{DAV:}sync-token', 'http://sundial.invalid/sync/12'), '<token>');
  assert.is(normalize('Last-Modified', 'Mon, 23 Nov 2026 11:43:53 GMT'), '<date>');
  assert.is(normalize('{DAV:}displayname', '"abc"'), '"abc"');
  const a = parseMultistatus('<A:multistatus xmlns:A="DAV:"><A:response><A:href>/x/</A:href><A:propstat><A:prop><B:getctag xmlns:B="http://calendarserver.org/ns/">1</B:getctag></A:prop><A:status>HTTP/1.1 200 OK</A:status></A:propstat></A:response></A:multistatus>');
  const b = parseMultistatus('<multistatus xmlns="DAV:"><response><href>/x/</href><propstat><prop><getctag xmlns="http://calendarserver.org/ns/">1</getctag></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>');
  assert.equal([...a.responses[0]!.propstats[0]!.props.keys()], [...b.responses[0]!.propstats[0]!.props.keys()]);
  const fx = parseFixture('x.http', '@user alice\n### request: one\nOPTIONS /dav/ HTTP/1.1\nAuthorization: {{auth}}\n\n### expect 200\nheader DAV has-token calendar-access\n');
  assert.is(fx.steps.length, 1);
  assert.equal(fx.steps[0]!.headers, [['Authorization', '{{auth}}']]);
  assert.equal(fx.steps[0]!.assertions.map((a) => a.text), ['header DAV has-token calendar-access']);
});

for (const file of files) {
  const fx = parseFixture(path.join(FIXTURES, file), fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
  t(`${file}: ${fx.title} (${fx.steps.length} requests)`, async () => {
    const failures = await runFixture(fx);
    assert.ok(failures.length === 0, `${failures.length} of ${fx.steps.length} steps failed:\n\n${failures.join('\n\n')}\n`);
  });
}

t.run();
