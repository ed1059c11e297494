// DAV helpers shared by the protocol and client tests: multistatus and <d:error> bodies read with
// Sundial's own namespace-resolving parser (names compared as Clark names, never by prefix),
// iCalendar fixtures, and the few requests every test repeats (PROPFIND of one property, PUT of an
// event, sync-collection).
import { parseXml, textOf, type XmlElement } from '../../src/xml/parse.js';
import type { TestResponse, TestServer } from './server.js';

export const D = (local: string) => `{DAV:}${local}`;
export const C = (local: string) => `{urn:ietf:params:xml:ns:caldav}${local}`;
export const CS = (local: string) => `{http://calendarserver.org/ns/}${local}`;
export const ICAL = (local: string) => `{http://apple.com/ns/ical/}${local}`;

export interface Propstat {
  status: number;
  props: Map<string, XmlElement>;
}

export interface MsResponse {
  /** Decoded path of the <d:href>. */
  href: string;
  /** Status of a bare <d:status> response (404 of a deleted member, 507 of a truncation). */
  status?: number;
  propstats: Propstat[];
  error?: XmlElement;
  el: XmlElement;
}

export interface Multistatus {
  responses: MsResponse[];
  syncToken?: string;
  root: XmlElement;
}

/** `HTTP/1.1 404 Not Found` → 404. */
export function statusCode(text: string): number {
  const m = /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(text);
  if (!m) throw new Error(`not an HTTP status line: ${JSON.stringify(text)}`);
  return Number(m[1]);
}

/** Percent-decoded path of an href (absolute URL or path). */
export function hrefPath(href: string): string {
  const path = /^https?:\/\//i.test(href) ? new URL(href).pathname : href;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

const LIMITS = { maxDepth: 200, maxElements: 2_000_000 };

export function parseMultistatus(text: string): Multistatus {
  const root = parseXml(text, LIMITS);
  if (root.name !== D('multistatus')) throw new Error(`expected a DAV:multistatus, got ${root.name}: ${text.slice(0, 300)}`);
  const responses: MsResponse[] = [];
  for (const r of root.children.filter((c) => c.name === D('response'))) {
    const hrefEl = r.children.find((c) => c.name === D('href'));
    const statusEl = r.children.find((c) => c.name === D('status'));
    const errorEl = r.children.find((c) => c.name === D('error'));
    const propstats: Propstat[] = [];
    for (const ps of r.children.filter((c) => c.name === D('propstat'))) {
      const st = ps.children.find((c) => c.name === D('status'));
      const prop = ps.children.find((c) => c.name === D('prop'));
      const props = new Map<string, XmlElement>();
      for (const p of prop?.children ?? []) props.set(p.name, p);
      propstats.push({ status: st ? statusCode(textOf(st)) : 0, props });
    }
    const entry: MsResponse = { href: hrefPath(textOf(hrefEl!).trim()), propstats, el: r };
    if (statusEl) entry.status = statusCode(textOf(statusEl));
    if (errorEl) entry.error = errorEl;
    responses.push(entry);
  }
  const tokenEl = root.children.find((c) => c.name === D('sync-token'));
  const out: Multistatus = { responses, root };
  if (tokenEl) out.syncToken = textOf(tokenEl).trim();
  return out;
}

/** The element of a property found in a 200 propstat, or undefined. */
export function prop(r: MsResponse | undefined, name: string): XmlElement | undefined {
  if (!r) return undefined;
  for (const ps of r.propstats) if (ps.status === 200 && ps.props.has(name)) return ps.props.get(name);
  return undefined;
}

/** Text of a property in a 200 propstat, trimmed. */
export function propText(r: MsResponse | undefined, name: string): string | undefined {
  const p = prop(r, name);
  return p ? textOf(p).trim() : undefined;
}

/** Status of the propstat holding `name`, or undefined when the property is in none. */
export function propStatus(r: MsResponse, name: string): number | undefined {
  return r.propstats.find((ps) => ps.props.has(name))?.status;
}

/** Hrefs (decoded paths) below a property element, e.g. current-user-principal. */
export function hrefsIn(el: XmlElement | undefined): string[] {
  if (!el) return [];
  const out: string[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === D('href')) out.push(hrefPath(textOf(e).trim()));
    else e.children.forEach(walk);
  };
  walk(el);
  return out;
}

/** Clark names of every descendant element (for resourcetype, privilege sets, report sets). */
export function descendantNames(el: XmlElement | undefined): string[] {
  if (!el) return [];
  const out: string[] = [];
  const walk = (e: XmlElement) => e.children.forEach((c) => { out.push(c.name); walk(c); });
  walk(el);
  return out;
}

/** Clark names of the condition elements of a `<d:error>` body (empty if the body is not one). */
export function errorConditions(text: string): string[] {
  try {
    const root = parseXml(text, LIMITS);
    if (root.name !== D('error')) return [];
    return root.children.map((c) => c.name);
  } catch {
    return [];
  }
}

