// The addressbook-query REPORT body (src/dav/requests/address-query.ts, RFC 6352 §8.6, §10.3–10.6)
// read into props, address-data selection, filter and limit; bad input is a DavError with the
// CardDAV precondition (supported-collation, supported-filter, valid-filter) or a 400.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseXml } from '../../src/xml/parse.js';
import { CARDDAV_QUERY as CR, DAV } from '../../src/xml/names.js';
import { DavError } from '../../src/dav/errors.js';
import { parseAddressQuery } from '../../src/dav/requests/address-query.js';
import { davErrorOfVCard } from '../../src/dav/carddav-errors.js';
import { VCardError } from '../../src/vcard/errors.js';

const q = (inner: string, attrs = '') =>
  `<?xml version="1.0" encoding="utf-8"?><C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"${attrs}>${inner}</C:addressbook-query>`;
const parse = (body: string) => parseAddressQuery(parseXml(body));

function refused(body: string, status: number, condition: string | null, message?: RegExp): DavError {
  try {
    parse(body);
  } catch (err) {
    assert.instance(err, DavError);
    const e = err as DavError;
    assert.is(e.status, status, e.message);
    assert.is(e.condition, condition, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.unreachable('accepted');
  throw new Error('unreachable');
}

test('RFC 6352 §8.6.3 example: NICKNAME equals, with address-data props', () => {
  const r = parse(q(`<D:prop><D:getetag/><C:address-data><C:prop name="VERSION"/><C:prop name="UID"/><C:prop name="NICKNAME"/><C:prop name="EMAIL"/><C:prop name="FN"/></C:address-data></D:prop>
    <C:filter><C:prop-filter name="NICKNAME"><C:text-match collation="i;unicode-casemap" match-type="equals">me</C:text-match></C:prop-filter></C:filter>`));
  assert.equal(r.propReq, { type: 'prop', names: [DAV.getetag, CR.addressData] });
  assert.equal(r.addressData, { all: false, version: null, props: ['VERSION', 'UID', 'NICKNAME', 'EMAIL', 'FN'].map((name) => ({ name, novalue: false })) });
  assert.equal(r.filter, { test: 'anyof', propFilters: [{ name: 'NICKNAME', test: 'anyof', isNotDefined: false, paramFilters: [], textMatches: [{ value: 'me', collation: 'i;unicode-casemap', matchType: 'equals', negate: false }] }] });
  assert.is(r.limit, null);
});

test('§8.6.4 example: anyof FN/EMAIL contains with a limit; defaults (unicode-casemap, contains, anyof)', () => {
  const r = parse(q(`<D:prop><D:getetag/><C:address-data/></D:prop>
    <C:filter test="anyof"><C:prop-filter name="FN"><C:text-match>daboo</C:text-match></C:prop-filter>
    <C:prop-filter name="EMAIL"><C:text-match collation="i;ascii-casemap" match-type="starts-with" negate-condition="yes">daboo</C:text-match></C:prop-filter></C:filter>
    <C:limit><C:nresults>10</C:nresults></C:limit>`));
  assert.equal(r.addressData, { all: true, props: [], version: null });
  assert.is(r.limit, 10);
  assert.equal(r.filter.propFilters.map((f) => f.textMatches[0]), [
    { value: 'daboo', collation: 'i;unicode-casemap', matchType: 'contains', negate: false },
    { value: 'daboo', collation: 'i;ascii-casemap', matchType: 'starts-with', negate: true },
  ]);
});

test('param-filter, is-not-defined, allof, groups; address-data allprop, novalue and version', () => {
  const r = parse(q(`<D:prop><C:address-data version="4.0"><C:prop name="photo" novalue="yes"/></C:address-data></D:prop>
    <C:filter test="allof"><C:prop-filter name="item1.EMAIL" test="allof"><C:text-match>x</C:text-match><C:param-filter name="type"><C:text-match match-type="equals">work</C:text-match></C:param-filter><C:param-filter name="PREF"><C:is-not-defined/></C:param-filter></C:prop-filter>
    <C:prop-filter name="TEL"><C:is-not-defined/></C:prop-filter><C:prop-filter name="ADR"/></C:filter>`));
  assert.equal(r.addressData, { all: false, props: [{ name: 'PHOTO', novalue: true }], version: '4.0' });
  const [email, tel, adr] = r.filter.propFilters;
  assert.is(r.filter.test, 'allof');
  assert.is(email!.name, 'ITEM1.EMAIL');
  assert.is(email!.test, 'allof');
  assert.equal(email!.paramFilters.map((p) => [p.name, p.isNotDefined, p.textMatch?.value ?? null]), [['TYPE', false, 'work'], ['PREF', true, null]]);
  assert.is(tel!.isNotDefined, true);
  assert.equal(adr, { name: 'ADR', test: 'anyof', isNotDefined: false, textMatches: [], paramFilters: [] });
  const all = parse(q('<D:prop><C:address-data><C:allprop/></C:address-data></D:prop><C:filter/>'));
  assert.equal(all.addressData, { all: true, props: [], version: null });
  assert.equal(all.filter, { test: 'anyof', propFilters: [] });
});

test('an unknown collation is 403 CARDDAV:supported-collation', () => {
  refused(q('<C:filter><C:prop-filter name="FN"><C:text-match collation="i;basic">x</C:text-match></C:prop-filter></C:filter>'), 403, CR.supportedCollation, /i;basic/);
});

test('a text-match on PHOTO (values not kept) is 403 CARDDAV:supported-filter naming the prop-filter', () => {
  const e = refused(q('<C:filter><C:prop-filter name="PHOTO"><C:text-match>x</C:text-match></C:prop-filter></C:filter>'), 403, CR.supportedFilter);
  assert.equal(e.children, [{ name: CR.propFilter, children: [], attrs: { name: 'PHOTO' } }]);
  parse(q('<C:filter><C:prop-filter name="PHOTO"><C:is-not-defined/></C:prop-filter></C:filter>')); // presence is fine
});

test('grammar violations are 403 CARDDAV:valid-filter', () => {
  const bad = [
    '',
    '<C:filter/><C:filter/>',
    '<C:filter test="some"/>',
    '<C:filter><C:comp-filter name="VCARD"/></C:filter>',
    '<C:filter><C:prop-filter/></C:filter>',
    '<C:filter><C:prop-filter name="E MAIL"/></C:filter>',
    '<C:filter><C:prop-filter name="FN" test="none"/></C:filter>',
    '<C:filter><C:prop-filter name="FN"><C:is-not-defined/><C:text-match>x</C:text-match></C:prop-filter></C:filter>',
    '<C:filter><C:prop-filter name="FN"><C:time-range start="20260101T000000Z"/></C:prop-filter></C:filter>',
    '<C:filter><C:prop-filter name="FN"><C:param-filter name="TYPE"/><C:text-match>x</C:text-match></C:prop-filter></C:filter>',
    '<C:filter><C:prop-filter name="FN"><C:text-match match-type="regex">x</C:text-match></C:prop-filter></C:filter>',
    '<C:filter><C:prop-filter name="FN"><C:text-match negate-condition="maybe">x</C:text-match></C:prop-filter></C:filter>',
    '<C:filter><C:prop-filter name="FN"><C:text-match><b/></C:text-match></C:prop-filter></C:filter>',
    '<C:filter><C:prop-filter name="FN"><C:param-filter name="TYPE"><C:is-not-defined/><C:text-match>x</C:text-match></C:param-filter></C:prop-filter></C:filter>',
    '<C:filter><C:prop-filter name="FN"><C:param-filter name="a.TYPE"/></C:prop-filter></C:filter>',
    '<C:filter>' + '<C:prop-filter name="FN"/>'.repeat(101) + '</C:filter>',
    '<C:filter><C:prop-filter name="FN"><C:text-match>' + 'a'.repeat(5000) + '</C:text-match></C:prop-filter></C:filter>',
  ];
  for (const b of bad) refused(q(b), 403, CR.validFilter);
});

test('bad limit, bad address-data and a wrong root are 400; another content-type or version is 403 supported-address-data', () => {
  for (const n of ['0', '-1', 'ten', '1.5', '12345678901', '']) refused(q(`<C:filter/><C:limit><C:nresults>${n}</C:nresults></C:limit>`), 400, null, /nresults/);
  refused(q('<C:filter/><C:limit/>'), 400, null);
  refused(q('<C:filter/><C:limit><C:nresults>1</C:nresults></C:limit><C:limit><C:nresults>1</C:nresults></C:limit>'), 400, null);
  refused(q('<D:prop><C:address-data><C:prop/></C:address-data></D:prop><C:filter/>'), 400, null);
  refused(q('<D:prop><C:address-data><C:allprop/><C:prop name="FN"/></C:address-data></D:prop><C:filter/>'), 400, null);
  refused(q('<D:prop><C:address-data><C:prop name="FN" novalue="perhaps"/></C:address-data></D:prop><C:filter/>'), 400, null);
  refused(q('<D:prop><C:address-data content-type="application/vcard+json"/></D:prop><C:filter/>'), 403, CR.supportedAddressData);
  refused(q('<D:prop><C:address-data version="2.1"/></D:prop><C:filter/>'), 403, CR.supportedAddressData);
  refused('<C:addressbook-multiget xmlns:C="urn:ietf:params:xml:ns:carddav"/>', 400, null);
});

test('davErrorOfVCard maps each condition to its CardDAV element with 403', () => {
  assert.is(davErrorOfVCard(new VCardError('valid-address-data', 'x')).condition, CR.validAddressData);
  assert.is(davErrorOfVCard(new VCardError('supported-address-data', 'x')).condition, CR.supportedAddressData);
  const e = davErrorOfVCard(new VCardError('max-resource-size', 'too big'));
  assert.is(e.condition, CR.maxResourceSize);
  assert.is(e.status, 403);
});

test.run();
