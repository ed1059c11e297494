// The href limit of a multiget (--max-multiget-hrefs) grows to the member count of the addressed
// collection: Thunderbird's first sync of an address book fetches every card in one
// addressbook-multiget (CardDAVDirectory.fetchAllFromServer), so a book of more cards than the
// limit never synchronized (bench card-tb-initial-sync at 9000 cards: 403). A request naming more
// hrefs than both is still refused.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { D, errorConditions, parseMultistatus } from '../helpers/dav.js';
import { addressMultigetBody, putVcfOk, report, vcard } from '../helpers/carddav.js';

const t = suite<{ srv: TestServer }>('carddav multiget limit');
const BOOK = '/dav/addressbooks/ina/contacts/';

t.before(async (ctx) => {
  ctx.srv = await startTestServer({ SUNDIAL_MAX_MULTIGET_HREFS: '10' });
  await ctx.srv.addUser('ina');
  for (let i = 0; i < 15; i++) await putVcfOk(ctx.srv, 'ina', `${BOOK}c${i}.vcf`, vcard(`c${i}@limit`));
});
t.after(async (ctx) => { await ctx.srv.close(); });

t('a multiget of every card of a book larger than the limit is answered (Thunderbird\'s first sync)', async ({ srv }) => {
  const all = Array.from({ length: 15 }, (_, i) => `${BOOK}c${i}.vcf`);
  const res = await report(srv, 'ina', BOOK, addressMultigetBody(all));
  assert.is(res.status, 207, res.text.slice(0, 300));
  assert.is(parseMultistatus(res.text).responses.filter((r) => r.status === undefined).length, 15);
});

t('more hrefs than the limit and the members is refused with number-of-matches-within-limits', async ({ srv }) => {
  const res = await report(srv, 'ina', BOOK, addressMultigetBody(Array.from({ length: 16 }, (_, i) => `${BOOK}x${i}.vcf`)));
  assert.is(res.status, 403);
  assert.ok(errorConditions(res.text).includes(D('number-of-matches-within-limits')), res.text);
  const cal = await report(srv, 'ina', '/dav/calendars/ina/personal/', addressMultigetBody(Array.from({ length: 11 }, (_, i) => `${BOOK}c${i}.vcf`)).replace(/card:addressbook-multiget/g, 'cal:calendar-multiget').replace('xmlns:card=', 'xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:card='));
  assert.is(cal.status, 403, 'the empty calendar keeps the configured limit');
});

t.run();
