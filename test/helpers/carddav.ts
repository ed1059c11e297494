// CardDAV helpers shared by the protocol and client tests: vCard fixtures and the bodies of the
// CardDAV requests (RFC 6352) that tests repeat.
import { escapeXml, type Multistatus, parseMultistatus, prop } from './dav.js';
import { textOf } from '../../src/xml/parse.js';
import type { TestResponse, TestServer } from './server.js';

export const CR = (local: string) => `{urn:ietf:params:xml:ns:carddav}${local}`;

export interface CardOpts {
  fn?: string;
  version?: '3.0' | '4.0';
  /** Extra content lines before END:VCARD. */
  extra?: string[];
}

/** A small valid vCard (CRLF line ends, RFC 6350 §3.2). */
export function vcard(uid: string, opts: CardOpts = {}): string {
  const version = opts.version ?? '4.0';
  const fn = opts.fn ?? uid;
  const lines = ['BEGIN:VCARD', `VERSION:${version}`, `UID:${uid}`, `FN:${fn}`];
  if (version === '3.0') lines.push(`N:${fn};;;;`);
  lines.push(...(opts.extra ?? []), 'END:VCARD');
  return lines.join('\r\n') + '\r\n';
}

export const VCARD_HEADERS = { 'Content-Type': 'text/vcard; charset=utf-8' };

export function putVcf(srv: TestServer, user: string, path: string, body: string | Buffer, headers: Record<string, string> = VCARD_HEADERS): Promise<TestResponse> {
  return srv.request('PUT', path, { user, headers, body });
}

/** PUT of a card that must succeed; returns the ETag. */
export async function putVcfOk(srv: TestServer, user: string, path: string, body: string, headers: Record<string, string> = VCARD_HEADERS): Promise<string> {
  const res = await putVcf(srv, user, path, body, headers);
  if (res.status !== 201 && res.status !== 204) throw new Error(`PUT ${path} → ${res.status}: ${res.text.slice(0, 500)}`);
  return res.headers.get('etag') ?? '';
}

function propXml(names: string[]): string {
  return names.map((n, i) => {
    const m = /^\{([^}]*)\}(.+)$/.exec(n)!;
    return `<x${i}:${m[2]} xmlns:x${i}="${m[1]}"/>`;
  }).join('');
}

/** addressbook-multiget (RFC 6352 §8.7); `addressData` replaces the plain <card:address-data/>. */
export function addressMultigetBody(hrefs: string[], opts: { props?: string[]; addressData?: string } = {}): string {
  const props = opts.props ?? ['{DAV:}getetag'];
  const data = opts.addressData ?? '<card:address-data/>';
  return `<?xml version="1.0" encoding="utf-8"?><card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop>${propXml(props)}${data}</d:prop>${hrefs.map((h) => `<d:href>${escapeXml(h)}</d:href>`).join('')}</card:addressbook-multiget>`;
}

/** addressbook-query (RFC 6352 §8.6) with `filter` as the inner XML of <card:filter>. */
export function addressQueryBody(filter: string, opts: { test?: 'anyof' | 'allof'; limit?: number; addressData?: string | null } = {}): string {
  const data = opts.addressData === null ? '' : (opts.addressData ?? '<card:address-data/>');
  const test = opts.test ? ` test="${opts.test}"` : '';
  const limit = opts.limit === undefined ? '' : `<card:limit><card:nresults>${opts.limit}</card:nresults></card:limit>`;
  return `<?xml version="1.0" encoding="utf-8"?><card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/>${data}</d:prop><card:filter${test}>${filter}</card:filter>${limit}</card:addressbook-query>`;
}

export async function report(srv: TestServer, user: string, path: string, body: string, depth = '1'): Promise<TestResponse> {
  return srv.request('REPORT', path, { user, headers: { Depth: depth, 'Content-Type': 'application/xml; charset=utf-8' }, body });
}

export async function report207(srv: TestServer, user: string, path: string, body: string, depth = '1'): Promise<Multistatus> {
  const res = await report(srv, user, path, body, depth);
  if (res.status !== 207) throw new Error(`REPORT ${path} → ${res.status}: ${res.text.slice(0, 500)}`);
  return parseMultistatus(res.text);
}

/** Extended MKCOL of an address book (RFC 5689, RFC 6352 §6.3.1). */
export function mkAddressbookBody(displayName?: string, description?: string): string {
  const props = [
    '<d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>',
    displayName === undefined ? '' : `<d:displayname>${escapeXml(displayName)}</d:displayname>`,
    description === undefined ? '' : `<card:addressbook-description>${escapeXml(description)}</card:addressbook-description>`,
  ].join('');
  return `<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>${props}</d:prop></d:set></d:mkcol>`;
}

/** The address-data of a response exactly as sent (propText trims the final CRLF). */
export function addressData(r: import('./dav.js').MsResponse | undefined): string | undefined {
  const p = prop(r, CR('address-data'));
  return p ? textOf(p) : undefined;
}
