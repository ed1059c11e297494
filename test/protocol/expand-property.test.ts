// DAV:expand-property (RFC 3253 §3.8; RFC 4791 §7.1 requires it; issue 12 item 2). It was refused
// with 403 supported-report. The requests are the ones Apple clients send to principals: the
// proxy-for properties (not served here: a 404 propstat) and current-user-principal /
// principal-URL / calendar-home-set expansions. Hrefs are followed only to what the user may read.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { C, D, XML_HEADERS, descendantNames, errorConditions, hrefPath, hrefsIn, parseMultistatus, prop, propStatus, propText, propfind, statusCode, type MsResponse } from '../helpers/dav.js';
import { textOf, type XmlElement } from '../../src/xml/parse.js';

const USER = 'alice';
const PRINCIPAL = `/dav/principals/${USER}/`;
const HOME = `/dav/calendars/${USER}/`;

interface Ctx { srv: TestServer }
const t = suite<Ctx>('expand-property');

t.before(async (ctx) => {
  ctx.srv = await startTestServer();
  await ctx.srv.addUser(USER);
  await ctx.srv.addUser('bob');
});
t.after(async (ctx) => { await ctx.srv.close(); });

const CS_NS = 'http://calendarserver.org/ns/';

// Apple's proxy discovery on a principal, as BlueMind's Apple-oriented DAV server documents it
// (net.bluemind.dav.server ExpandPropertyDelegate).
const APPLE_PROXY = `<?xml version="1.0" encoding="UTF-8"?>
<A:expand-property xmlns:A="DAV:">
  <A:property name="calendar-proxy-write-for" namespace="${CS_NS}">
    <A:property name="displayname" namespace="DAV:"/>
    <A:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/>
    <A:property name="email-address-set" namespace="${CS_NS}"/>
  </A:property>
  <A:property name="calendar-proxy-read-for" namespace="${CS_NS}">
    <A:property name="displayname" namespace="DAV:"/>
    <A:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/>
    <A:property name="email-address-set" namespace="${CS_NS}"/>
  </A:property>
</A:expand-property>`;

const SELF = `<?xml version="1.0" encoding="UTF-8"?>
<A:expand-property xmlns:A="DAV:">
  <A:property name="current-user-principal">
    <A:property name="displayname"/>
    <A:property name="principal-URL"/>
    <A:property name="calendar-home-set" namespace="urn:ietf:params:xml:ns:caldav">
      <A:property name="resourcetype"/>
      <A:property name="sync-token"/>
    </A:property>
  </A:property>
  <A:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav">
    <A:property name="displayname"/>
  </A:property>
  <A:property name="displayname"/>
</A:expand-property>`;

function report(srv: TestServer, path: string, body: string, headers: Record<string, string> = {}) {
  return srv.request('REPORT', path, { user: USER, headers: { ...XML_HEADERS, ...headers }, body });
}

/** The nested <d:response> elements inside a property element, read like multistatus responses. */
function nested(el: XmlElement | undefined): MsResponse[] {
  const out: MsResponse[] = [];
  for (const r of el?.children.filter((c) => c.name === D('response')) ?? []) {
    const statusEl = r.children.find((c) => c.name === D('status'));
    const propstats = r.children.filter((c) => c.name === D('propstat')).map((ps) => {
      const props = new Map<string, XmlElement>();
      for (const p of ps.children.find((c) => c.name === D('prop'))?.children ?? []) props.set(p.name, p);
      return { status: statusCode(textOf(ps.children.find((c) => c.name === D('status'))!)), props };
    });
    const entry: MsResponse = { href: hrefPath(textOf(r.children.find((c) => c.name === D('href'))!).trim()), propstats, el: r };
    if (statusEl) entry.status = statusCode(textOf(statusEl));
    out.push(entry);
  }
  return out;
}

t('Apple\'s proxy expansion on a principal answers 207 (was 403 supported-report); unknown properties are 404', async ({ srv }) => {
  const res = await report(srv, PRINCIPAL, APPLE_PROXY);
  assert.is(res.status, 207, res.text);
  const ms = parseMultistatus(res.text);
  assert.is(ms.responses.length, 1);
  const r = ms.responses[0]!;
  assert.is(r.href, PRINCIPAL);
  assert.is(propStatus(r, `{${CS_NS}}calendar-proxy-write-for`), 404);
  assert.is(propStatus(r, `{${CS_NS}}calendar-proxy-read-for`), 404);
});

