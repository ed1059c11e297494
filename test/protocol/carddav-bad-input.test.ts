// Bad input to CardDAV (SPEC "Limits and bad input", RFC 6352 §6.3.2.1, §8.6): every bad card,
// query or collection request gets a 4xx with the CARDDAV (or DAV) precondition element where one
// exists, never a 500, and nothing stored changes — checked through the sync tokens of the address
// book and of the address-book home and the ETag of an existing card. Limits are small here.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer, type TestResponse } from '../helpers/server.js';
import { C, D, errorConditions, syncTokenOf, XML_HEADERS } from '../helpers/dav.js';
import { CR, VCARD_HEADERS, addressMultigetBody, addressQueryBody, mkAddressbookBody, putVcfOk, vcard } from '../helpers/carddav.js';

const USER = 'hana';
const ABHOME = `/dav/addressbooks/${USER}/`;
const BOOK = `${ABHOME}contacts/`;
const CARD = `${BOOK}existing.vcf`;
const MAX_RESOURCE = 4096;

interface Ctx { srv: TestServer; problems: string[] }
const t = suite<Ctx>('carddav bad input');

t.before(async (ctx) => {
  ctx.srv = await startTestServer({ SUNDIAL_MAX_RESOURCE_SIZE: String(MAX_RESOURCE), SUNDIAL_MAX_CARD_PROPERTIES: '50' });
  await ctx.srv.addUser(USER);
  await putVcfOk(ctx.srv, USER, CARD, vcard('existing@bad', { fn: 'Existing' }));
  ctx.problems = [];
});
t.after(async (ctx) => { await ctx.srv.close(); });

interface Case {
  label: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  status: number[];
  condition?: string;
}

async function state(srv: TestServer): Promise<string> {
  const book = await syncTokenOf(srv, USER, BOOK);
  const home = await syncTokenOf(srv, USER, ABHOME);
  const card = await srv.request('GET', CARD, { user: USER });
  return `${book} ${home} ${card.headers.get('etag')}`;
}

async function run(ctx: Ctx, c: Case): Promise<TestResponse> {
  const before = await state(ctx.srv);
  const res = await ctx.srv.request(c.method, c.path, { user: USER, ...(c.headers ? { headers: c.headers } : {}), ...(c.body !== undefined ? { body: c.body } : {}) });
  const out: string[] = [];
  if (!c.status.includes(res.status)) out.push(`status ${res.status}, expected ${c.status.join('/')}`);
  if (res.status >= 500 && !c.status.includes(res.status)) out.push('a 5xx is never a right answer to bad input');
  if (c.condition && !errorConditions(res.text).includes(c.condition)) out.push(`missing <${c.condition}> in the error body`);
  const after = await state(ctx.srv);
  if (after !== before) out.push(`stored state changed: ${before} → ${after}`);
  if (out.length) ctx.problems.push(`${c.label}: ${c.method} ${c.path}\n      ${out.join('\n      ')}\n      ${res.status} ${res.text.replace(/\s+/g, ' ').slice(0, 300)}`);
  return res;
}

async function runAll(ctx: Ctx, cases: Case[]): Promise<void> {
  ctx.problems = [];
  for (const c of cases) await run(ctx, c);
  assert.equal(ctx.problems, [], `\n${ctx.problems.join('\n')}\n`);
}

const put = (label: string, body: string | Buffer, condition: string, headers: Record<string, string> = VCARD_HEADERS, path = `${BOOK}new.vcf`): Case =>
  ({ label, method: 'PUT', path, headers, body, status: [403], condition });