export function errorElement(text: string, name: string): XmlElement | undefined {
  try {
    const root = parseXml(text, LIMITS);
    return root.name === D('error') ? root.children.find((c) => c.name === name) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// iCalendar fixtures

export interface EventOpts {
  summary?: string;
  start?: string; // UTC basic format, e.g. 20300101T100000Z
  end?: string;
  extra?: string[]; // extra VEVENT lines
  component?: 'VEVENT' | 'VTODO' | 'VJOURNAL';
}

/** A small, valid VCALENDAR with one component, CRLF line ends as RFC 5545 requires. */
export function ical(uid: string, opts: EventOpts = {}): string {
  const comp = opts.component ?? 'VEVENT';
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sundial tests//EN', `BEGIN:${comp}`, `UID:${uid}`, 'DTSTAMP:20240101T000000Z'];
  if (comp === 'VEVENT') lines.push(`DTSTART:${opts.start ?? '20300101T100000Z'}`, `DTEND:${opts.end ?? '20300101T110000Z'}`);
  else if (comp === 'VJOURNAL') lines.push(`DTSTART:${opts.start ?? '20300101T100000Z'}`);
  lines.push(`SUMMARY:${opts.summary ?? uid}`, ...(opts.extra ?? []), `END:${comp}`, 'END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------
// Requests

export const XML_HEADERS = { 'Content-Type': 'application/xml; charset=utf-8' };

export function propfindBody(names: string[]): string {
  const props = names.map((n, i) => {
    const m = /^\{([^}]*)\}(.+)$/.exec(n)!;
    return `<x${i}:${m[2]} xmlns:x${i}="${m[1]}"/>`;
  }).join('');
  return `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop>${props}</d:prop></d:propfind>`;
}

export async function propfind(srv: TestServer, user: string, path: string, depth: '0' | '1', names: string[], headers: Record<string, string> = {}): Promise<Multistatus> {
  const res = await srv.request('PROPFIND', path, { user, headers: { Depth: depth, ...XML_HEADERS, ...headers }, body: propfindBody(names) });
  if (res.status !== 207) throw new Error(`PROPFIND ${path} → ${res.status}: ${res.text.slice(0, 500)}`);
  return parseMultistatus(res.text);
}

/** Text of one property of one resource (Depth 0). */
export async function getProp(srv: TestServer, user: string, path: string, name: string): Promise<string | undefined> {
  const ms = await propfind(srv, user, path, '0', [name]);
  return propText(ms.responses[0], name);
}

export const syncTokenOf = (srv: TestServer, user: string, path: string) => getProp(srv, user, path, D('sync-token'));
export const ctagOf = (srv: TestServer, user: string, path: string) => getProp(srv, user, path, CS('getctag'));

export async function putIcs(srv: TestServer, user: string, path: string, body: string, headers: Record<string, string> = {}): Promise<TestResponse> {
  return srv.request('PUT', path, { user, headers: { 'Content-Type': 'text/calendar; charset=utf-8', ...headers }, body });
}

/** PUT that must succeed; returns the ETag. */
export async function putOk(srv: TestServer, user: string, path: string, body: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await putIcs(srv, user, path, body, headers);
  if (res.status !== 201 && res.status !== 204) throw new Error(`PUT ${path} → ${res.status}: ${res.text.slice(0, 500)}`);
  return res.headers.get('etag') ?? '';
}

export function syncCollectionBody(token: string | null, props: string[] = [D('getetag')], limit?: number): string {
  const p = props.map((n, i) => {
    const m = /^\{([^}]*)\}(.+)$/.exec(n)!;
    return `<x${i}:${m[2]} xmlns:x${i}="${m[1]}"/>`;
  }).join('');
  const tokenEl = token === null ? '<d:sync-token/>' : `<d:sync-token>${escapeXml(token)}</d:sync-token>`;
  const limitEl = limit === undefined ? '' : `<d:limit><d:nresults>${limit}</d:nresults></d:limit>`;
  return `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:">${tokenEl}<d:sync-level>1</d:sync-level>${limitEl}<d:prop>${p}</d:prop></d:sync-collection>`;
}

export function syncCollectionRaw(srv: TestServer, user: string, path: string, token: string | null, opts: { props?: string[]; limit?: number; depth?: string } = {}): Promise<TestResponse> {
  const headers: Record<string, string> = { ...XML_HEADERS };
  if (opts.depth !== undefined) headers.Depth = opts.depth;
  return srv.request('REPORT', path, { user, headers, body: syncCollectionBody(token, opts.props, opts.limit) });
}

export async function syncCollection(srv: TestServer, user: string, path: string, token: string | null, opts: { props?: string[]; limit?: number; depth?: string } = {}): Promise<Multistatus> {
  const res = await syncCollectionRaw(srv, user, path, token, opts);
  if (res.status !== 207) throw new Error(`sync-collection ${path} from ${token} → ${res.status}: ${res.text.slice(0, 500)}`);
  return parseMultistatus(res.text);
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function multigetBody(hrefs: string[], props: string[] = [D('getetag'), C('calendar-data')]): string {
  const p = props.map((n, i) => {
    const m = /^\{([^}]*)\}(.+)$/.exec(n)!;
    return `<x${i}:${m[2]} xmlns:x${i}="${m[1]}"/>`;
  }).join('');
  return `<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>${p}</d:prop>${hrefs.map((h) => `<d:href>${escapeXml(h)}</d:href>`).join('')}</c:calendar-multiget>`;
}

/** A concise description of a response for assertion messages and the bug list. */
export function describe(method: string, path: string, res: TestResponse): string {
  return `${method} ${path} → ${res.status} ${res.text.replace(/\s+/g, ' ').slice(0, 400)}`;
}

/**
 * A request whose path is sent exactly as given (fetch would resolve "/dav/../x" and re-encode
 * "%ZZ" before sending). Node's http client, no agent, so every request has its own connection.
 */
export async function rawRequest(srv: TestServer, method: string, rawPath: string, opts: { user?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<TestResponse> {
  const { request } = await import('node:http');
  const { basic } = await import('./server.js');
  const url = new URL(srv.url);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.user) headers.Authorization = basic(opts.user);
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, 'utf8');
  if (body) headers['Content-Length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: rawPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, headers: h, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