t('hrefs are replaced by responses of the resources they name, recursively', async ({ srv }) => {
  const res = await report(srv, PRINCIPAL, SELF);
  assert.is(res.status, 207, res.text);
  const r = parseMultistatus(res.text).responses[0]!;
  assert.is(propText(r, D('displayname')), USER);
  const me = nested(prop(r, D('current-user-principal')));
  assert.is(me.length, 1, res.text);
  assert.is(me[0]!.href, PRINCIPAL);
  assert.is(propText(me[0], D('displayname')), USER);
  assert.equal(hrefsIn(prop(me[0], D('principal-URL'))), [PRINCIPAL]);
  const homes = nested(prop(me[0], C('calendar-home-set')));
  assert.is(homes.length, 1, res.text);
  assert.is(homes[0]!.href, HOME);
  assert.ok(descendantNames(prop(homes[0], D('resourcetype'))).includes(D('collection')));
  assert.match(propText(homes[0], D('sync-token')) ?? '', /^http:\/\/sundial\.invalid\/sync\/\d+$/);
  // calendar-user-address-set: the principal href is followed; a mailto: names nothing here.
  const addresses = nested(prop(r, C('calendar-user-address-set')));
  assert.ok(addresses.some((a) => a.href === PRINCIPAL && propText(a, D('displayname')) === USER), res.text);
});

t('a href to another user\'s principal expands to the directory properties only, never their home', async ({ srv }) => {
  const alice = (await srv.store.getUser(USER))!;
  const bob = (await srv.store.getUser('bob'))!;
  const shared = await srv.store.share((await srv.store.getInstance(bob.id, 'personal'))!.collection.id, alice.id, 'read');
  const body = `<A:expand-property xmlns:A="DAV:"><A:property name="owner"><A:property name="displayname"/><A:property name="calendar-home-set" namespace="urn:ietf:params:xml:ns:caldav"/></A:property></A:expand-property>`;
  const res = await report(srv, `${HOME}${shared.uri}/`, body);
  assert.is(res.status, 207, res.text);
  const owners = nested(prop(parseMultistatus(res.text).responses[0], D('owner')));
  assert.is(owners.length, 1, res.text);
  assert.is(owners[0]!.href, '/dav/principals/bob/');
  // Principals are the directory (issue 15): the name is there, the home is not.
  assert.is(propText(owners[0], D('displayname')), 'bob', res.text);
  assert.not.ok(res.text.includes('/dav/calendars/bob/'), 'bob\'s home is not revealed');
});

t('Depth 1 expands each member; supported-report-set lists expand-property on principals and calendars', async ({ srv }) => {
  const body = `<A:expand-property xmlns:A="DAV:"><A:property name="owner"><A:property name="displayname"/></A:property></A:expand-property>`;
  const res = await report(srv, HOME, body, { Depth: '1' });
  assert.is(res.status, 207, res.text);
  const ms = parseMultistatus(res.text);
  const cal = ms.responses.find((r) => r.href === `${HOME}personal/`);
  assert.ok(cal, res.text);
  assert.is(propText(nested(prop(cal, D('owner')))[0], D('displayname')), USER);
  for (const path of [PRINCIPAL, `${HOME}personal/`]) {
    const sr = await propfind(srv, USER, path, '0', [D('supported-report-set')]);
    assert.ok(descendantNames(prop(sr.responses[0], D('supported-report-set'))).includes(D('expand-property')), path);
  }
});

t('bounded: nesting deeper than the limit is 400, a property element without a name is 400', async ({ srv }) => {
  let deep = '<A:property name="current-user-principal"/>';
  for (let i = 0; i < 5; i++) deep = `<A:property name="current-user-principal">${deep}</A:property>`;
  const res = await report(srv, PRINCIPAL, `<A:expand-property xmlns:A="DAV:">${deep}</A:expand-property>`);
  assert.is(res.status, 400, res.text);
  const unnamed = await report(srv, PRINCIPAL, `<A:expand-property xmlns:A="DAV:"><A:property/></A:expand-property>`);
  assert.is(unnamed.status, 400, unnamed.text);
  // Three levels, the limit, are answered.
  let ok = '<A:property name="displayname"/>';
  for (let i = 0; i < 3; i++) ok = `<A:property name="current-user-principal">${ok}</A:property>`;
  const fine = await report(srv, PRINCIPAL, `<A:expand-property xmlns:A="DAV:">${ok}</A:expand-property>`);
  assert.is(fine.status, 207, fine.text);
  assert.equal(errorConditions(fine.text), []);
});

t.run();