t('bad cards: 403 with valid-address-data, supported-address-data or max-resource-size; nothing stored', async (ctx) => {
  const lines = (...l: string[]) => l.join('\r\n') + '\r\n';
  await runAll(ctx, [
    put('not a vCard', 'hello', CR('valid-address-data')),
    put('an iCalendar body', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n', CR('valid-address-data')),
    put('no UID', lines('BEGIN:VCARD', 'VERSION:4.0', 'FN:No Uid', 'END:VCARD'), CR('valid-address-data')),
    put('no FN', lines('BEGIN:VCARD', 'VERSION:4.0', 'UID:no-fn', 'END:VCARD'), CR('valid-address-data')),
    put('no VERSION', lines('BEGIN:VCARD', 'UID:no-version', 'FN:X', 'END:VCARD'), CR('valid-address-data')),
    put('no END', lines('BEGIN:VCARD', 'VERSION:4.0', 'UID:open', 'FN:X'), CR('valid-address-data')),
    put('two cards in one resource', vcard('one@bad') + vcard('two@bad'), CR('valid-address-data')),
    put('a NUL in a line', lines('BEGIN:VCARD', 'VERSION:4.0', 'UID:nul', 'FN:A\u0000B', 'END:VCARD'), CR('valid-address-data')),
    put('not UTF-8', Buffer.concat([Buffer.from('BEGIN:VCARD\r\nVERSION:4.0\r\nUID:latin1\r\nFN:'), Buffer.from([0xe9, 0xff]), Buffer.from('\r\nEND:VCARD\r\n')]), CR('valid-address-data')),
    put('more properties than allowed', lines('BEGIN:VCARD', 'VERSION:4.0', 'UID:many', 'FN:Many', ...Array.from({ length: 60 }, (_, i) => `NOTE:${i}`), 'END:VCARD'), CR('valid-address-data')),
    put('vCard 2.1', lines('BEGIN:VCARD', 'VERSION:2.1', 'UID:old', 'FN:Old', 'END:VCARD'), CR('supported-address-data')),
    put('a calendar media type', vcard('typed@bad'), CR('supported-address-data'), { 'Content-Type': 'text/calendar' }),
    put('an unsupported charset', vcard('charset@bad'), CR('supported-address-data'), { 'Content-Type': 'text/vcard; charset=iso-8859-1' }),
    put('larger than max-resource-size', vcard('big@bad', { extra: [`NOTE:${'x'.repeat(MAX_RESOURCE)}`] }), CR('max-resource-size')),
    put('the UID of another card', vcard('existing@bad', { fn: 'Clone' }), CR('no-uid-conflict')),
    put('a new UID over an existing card', vcard('other-uid@bad'), CR('no-uid-conflict'), VCARD_HEADERS, CARD),
    { label: 'PUT into the home', method: 'PUT', path: `${ABHOME}loose.vcf`, headers: VCARD_HEADERS, body: vcard('loose@bad'), status: [405] },
    { label: 'If-Match on a new card', method: 'PUT', path: `${BOOK}cond.vcf`, headers: { ...VCARD_HEADERS, 'If-Match': '"nope"' }, body: vcard('cond@bad'), status: [412] },
  ]);
});

t('the no-uid-conflict error names the card holding the UID', async ({ srv }) => {
  const res = await srv.request('PUT', `${BOOK}dup.vcf`, { user: USER, headers: VCARD_HEADERS, body: vcard('existing@bad') });
  assert.is(res.status, 403);
  assert.match(res.text, /<d:href>\/dav\/addressbooks\/hana\/contacts\/existing\.vcf<\/d:href>/);
});

t('bad collections and properties: 403/405/409/415 with their element; nothing made', async (ctx) => {
  await runAll(ctx, [
    { label: 'address book in the calendar home', method: 'MKCOL', path: `/dav/calendars/${USER}/ab/`, headers: XML_HEADERS, body: mkAddressbookBody('X'), status: [403], condition: CR('addressbook-collection-location-ok') },
    { label: 'address book inside an address book', method: 'MKCOL', path: `${BOOK}inner/`, headers: XML_HEADERS, body: mkAddressbookBody('X'), status: [403], condition: CR('addressbook-collection-location-ok') },
    { label: 'calendar and address book at once', method: 'MKCOL', path: `${ABHOME}both/`, headers: XML_HEADERS, body: mkAddressbookBody('X').replace('<card:addressbook/>', '<card:addressbook/><c:calendar xmlns:c="urn:ietf:params:xml:ns:caldav"/>'), status: [403], condition: D('valid-resourcetype') },
    { label: 'calendar in the address-book home', method: 'MKCALENDAR', path: `${ABHOME}cal/`, status: [403], condition: C('calendar-collection-location-ok') },
    { label: 'address book over an existing one', method: 'MKCOL', path: BOOK, headers: XML_HEADERS, body: mkAddressbookBody('X'), status: [405] },
    { label: 'MKCOL with a JSON body', method: 'MKCOL', path: `${ABHOME}json/`, headers: { 'Content-Type': 'application/json' }, body: '{}', status: [415] },
    { label: 'MKCOL below a missing parent', method: 'MKCOL', path: `${ABHOME}nope/deeper/`, status: [409] },
    { label: 'MKCOL with a too long description', method: 'MKCOL', path: `${ABHOME}long/`, headers: XML_HEADERS, body: mkAddressbookBody('X', 'd'.repeat(10_001)), status: [403] },
    { label: 'PROPPATCH of supported-address-data', method: 'PROPPATCH', path: BOOK, headers: XML_HEADERS, body: '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><card:supported-address-data/></d:prop></d:set></d:propertyupdate>', status: [207] },
    { label: 'PROPPATCH of max-resource-size', method: 'PROPPATCH', path: BOOK, headers: XML_HEADERS, body: '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><card:max-resource-size>1</card:max-resource-size></d:prop></d:set></d:propertyupdate>', status: [207] },
  ]);
});

t('bad reports: 400/403 with the CardDAV element; never a 500', async (ctx) => {
  const report = (label: string, body: string, status: number[], condition?: string, path = BOOK): Case =>
    ({ label, method: 'REPORT', path, headers: { ...XML_HEADERS, Depth: '1' }, body, status, ...(condition ? { condition } : {}) });
  const tm = (attrs: string, value = 'x') => `<card:prop-filter name="FN"><card:text-match${attrs}>${value}</card:text-match></card:prop-filter>`;
  await runAll(ctx, [
    report('unknown collation', addressQueryBody(tm(' collation="i;basic"')), [403], CR('supported-collation')),
    report('unknown match type', addressQueryBody(tm(' match-type="regex"')), [403], CR('valid-filter')),
    report('bad negate-condition', addressQueryBody(tm(' negate-condition="maybe"')), [403], CR('valid-filter')),
    report('bad test attribute', addressQueryBody(tm(''), { test: 'allof' }).replace('test="allof"', 'test="oneof"'), [403], CR('valid-filter')),
    report('prop-filter without a name', addressQueryBody('<card:prop-filter/>'), [403], CR('valid-filter')),
    report('a CalDAV comp-filter', addressQueryBody('<card:comp-filter name="VCARD"/>'), [403], CR('valid-filter')),
    report('no filter', '<?xml version="1.0"?><card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop></card:addressbook-query>', [403], CR('valid-filter')),
    report('text-match on PHOTO', addressQueryBody('<card:prop-filter name="PHOTO"><card:text-match>x</card:text-match></card:prop-filter>'), [403], CR('supported-filter')),
    report('too many terms', addressQueryBody(Array.from({ length: 120 }, (_, i) => tm('', `v${i}`)).join('')), [403], CR('valid-filter')),
    report('limit of zero', addressQueryBody(tm(''), { limit: 0 }), [400]),
    report('address-data of another type', addressQueryBody(tm(''), { addressData: '<card:address-data content-type="application/vcard+json"/>' }), [403], CR('supported-address-data')),
    report('address-data version 2.1', addressQueryBody(tm(''), { addressData: '<card:address-data version="2.1"/>' }), [403], CR('supported-address-data')),
    report('multiget without hrefs', addressMultigetBody([]), [400]),
    report('addressbook-query on a calendar', addressQueryBody(tm('')), [403], undefined, `/dav/calendars/${USER}/personal/`),
    report('addressbook-multiget on the home', addressMultigetBody([CARD]), [403], undefined, ABHOME),
    report('malformed XML', '<card:addressbook-query xmlns:card="urn:ietf:params:xml:ns:carddav"><card:filter>', [400]),
  ]);
});

t.run();
